"""The quiz report and question analysis against the hand-computed world (see conftest.py)."""

import math

import pytest

from quizzes.models import Attempt
from quizzes.reports.item_analysis import (
    FLAG_TOO_HARD,
    AttemptScores,
    Response,
    item_statistics,
    item_sums_from_responses,
)
from quizzes.reports.quiz_stats import (
    item_sums_for_quiz,
    report_question_analysis,
    report_quiz,
    scoped_attempts,
)

pytestmark = pytest.mark.django_db


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
