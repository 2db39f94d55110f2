"""The cohort overview: status counts, completion and overdue trainees per cohort program.

Counting is plain Python over the status snapshot (quizzes.reports.snapshot);
the charts are returned as data (quizzes.reports.chart_data) for the template
to draw. Retention per cohort (recall, critical recall, reviews done in time,
trainees flagged) comes from each trainee's latest stored day
(quizzes.spaced_review.retention.retention_in_cohorts).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from quizzes.certification.rules import VALID_CERTIFICATE_STATUSES, ProgressStatus
from quizzes.cohorts.scope import cohorts_for_manager
from quizzes.models import Cohort, CohortMembership, CohortProgram, Program
from quizzes.reports.chart_data import Chart, monthly_chart, status_mix_chart
from quizzes.reports.progress import STATUS_ORDER, display_name
from quizzes.reports.snapshot import (
    CHART_MONTHS,
    OVERDUE_INDEX,
    STATUSES,
    StatusSnapshot,
    month_start,
    status_snapshot,
)
from quizzes.spaced_review.retention import (
    NO_COHORT_RETENTION,
    CohortRetention,
    cohort_retention,
    retention_in_cohorts,
    threshold_percent,
)
from quizzes.updates.selectors import update_status_bulk

# Overdue trainees named per cohort and program on the overview; the rest are one
# click away in the filtered trainees table (2,000 names cost 0.2 s to render).
OVERDUE_LIST_LIMIT = 10
# Up to this many cohort programs the overview shows a card for each (chart,
# overdue names); beyond, a summary table (50 cards made a 240 KB page).
OVERVIEW_CARDS_LIMIT = 6


@dataclass(frozen=True)
class TraineeRef:
    user_id: int
    name: str
    email: str
    due_date: date | None


class _StatusCounts:
    counts: dict[ProgressStatus, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def certified(self) -> int:
        return sum(self.counts[s] for s in VALID_CERTIFICATE_STATUSES)

    @property
    def completion_percent(self) -> int:
        return self.certified * 100 // self.total if self.total else 0

    @property
    def status_rows(self) -> list[tuple[ProgressStatus, int]]:
        return [(status, self.counts[status]) for status in STATUS_ORDER]


@dataclass
class CohortProgramSummary(_StatusCounts):
    cohort: Cohort
    program: Program
    due_date: date | None
    counts: dict[ProgressStatus, int]
    overdue: list[TraineeRef]
    overdue_total: int = 0
    chart: Chart | None = None


@dataclass
class ProgramSummary(_StatusCounts):
    """One program over all the cohorts shown: each trainee counted once."""

    program: Program
    counts: dict[ProgressStatus, int]
    chart: Chart


@dataclass(frozen=True)
class ProgramUpdates:
    """Certified trainees' updates after material changes to one program, in the cohorts shown."""

    program: Program
    open: int  # certificates waiting for an update
    due_at: datetime | None  # the earliest open update's due moment
    lapsed: int  # not updated in time: expired early
    updated: int  # updated to the latest version asked of them


def _program_updates(*, cohort_ids: set[int], programs: dict[int, Program], now) -> list:
    """One query: the update status of every member's latest certificate, per program."""
    statuses = update_status_bulk(
        user_ids=CohortMembership.objects.filter(cohort_id__in=cohort_ids).values("user_id"),
        program_ids=list(programs),
        now=now,
    )
    tallies: dict[int, Counter] = defaultdict(Counter)
    due: dict[int, datetime] = {}
    for (_user_id, program_id), status in statuses.items():
        if status.required:
            tallies[program_id]["open"] += 1
            due[program_id] = min(due.get(program_id, status.due_at), status.due_at)
        elif status.lapsed:
            tallies[program_id]["lapsed"] += 1
        elif status.updated_version is not None:
            tallies[program_id]["updated"] += 1
    return [
        ProgramUpdates(
            program=programs[pk],
            open=tally["open"],
            due_at=due.get(pk),
            lapsed=tally["lapsed"],
            updated=tally["updated"],
        )
        for pk, tally in sorted(tallies.items(), key=lambda item: programs[item[0]].name)
    ]


@dataclass
class Overview:
    cohorts: list[Cohort]
    summaries: list[CohortProgramSummary]
    certifications_chart: Chart
    trainee_count: int
    as_of: datetime | None = None
    # Few cohort programs: one card each, with a chart and the overdue trainees
    # named. Many: the per-program totals and one table row per cohort program.
    detailed: bool = True
    programs: list[ProgramSummary] = field(default_factory=list)
    all_cohorts: list[Cohort] = field(default_factory=list)
    retention: list[tuple[Cohort, CohortRetention]] = field(default_factory=list)
    retention_threshold: int = 80
    retention_as_of: date | None = None  # the newest stored retention day read
    updates: list[ProgramUpdates] = field(default_factory=list)

    @property
    def retention_by_cohort(self) -> dict[int, CohortRetention]:
        return {cohort.pk: figures for cohort, figures in self.retention}


def _status_chart(title: str, counts: dict[ProgressStatus, int]) -> Chart:
    return status_mix_chart(
        title=title, segments=[(s.label, counts[s], s.value) for s in STATUS_ORDER]
    )


@dataclass
class _Tally:
    """The snapshot's pairs in the cohorts shown, counted per cohort program."""

    counts: dict[tuple[int, int], list[int]]  # (cohort, program) -> count per status index
    statuses: dict[tuple[int, int], int]  # (user, program) -> status index: each pair once
    overdue: dict[tuple[int, int], list[tuple[int, int, int]]]  # (due, name rank, user)


def _tally(snapshot: StatusSnapshot, shown: set[int]) -> _Tally:
    tally = _Tally(defaultdict(lambda: [0] * len(STATUSES)), {}, defaultdict(list))
    rank = snapshot.name_rank
    for uid, pid, cid, status, due, _ in snapshot.pairs:
        if cid in shown:
            tally.counts[(cid, pid)][status] += 1
            tally.statuses[(uid, pid)] = status
            if status == OVERDUE_INDEX:
                tally.overdue[(cid, pid)].append((due, rank[uid], uid))
    return tally


def _overdue_refs(overdue: dict) -> dict[tuple[int, int], list[TraineeRef]]:
    """The first OVERDUE_LIST_LIMIT overdue trainees per cohort program, earliest due first."""
    listed = {key: sorted(found)[:OVERDUE_LIST_LIMIT] for key, found in overdue.items()}
    wanted = {uid for found in listed.values() for _, _, uid in found}
    people = {}
    if wanted:
        people = {
            pk: (first, last, email)
            for pk, first, last, email in get_user_model()
            .objects.filter(pk__in=wanted)
            .values_list("pk", "first_name", "last_name", "email")
        }
    refs: dict[tuple[int, int], list[TraineeRef]] = {}
    for key, found in listed.items():
        refs[key] = []
        for due, _, uid in found:
            first, last, email = people[uid]
            refs[key].append(
                TraineeRef(uid, display_name(first, last, email), email, date.fromordinal(due))
            )
    return refs


def _program_summaries(cohort_programs: list[CohortProgram], tally: _Tally) -> list[ProgramSummary]:
    totals: dict[int, list[int]] = defaultdict(lambda: [0] * len(STATUSES))
    for (_, pid), status in tally.statuses.items():
        totals[pid][status] += 1
    programs = {cp.program_id: cp.program for cp in cohort_programs}
    summaries = []
    for program in sorted(programs.values(), key=lambda p: (p.name.casefold(), p.pk)):
        counts = dict(zip(STATUSES, totals[program.pk], strict=True))
        title = f"{program.name}, all cohorts shown: status of {sum(counts.values())} trainees"
        summaries.append(
            ProgramSummary(program=program, counts=counts, chart=_status_chart(title, counts))
        )
    return summaries


def report_overview(*, user, cohort: Cohort | None = None, now=None) -> Overview:
    """Status counts, completion and overdue trainees per cohort and program.

    The statuses come from the status snapshot (decided in SQL, see
    status_snapshot); counting is plain Python over its integers. With more
    than OVERVIEW_CARDS_LIMIT cohort programs the overview is a summary table
    (per-program totals, then a row per cohort program whose counts link to
    the trainees table), without a chart or names for each.
    """
    managed = list(cohorts_for_manager(user).order_by("name", "id"))
    cohorts = [c for c in managed if cohort is None or c.pk == cohort.pk]
    if not cohorts:
        return Overview(
            cohorts=[],
            summaries=[],
            certifications_chart=certifications_chart(
                months=_months_counted({}, now=now or timezone.now())
            ),
            trainee_count=0,
            all_cohorts=managed,
        )
    snapshot = status_snapshot(cohort_ids=[c.pk for c in managed], now=now)
    shown = {c.pk for c in cohorts}
    cohort_programs = list(
        CohortProgram.objects.filter(cohort_id__in=shown)
        .select_related("program")
        .order_by("cohort__name", "cohort_id", "program__name", "program_id")
    )
    detailed = len(cohort_programs) <= OVERVIEW_CARDS_LIMIT
    tally = _tally(snapshot, shown)
    refs = _overdue_refs(tally.overdue) if detailed else {}
    by_cohort = {c.pk: c for c in cohorts}
    summaries = []
    for cp in cohort_programs:
        key = (cp.cohort_id, cp.program_id)
        counts = dict(zip(STATUSES, tally.counts.get(key, [0] * len(STATUSES)), strict=True))
        summary = CohortProgramSummary(
            cohort=by_cohort[cp.cohort_id],
            program=cp.program,
            due_date=cp.due_date,
            counts=counts,
            overdue=refs.get(key, []),
            overdue_total=len(tally.overdue.get(key, [])),
        )
        if detailed:
            summary.chart = _status_chart(
                f"{cp.program.name} in {summary.cohort.name}: status of {summary.total} trainees",
                counts,
            )
        summaries.append(summary)
    trainees = {uid for uid, cid in snapshot.members if cid in shown}
    threshold = threshold_percent()
    recall = retention_in_cohorts(cohort_ids=[c.pk for c in managed], members=snapshot.members)
    retention = cohort_retention(snapshot=recall, threshold=threshold)
    months: dict[int, int] = defaultdict(int)
    for uid, month in snapshot.certificate_months:
        if uid in trainees:
            months[month] += 1
    return Overview(
        cohorts=cohorts,
        summaries=summaries,
        certifications_chart=certifications_chart(
            months=_months_counted(months, now=snapshot.as_of)
        ),
        trainee_count=len(trainees),
        as_of=snapshot.as_of,
        detailed=detailed,
        programs=[] if detailed else _program_summaries(cohort_programs, tally),
        all_cohorts=managed,
        retention=[(c, retention.get(c.pk, NO_COHORT_RETENTION)) for c in cohorts],
        retention_threshold=threshold,
        retention_as_of=recall.as_of,
        updates=_program_updates(
            cohort_ids=shown,
            programs={cp.program_id: cp.program for cp in cohort_programs},
            now=now,
        ),
    )


def _months_counted(counts: dict[int, int], *, now: datetime) -> list[tuple[str, int]]:
    """The last CHART_MONTHS months, oldest first, with the count for each (month index keys)."""
    today = timezone.localdate(now)
    months = [month_start(today, back) for back in range(CHART_MONTHS - 1, -1, -1)]
    return [(f"{m:%Y-%m}", counts.get(m.year * 12 + m.month - 1, 0)) for m in months]


def certifications_chart(*, months: list[tuple[str, int]]) -> Chart:
    return monthly_chart(
        title=f"Certificates issued per month, last {CHART_MONTHS} months", months=months
    )
