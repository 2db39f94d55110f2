"""Item analysis and quiz statistics on small hand-computed data (no database)."""

import math

import pytest

from quizzes.reports.item_analysis import (
    FLAG_NEGATIVE_CORRELATION,
    FLAG_POOR,
    FLAG_TOO_EASY,
    FLAG_TOO_HARD,
    AttemptScores,
    ItemSums,
    Response,
    ScoredAttempt,
    group_size,
    item_statistics,
    item_sums_from_responses,
    median,
    median_window,
    quiz_statistics_from_attempts,
    score_bin,
)


def attempt(attempt_id, **awarded):
    responses = {int(q[1:]): Response(awarded=v) for q, v in awarded.items()}
    return AttemptScores(attempt_id, sum(awarded.values()), responses)


def stats_by_question(attempts, points=None):
    question_ids = {q for a in attempts for q in a.responses}
    max_points = points or dict.fromkeys(question_ids, 1.0)
    return {
        s.question_id: item_statistics(s) for s in item_sums_from_responses(attempts, max_points)
    }


# Four attempts on three one-point questions; totals 3, 2, 1, 0.
FOUR = [
    attempt(1, q1=1, q2=1, q3=1),
    attempt(2, q1=1, q2=0, q3=1),
    attempt(3, q1=0, q2=1, q3=0),
    attempt(4, q1=0, q2=0, q3=0),
]


def test_facility_is_the_share_answered_correctly():
    stats = stats_by_question(FOUR)
    assert stats[1].facility == 0.5
    assert stats[2].facility == 0.5
    assert stats[1].responses == 4


def test_group_discrimination_uses_the_top_and_bottom_27_percent():
    # round(0.27 * 4) = 1 attempt per group: upper = attempt 1, lower = attempt 4.
    stats = stats_by_question(FOUR)
    assert stats[1].discrimination_groups == 1.0
    assert stats[2].discrimination_groups == 1.0


def test_point_biserial_correlates_the_item_with_the_rest_of_the_score():
    # q1: x = 1,1,0,0; rest = 2,1,1,0; cov sum 1, var sums 1 and 2 -> 1 / sqrt(2).
    # q2: x = 1,0,1,0; rest = 2,2,0,0; cov sum 0 -> 0.
    stats = stats_by_question(FOUR)
    assert stats[1].point_biserial == pytest.approx(1 / math.sqrt(2))
    assert stats[2].point_biserial == pytest.approx(0.0)
    assert stats[1].flags == ()
    # The flags follow the discrimination index shown (D = 1.0 for q2), not the
    # point-biserial beside it: no "weak discrimination" next to an excellent index.
    assert stats[2].discrimination == 1.0
    assert stats[2].flags == ()


def test_negative_discrimination_is_flagged():
    # The "bad" question q3 is answered right only by the weakest attempts.
    # x = 0,0,1,1; rest = 2,1,0,0: cov sum -1.5, var sums 1 and 2.75.
    attempts = [
        attempt(1, q1=1, q2=1, q3=0),
        attempt(2, q1=1, q2=0, q3=0),
        attempt(3, q1=0, q2=0, q3=1),
        attempt(4, q1=0, q2=0, q3=1),
    ]
    stats = stats_by_question(attempts)
    assert stats[3].point_biserial == pytest.approx(-1.5 / math.sqrt(2.75))
    # Ties at total 1 rank by attempt id, highest first: the lower group is attempt 2.
    assert stats[3].discrimination_groups == 0.0
    # D = 0.00 is poor; the negative point-biserial is flagged under its own name.
    assert stats[3].flags == (FLAG_POOR, FLAG_NEGATIVE_CORRELATION)


def test_partial_credit_counts_as_a_fraction_of_the_points():
    attempts = [attempt(1, q1=2), attempt(2, q1=1), attempt(3, q1=0), attempt(4, q1=1)]
    stats = stats_by_question(attempts, points={1: 2.0})
    assert stats[1].facility == 0.5


def test_choice_pick_rates():
    attempts = [
        AttemptScores(1, 1, {7: Response(1, [70])}),
        AttemptScores(2, 0, {7: Response(0, [71])}),
        AttemptScores(3, 1, {7: Response(1, [70])}),
        AttemptScores(4, 0, {7: Response(0, [])}),
    ]
    stats = stats_by_question(attempts)
    assert stats[7].choice_rates == {70: 0.5, 71: 0.25}


def test_too_easy_and_too_hard_flags_use_the_thresholds():
    easy = item_statistics(ItemSums(question_id=1, max_points=1, n=10, sum_x=9.5))
    hard = item_statistics(ItemSums(question_id=2, max_points=1, n=10, sum_x=1.9))
    edge = item_statistics(ItemSums(question_id=3, max_points=1, n=10, sum_x=9.0))
    assert easy.facility == 0.95
    assert easy.flags == (FLAG_TOO_EASY,)
    assert hard.flags == (FLAG_TOO_HARD,)
    assert edge.flags == ()


def test_a_single_response_gives_facility_but_no_discrimination():
    stats = stats_by_question([attempt(1, q1=1, q2=0)])
    assert stats[1].facility == 1.0
    assert stats[1].discrimination_groups is None
    assert stats[1].point_biserial is None
    assert stats[1].flags == (FLAG_TOO_EASY,)


def test_no_variance_gives_no_correlation_instead_of_dividing_by_zero():
    # Everyone answers q1 right: the item has no variance.
    stats = stats_by_question([attempt(1, q1=1, q2=1), attempt(2, q1=1, q2=0)])
    assert stats[1].point_biserial is None
    assert stats[1].discrimination_groups == 0.0


def test_no_responses_give_nothing_and_no_flags():
    stats = item_statistics(ItemSums(question_id=1, max_points=1))
    assert stats.facility is None
    assert stats.discrimination is None
    assert stats.flags == ()


@pytest.mark.parametrize(("n", "k"), [(0, 0), (1, 0), (2, 1), (3, 1), (4, 1), (10, 3), (100, 27)])
def test_group_size(n, k):
    assert group_size(n) == k


@pytest.mark.parametrize(
    ("percent", "expected"), [(0, 0), (9.99, 0), (10, 1), (79.5, 7), (90, 9), (100, 9)]
)
def test_score_bin(percent, expected):
    assert score_bin(percent) == expected


def test_median_and_its_window():
    assert median([]) is None
    assert median([5]) == 5
    assert median([1, 3]) == 2
    assert median_window(0) == (0, 0)
    assert median_window(5) == (2, 3)
    assert median_window(4) == (1, 3)


def test_quiz_statistics():
    stats = quiz_statistics_from_attempts(
        [
            ScoredAttempt(user_id=1, percent=90, passed=True, seconds=300),
            ScoredAttempt(user_id=1, percent=70, passed=False, seconds=600),
            ScoredAttempt(user_id=2, percent=100, passed=True, seconds=120),
            ScoredAttempt(user_id=3, percent=45, passed=False, seconds=900),
        ]
    )
    assert stats.attempts == 4
    assert stats.trainees == 3
    assert stats.pass_rate == 0.5
    assert stats.mean_percent == 76.25
    assert stats.median_percent == 80
    assert stats.median_seconds == 450
    assert stats.distribution == (0, 0, 0, 0, 1, 0, 0, 1, 0, 2)


def test_quiz_statistics_without_attempts():
    stats = quiz_statistics_from_attempts([])
    assert stats.attempts == 0
    assert stats.pass_rate is None
    assert stats.mean_percent is None
    assert stats.median_percent is None
    assert stats.distribution == (0,) * 10
