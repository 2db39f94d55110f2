"""Report selectors against a small hand-computed world (see conftest.py)."""

import math

import pytest

from quizzes.certification.rules import ProgressStatus as S
from quizzes.models import Attempt
from quizzes.reports.item_analysis import (
    FLAG_TOO_HARD,
    AttemptScores,
    Response,
    item_statistics,
    item_sums_from_responses,
)
from quizzes.reports.selectors import (
    TraineeFilters,
    item_sums_for_quiz,
    report_overview,
    report_question_analysis,
    report_quiz,
    report_trainee_detail,
    report_trainees,
    report_trainees_export,
    scoped_attempts,
)
from tests.reports.conftest import NOW

pytestmark = pytest.mark.django_db


def test_overview_counts_each_status_once(world, manager):
    overview = report_overview(user=manager, now=NOW)
    (summary,) = overview.summaries
    assert summary.cohort == world.cohort_a
    assert summary.counts == {
        S.NOT_STARTED: 1,
        S.IN_PROGRESS: 1,
        S.CERTIFIED: 1,
        S.EXPIRING_SOON: 1,
        S.EXPIRED: 1,
        S.OVERDUE: 1,
    }
    assert summary.total == 6
    assert summary.completion_percent == 33  # 2 of 6 hold a valid certificate
    assert [t.user_id for t in summary.overdue] == [world.overdue.pk]
    assert overview.trainee_count == 6


def test_overview_of_the_other_manager_sees_only_cohort_b(world, other_manager):
    (summary,) = report_overview(user=other_manager, now=NOW).summaries
    assert summary.cohort == world.cohort_b
    assert summary.counts[S.OVERDUE] == 1
    assert summary.total == 1


def test_superuser_sees_both_cohorts(world, superuser):
    summaries = report_overview(user=superuser, now=NOW).summaries
    assert [s.cohort.name for s in summaries] == ["Alpha Clinic", "Beta Clinic"]


def test_certifications_per_month(world, manager):
    chart = report_overview(user=manager, now=NOW).certifications_chart
    counts = dict(chart.rows)
    assert len(chart.rows) == 24
    assert chart.rows[0][0] == "2024-12"
    assert chart.rows[-1][0] == "2026-11"
    assert (counts["2025-10"], counts["2025-12"], counts["2026-06"]) == ("1", "1", "1")
    assert sum(int(v) for v in counts.values()) == 3


def test_trainees_filter_by_status(world, manager):
    table = report_trainees(user=manager, filters=TraineeFilters(status=S.OVERDUE), now=NOW)
    assert [r.user_id for r in table.rows] == [world.overdue.pk]
    row = table.rows[0]
    assert str(row.due_date) == "2026-11-01"
    assert row.status_label == "Overdue"


def test_trainees_rows_carry_progress_and_best_scores(world, manager):
    table = report_trainees(user=manager, filters=TraineeFilters(sort="name"), now=NOW)
    by_user = {r.user_id: r for r in table.rows}
    assert table.total == 6
    assert by_user[world.in_progress.pk].percent == 50  # the lesson; the quiz is not passed
    assert by_user[world.in_progress.pk].best_scores == ((world.quiz.title, 0.0),)
    assert by_user[world.expiring.pk].best_scores_text == f"{world.quiz.title}: 50%"
    assert by_user[world.certified.pk].percent == 100
    assert by_user[world.certified.pk].certificate_code != ""
    assert by_user[world.expired.pk].certificate_code == ""


def test_trainees_search_sort_and_pages(world, manager):
    searched = report_trainees(user=manager, filters=TraineeFilters(q="expir"), now=NOW)
    assert {r.user_id for r in searched.rows} == {world.expiring.pk, world.expired.pk}
    by_status = report_trainees(user=manager, filters=TraineeFilters(sort="status"), now=NOW)
    assert [r.status for r in by_status.rows][:2] == [S.OVERDUE, S.EXPIRED]
    page = report_trainees(
        user=manager,
        filters=TraineeFilters(sort="name", descending=True),
        page=2,
        per_page=4,
        now=NOW,
    )
    assert (page.total, page.pages, page.page, len(page.rows)) == (6, 2, 2, 2)
    assert page.has_previous is True
    assert page.has_next is False


def test_trainees_search_never_leaves_the_scope(world, manager):
    table = report_trainees(user=manager, filters=TraineeFilters(q="outsider"), now=NOW)
    assert table.total == 0


def test_export_matches_the_filters(world, manager):
    filters = TraineeFilters(status=S.OVERDUE)
    rows = list(report_trainees_export(user=manager, filters=filters, now=NOW))
    assert [r.user_id for r in rows] == [world.overdue.pk]
    everyone = list(report_trainees_export(user=manager, filters=TraineeFilters(), now=NOW))
    assert [r.name for r in everyone] == sorted(r.name for r in everyone)
    assert len(everyone) == 6


def test_trainee_detail(world, manager):
    detail = report_trainee_detail(user=manager, trainee_id=world.in_progress.pk, now=NOW)
    assert [c.lesson for c in detail.completions] == [world.lesson]
    assert [a.percent for a in detail.attempts] == [0.0]
    assert detail.certificates == []
    ((program, progress),) = detail.programs
    assert progress.status == S.IN_PROGRESS


def test_quiz_report_numbers_for_the_manager(world, manager):
    stats, chart = report_quiz(user=manager, quiz=world.quiz)
    assert stats.attempts == 3
    assert stats.trainees == 3
    assert stats.passed == 1
    assert stats.mean_percent == 50.0
    assert stats.median_percent == 50.0
    assert stats.median_seconds == 1200.0
    assert stats.distribution == (1, 0, 0, 0, 0, 1, 0, 0, 0, 1)
    assert chart.rows[5] == ("50–59", "1")


def test_quiz_report_for_an_educator_counts_every_attempt(world, educator):
    stats, _ = report_quiz(user=educator, quiz=world.quiz)
    assert stats.attempts == 4
    assert stats.passed == 2


def test_question_analysis_numbers(world, manager):
    # Totals 2, 1, 0: one attempt in each 27% group (top: 2, bottom: 0).
    # Q0: x = 1,1,0, rest = 1,0,0 -> facility 2/3, D = 1, r = 1 / sqrt(2 * 2) = 0.5.
    # Q1: x = 1,0,0, rest = 1,1,0 -> facility 1/3, D = 1, r = 0.5.
    rows = report_question_analysis(user=manager, quiz=world.quiz)
    assert [r.stats.facility for r in rows] == pytest.approx([2 / 3, 1 / 3])
    assert [r.stats.discrimination_groups for r in rows] == [1.0, 1.0]
    assert [r.stats.point_biserial for r in rows] == pytest.approx([0.5, 0.5])
    q0_rates = [c.rate for c in rows[0].choices]
    assert q0_rates == pytest.approx([2 / 3, 1 / 3, 0.0])
    assert rows[0].admin_url == ""
    assert math.isclose(sum(c.count for c in rows[1].choices), 3)


def test_question_analysis_links_to_the_admin_for_educators(world, educator):
    rows = report_question_analysis(user=educator, quiz=world.quiz, admin_links=True)
    assert rows[0].admin_url == f"/admin/quizzes/question/{rows[0].question_id}/change/"
    assert rows[0].stats.responses == 4


def test_sql_sums_equal_the_pure_computation(world, educator):
    attempts = scoped_attempts(user=educator, quiz=world.quiz)
    raw = [
        AttemptScores(
            a.pk,
            a.points,
            {ans.question_id: Response(ans.awarded, ans.selected) for ans in a.answers.all()},
        )
        for a in Attempt.objects.filter(pk__in=attempts.values("pk")).prefetch_related("answers")
    ]
    points = {qid: 1.0 for a in raw for qid in a.responses}
    pure = {s.question_id: item_statistics(s) for s in item_sums_from_responses(raw, points)}
    sql = {s.question_id: item_statistics(s) for s in item_sums_for_quiz(attempts=attempts)}
    assert sql.keys() == pure.keys()
    for qid, stats in sql.items():
        assert stats.facility == pytest.approx(pure[qid].facility)
        assert stats.discrimination_groups == pytest.approx(pure[qid].discrimination_groups)
        assert stats.point_biserial == pytest.approx(pure[qid].point_biserial)
        assert stats.choice_rates == pytest.approx(pure[qid].choice_rates)
        assert FLAG_TOO_HARD not in stats.flags
