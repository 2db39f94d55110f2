"""The reports' CSV downloads: streaming, formula-safe cells, and each export's header and rows.

Every CSV of the site's reports, cohorts and CPD records goes through csv_response:

- a spreadsheet runs a cell that starts with one of FORMULA_PREFIXES as a formula,
  so such cells are prefixed with an apostrophe;
- dates are written YYYY-MM-DD and moments to the minute in the site's time zone,
  with the zone named (``2026-06-03 06:03 UTC``), so a spreadsheet reads them as they are;
- rows are written as they are produced, so a large export streams.

The trainees export's progress columns describe one set of requirements. While a
valid certificate is held (certified or expiring soon) the row counts the
certified cycle: "Progress %" is 100 and "Requirements done" equals
"Requirements". What the trainee has already met toward renewal (the current
cycle, which began when the certificate was issued) is the last column, "Renewal
requirements done"; it is empty for a row without a valid certificate, whose
progress columns count the current cycle. (Before, "Progress %" followed the
certificate while "Requirements done" followed the renewal cycle, so a certified
row read "100" beside "3 of 7".)

Retention columns come last in both files (per trainee in the trainees export, per
cohort in the overview's, repeated on each of its programs): whole percents rounded
down, as the pages show them, and empty where there is nothing to measure (no review
card, no critical card, no review due in the window).
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.http import StreamingHttpResponse
from django.utils import timezone

from quizzes.models import Attempt
from quizzes.reports.item_analysis import QuizStats
from quizzes.reports.overview import Overview
from quizzes.reports.progress import STATUS_ORDER
from quizzes.reports.quiz_stats import QuestionRow
from quizzes.reports.trainees import TraineeRow
from quizzes.spaced_review.retention import NO_COHORT_RETENTION

# Spreadsheet programs run cells starting with these as formulas.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

OVERVIEW_HEADER = (
    ["Cohort", "Program", "Due date", "Trainees"]
    + [status.label for status in STATUS_ORDER]
    + ["Completion %"]
    # Added at the end, so files read by column position keep their meaning.
    + [
        "Mean recall %",
        "Critical recall %",
        "Reviews done in time %",
        "Trainees below retention threshold",
    ]
)
TRAINEE_HEADER = [
    "Name",
    "E-mail",
    "Cohorts",
    "Program",
    "Status",
    "Due date",
    "Progress %",
    "Requirements done",
    "Requirements",
    "Last activity",
    "Best scores",
    "Certificate",
    "Certificate expires",
    # Added at the end, so files read by column position keep their meaning.
    "Awaiting sign-off",
    "Observed practice signed off",
    "Renewal requirements done",
    "Recall %",
    "Critical recall %",
    "Reviews done in time %",
    "Below retention threshold",
    "Update after a material change",
]
ATTEMPT_HEADER = ["Quiz", "Kind", "State", "Started", "Submitted", "Minutes", "Score %", "Passed"]
QUIZ_SCORES_HEADER = ["Score %", "Attempts"]
QUESTION_HEADER = [
    "Question",
    "Prompt",
    "Responses",
    "Facility",
    "Discrimination index (upper-lower 27%)",
    "Discrimination band",
    "Discriminative efficiency (%)",
    "Point-biserial",
    "Flags",
    "Needs review",
    "Choice pick rates",
]


CSV_DATE_FORMAT = "%Y-%m-%d"
CSV_MOMENT_FORMAT = "%Y-%m-%d %H:%M %Z"


def csv_moment(value: datetime) -> str:
    """A moment to the minute in the site's time zone, zone named: "2026-06-03 06:03 UTC"."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(CSV_MOMENT_FORMAT).strip()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return csv_moment(value)
    if isinstance(value, date):
        return value.strftime(CSV_DATE_FORMAT)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]):
    """Stream rows as CSV: each line is written as it is produced."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(header)  # the BOM makes Excel read UTF-8
        for row in rows:
            yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _retention_cells(figures) -> list:
    return [
        figures.recall_percent,
        figures.critical_recall_percent,
        figures.reviews_done_percent,
        figures.flagged,
    ]


def overview_rows(overview: Overview) -> Iterator[list]:
    retention = overview.retention_by_cohort
    return (
        [s.cohort.name, s.program.name, s.due_date, s.total]
        + [s.counts[status] for status in STATUS_ORDER]
        + [s.completion_percent]
        + _retention_cells(retention.get(s.cohort.pk, NO_COHORT_RETENTION))
        for s in overview.summaries
    )


def trainee_rows(rows: Iterable[TraineeRow]) -> Iterator[list]:
    return (
        [
            r.name,
            r.email,
            r.cohorts,
            r.program_name,
            r.status_label,
            r.due_date,
            r.percent,
            r.required if r.holds_certificate else r.done,
            r.required,
            r.last_activity_at,
            r.best_scores_text,
            r.certificate_code,
            r.certificate_expires_at,
            "yes" if r.awaiting_sign_off else "",
            r.observed_text,
            f"{r.done} of {r.required}" if r.holds_certificate else "",
            r.recall_percent,
            r.critical_recall_percent,
            r.reviews_done_percent,
            "yes" if r.flagged else "",
            r.update_label,
        ]
        for r in rows
    )


def _minutes(attempt: Attempt) -> str:
    if attempt.submitted_at is None:
        return ""
    return f"{(attempt.submitted_at - attempt.started_at).total_seconds() / 60:.1f}"


def attempt_rows(attempts: Iterable[Attempt]) -> Iterator[list]:
    return (
        [
            a.quiz.title,
            a.get_kind_display(),
            a.get_state_display(),
            a.started_at,
            a.submitted_at,
            _minutes(a),
            "" if a.percent is None else f"{a.percent:.1f}",
            "" if a.passed is None else ("yes" if a.passed else "no"),
        ]
        for a in attempts
    )


def quiz_score_rows(stats: QuizStats) -> list[list]:
    return [[label, count] for label, count in stats.distribution_rows]


def _num(value) -> str:
    return "" if value is None else f"{value:.3f}"


def question_rows(rows: Iterable[QuestionRow]) -> Iterator[list]:
    return (
        [
            r.question.key if r.question else r.question_id,
            r.question.prompt if r.question else "",
            r.stats.responses,
            _num(r.stats.facility),
            _num(r.stats.discrimination_groups),
            r.stats.band_label,
            ""
            if r.stats.discriminative_efficiency is None
            else f"{r.stats.discriminative_efficiency:.0f}",
            _num(r.stats.point_biserial),
            "; ".join(r.stats.flag_labels),
            "yes" if r.question is not None and r.question.needs_review else "",
            "; ".join(f"{c.text}: {c.rate:.0%}" for c in r.choices),
        ]
        for r in rows
    )
