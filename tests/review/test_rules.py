"""The scheduler against hand-checked cases: a miss shortens, a success lengthens, the cap holds.

Pure: no django_db mark, so a query fails these tests. The expected figures are FSRS-6's
default weights worked by hand: a first Good has stability w2 = 2.3065 days, so with 90%
desired retention it is due in round(2.3065) = 2 days; a first Again has w0 = 0.212 and
comes back after the one-day miss step.
"""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fsrs import Card, Scheduler, State

from quizzes.spaced_review.rules import (
    DECAY,
    FACTOR,
    MISS_STEP,
    RATING_AGAIN,
    RATING_GOOD,
    SESSION_MAX_MINUTES,
    STATE_LEARNING,
    STATE_RELEARNING,
    STATE_REVIEW,
    maximum_interval,
    memory_review,
    point_key,
    rating_for,
    retrievability,
    session_deadline,
    session_size,
    variant_pick,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
NORMAL = {"normal_days": 365, "critical_days": 30}


def review(memory, rating, at, *, critical=False):
    return memory_review(memory=memory, rating=rating, at=at, critical=critical, **NORMAL)


def interval(memory) -> timedelta:
    return memory.due - memory.last_review


def test_a_first_success_is_due_in_two_days():
    memory = review(None, RATING_GOOD, T0)
    assert memory.state == STATE_REVIEW
    assert memory.stability == pytest.approx(2.3065)
    assert memory.last_review == T0
    assert interval(memory) == 2 * DAY


def test_a_first_miss_is_due_within_a_day():
    memory = review(None, RATING_AGAIN, T0)
    assert memory.state == STATE_LEARNING
    assert memory.stability == pytest.approx(0.212)
    assert interval(memory) == MISS_STEP == DAY


def test_each_success_on_time_lengthens_the_interval():
    memory = review(None, RATING_GOOD, T0)
    intervals = [interval(memory)]
    for _ in range(4):
        memory = review(memory, RATING_GOOD, memory.due)
        intervals.append(interval(memory))
    assert intervals == sorted(intervals)
    assert len(set(intervals)) == len(intervals)
    assert [i.days for i in intervals[:3]] == [2, 11, 46]


def test_a_miss_of_a_well_known_point_is_due_the_next_day_and_shortens_what_follows():
    memory = review(None, RATING_GOOD, T0)
    for _ in range(3):
        memory = review(memory, RATING_GOOD, memory.due)
    known = interval(memory)
    missed = review(memory, RATING_AGAIN, memory.due)
    assert missed.state == STATE_RELEARNING
    assert interval(missed) == DAY
    assert missed.stability < memory.stability
    again_known = review(missed, RATING_GOOD, missed.due)
    assert again_known.state == STATE_REVIEW
    assert interval(again_known) < known


def test_the_critical_cap_holds_where_a_normal_point_would_wait_longer():
    normal = critical = review(None, RATING_GOOD, T0)
    for _ in range(6):
        normal = review(normal, RATING_GOOD, normal.due)
        critical = review(critical, RATING_GOOD, critical.due, critical=True)
        assert interval(critical) <= 30 * DAY
        assert interval(normal) <= 365 * DAY
    assert interval(critical) == 30 * DAY
    assert interval(normal) == 365 * DAY


def test_the_critical_cap_is_never_longer_than_the_normal_one():
    assert maximum_interval(critical=True, normal_days=365, critical_days=30) == 30
    assert maximum_interval(critical=True, normal_days=20, critical_days=30) == 20
    assert maximum_interval(critical=False, normal_days=365, critical_days=30) == 365


def test_no_fuzz_the_same_history_gives_the_same_schedule():
    first = review(review(None, RATING_GOOD, T0), RATING_GOOD, T0 + 2 * DAY)
    second = review(review(None, RATING_GOOD, T0), RATING_GOOD, T0 + 2 * DAY)
    assert first == second


def test_a_time_in_another_zone_is_read_as_the_same_moment():
    local = T0.astimezone(ZoneInfo("Europe/Paris"))
    assert review(None, RATING_GOOD, local) == review(None, RATING_GOOD, T0)


def test_right_is_good_and_wrong_is_again():
    assert (rating_for(correct=True), rating_for(correct=False)) == (RATING_GOOD, RATING_AGAIN)


@pytest.mark.parametrize(
    "stability, days, expected",
    [
        (2.3065, 0, 1.0),
        # By definition recall is 90% after `stability` days.
        (10.0, 10, 0.9),
        (1.0, 1, 0.9),
        # (1 + FACTOR * 30 / 10) ** -DECAY, FACTOR = 0.9 ** (1 / -0.1542) - 1 ≈ 0.9803
        (10.0, 30, (1 + 0.9803 * 3) ** -0.1542),
    ],
)
def test_retrievability_formula(stability, days, expected):
    at = T0 + timedelta(days=days, hours=5)  # whole days count, as in fsrs
    assert retrievability(stability=stability, last_review=T0, at=at) == pytest.approx(
        expected, abs=1e-3
    )


def test_retrievability_matches_the_fsrs_package():
    card = Card(card_id=1, state=State.Review, stability=4.2, difficulty=5.0, last_review=T0)
    at = T0 + 9 * DAY
    assert retrievability(stability=4.2, last_review=T0, at=at) == pytest.approx(
        Scheduler().get_card_retrievability(card, at)
    )
    assert FACTOR == pytest.approx(0.9 ** (1 / -DECAY) - 1)


def test_a_card_never_reviewed_has_no_recall():
    assert retrievability(stability=None, last_review=None, at=T0) == 0.0


def test_a_point_is_its_variant_group_else_its_question():
    assert point_key(question_id=7, variant_group="pressure-after") == "group:pressure-after"
    assert point_key(question_id=7, variant_group="") == "question:7"


@pytest.mark.parametrize("due, items, expected", [(0, 5, 0), (3, 5, 3), (12, 5, 5)])
def test_a_session_holds_the_due_cards_up_to_its_size(due, items, expected):
    assert session_size(due=due, items=items) == expected


def test_a_session_never_lasts_more_than_ten_minutes():
    assert session_deadline(start=T0, minutes=10) == T0 + timedelta(minutes=10)
    assert session_deadline(start=T0, minutes=45) == T0 + timedelta(minutes=SESSION_MAX_MINUTES)
    assert session_deadline(start=T0, minutes=3) == T0 + timedelta(minutes=3)


def test_another_variant_is_offered_where_one_exists():
    rng = random.Random(4)
    assert {variant_pick(candidates=[1, 2, 3], last_shown=2, rng=rng) for _ in range(50)} == {1, 3}
    assert variant_pick(candidates=[2], last_shown=2, rng=rng) == 2
    assert variant_pick(candidates=[], last_shown=2, rng=rng) is None
