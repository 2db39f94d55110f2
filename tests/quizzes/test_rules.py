"""The start rules and the trainee's standing at a quiz, as pure functions (no database)."""

from datetime import UTC, datetime, timedelta

import pytest

from quizzes import rules
from quizzes.models import Attempt
from quizzes.rules import (
    START_HELD_FOR_REVIEW,
    START_LIMIT_REACHED,
    START_NO_QUESTIONS,
    START_NOT_PUBLISHED,
    START_PREREQUISITES,
    START_WAIT,
    attempts_allowed,
    graded_standing,
    next_start_at,
    pool_short_for_review,
    start_refusal,
)

EARLY = datetime(2026, 1, 1, tzinfo=UTC)
LATE = datetime(2026, 2, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

# A quiz any trainee may start: published, with questions, nothing missing, no limit, no wait.
OPEN_TO_START = {
    "is_published": True,
    "question_count": 3,
    "missing_prerequisites": 0,
    "attempts_used": 0,
    "attempts_allowed": None,
    "next_start_at": None,
    "has_open_attempt": False,
}
# Every rule broken at once.
ALL_BROKEN = {
    "is_published": False,
    "question_count": 0,
    "missing_prerequisites": 2,
    "attempts_used": 3,
    "attempts_allowed": 3,
    "next_start_at": NOW + timedelta(minutes=5),
    "has_open_attempt": False,
}


def refusal(**changes):
    return start_refusal(**{**OPEN_TO_START, **changes})


# Standing ------------------------------------------------------------------------


def test_no_attempts_is_an_empty_standing():
    assert graded_standing([]) == {
        "used": 0,
        "last_closed": None,
        "open": 0,
        "best": None,
        "passed": 0,
        "last_passed": None,
        "marking": 0,
    }


def test_counts_best_passes_open_and_last_close():
    rows = [
        ("submitted", EARLY, 85.0, True),
        ("submitted", LATE, 40.0, False),
        ("in_progress", None, None, None),
    ]
    assert graded_standing(rows) == {
        "used": 3,
        "last_closed": LATE,
        "open": 1,
        "best": 85.0,
        "passed": 1,
        "last_passed": EARLY,
        "marking": 0,
    }


def test_an_attempt_awaiting_marking_counts_as_used_and_closed_but_not_scored():
    rows = [("marking", LATE, None, None), ("submitted", EARLY, 40.0, False)]
    standing = graded_standing(rows)
    assert standing == {
        "used": 2,
        "last_closed": LATE,
        "open": 0,
        "best": 40.0,
        "passed": 0,
        "last_passed": None,
        "marking": 1,
    }


def test_an_attempt_without_a_score_counts_as_used_but_not_as_best():
    rows = [("submitted", EARLY, None, None), ("submitted", LATE, 30.0, False)]
    standing = graded_standing(rows)
    assert (standing["used"], standing["best"], standing["passed"]) == (2, 30.0, 0)


def test_standing_states_are_the_attempt_states():
    assert rules.IN_PROGRESS == Attempt.State.IN_PROGRESS
    assert rules.SUBMITTED == Attempt.State.SUBMITTED
    assert rules.MARKING == Attempt.State.MARKING


# Limits and waiting time ------------------------------------------------------------


def test_no_attempt_limit_stays_unlimited_whatever_is_granted():
    assert attempts_allowed(max_attempts=None, extra_attempts=2) is None


def test_extra_attempts_add_to_the_limit():
    assert attempts_allowed(max_attempts=2, extra_attempts=0) == 2
    assert attempts_allowed(max_attempts=2, extra_attempts=3) == 5


def test_waiting_time_ends_minutes_after_the_last_close():
    assert next_start_at(last_closed=NOW, retake_wait_minutes=60, now=NOW) == NOW + timedelta(
        minutes=60
    )


def test_waiting_time_over_or_absent_gives_no_next_start():
    past = NOW - timedelta(minutes=61)
    assert next_start_at(last_closed=past, retake_wait_minutes=60, now=NOW) is None
    assert next_start_at(last_closed=NOW, retake_wait_minutes=0, now=NOW) is None
    assert next_start_at(last_closed=None, retake_wait_minutes=60, now=NOW) is None


def test_waiting_time_ending_exactly_now_is_over():
    ended = NOW - timedelta(minutes=60)
    assert next_start_at(last_closed=ended, retake_wait_minutes=60, now=NOW) is None


# Refusals -------------------------------------------------------------------------


def test_a_quiz_open_to_start_is_not_refused():
    assert refusal() is None


def test_draft_quiz_is_refused():
    assert refusal(is_published=False) == START_NOT_PUBLISHED


def test_quiz_without_questions_is_refused():
    assert refusal(question_count=0) == START_NO_QUESTIONS


def test_missing_prerequisites_are_refused():
    assert refusal(missing_prerequisites=1) == START_PREREQUISITES


def test_attempt_limit_reached_is_refused():
    assert refusal(attempts_used=2, attempts_allowed=2) == START_LIMIT_REACHED
    assert refusal(attempts_used=3, attempts_allowed=2) == START_LIMIT_REACHED


def test_attempts_left_under_the_limit_are_not_refused():
    assert refusal(attempts_used=1, attempts_allowed=2) is None


def test_a_granted_extra_attempt_lifts_the_limit():
    allowed = attempts_allowed(max_attempts=1, extra_attempts=1)
    assert refusal(attempts_used=1, attempts_allowed=allowed) is None
    assert refusal(attempts_used=2, attempts_allowed=allowed) == START_LIMIT_REACHED


def test_unlimited_attempts_are_never_refused_for_the_count():
    assert refusal(attempts_used=500, attempts_allowed=None) is None


def test_waiting_time_is_refused():
    assert refusal(next_start_at=NOW + timedelta(minutes=1)) == START_WAIT


@pytest.mark.parametrize(
    ("kept", "expected"),
    [
        ({}, START_NOT_PUBLISHED),
        ({"is_published": True}, START_NO_QUESTIONS),
        ({"is_published": True, "question_count": 1}, START_PREREQUISITES),
        (
            {"is_published": True, "question_count": 1, "missing_prerequisites": 0},
            START_LIMIT_REACHED,
        ),
        (
            {
                "is_published": True,
                "question_count": 1,
                "missing_prerequisites": 0,
                "attempts_allowed": None,
            },
            START_WAIT,
        ),
    ],
)
def test_the_first_broken_rule_decides(kept, expected):
    """Published, then questions, then prerequisites, then the limit, then the waiting time."""
    assert start_refusal(**{**ALL_BROKEN, **kept}) == expected


def test_an_open_attempt_is_never_refused():
    assert start_refusal(**{**ALL_BROKEN, "has_open_attempt": True}) is None


@pytest.mark.parametrize(
    ("active", "drawable", "per_attempt", "short"),
    [
        (3, 3, 3, False),  # nothing held
        (3, 2, 3, True),  # one held, paper of 3
        (4, 3, 3, False),  # one held, a spare
        (3, 2, None, False),  # the whole pool is the paper: 2 still fill it
        (2, 0, None, True),  # all held
        (2, 2, 5, False),  # short of active questions, not of review: publish rules' concern
        (0, 0, 3, False),
    ],
)
def test_pool_short_for_review(active, drawable, per_attempt, short):
    assert (
        pool_short_for_review(active=active, drawable=drawable, questions_per_attempt=per_attempt)
        is short
    )


def test_a_pool_short_for_review_refuses_after_publication_and_before_the_rest():
    assert start_refusal(**{**OPEN_TO_START, "short_for_review": True}) == START_HELD_FOR_REVIEW
    assert (
        start_refusal(**{**OPEN_TO_START, "short_for_review": True, "is_published": False})
        == START_NOT_PUBLISHED
    )
    assert (
        start_refusal(**{**OPEN_TO_START, "short_for_review": True, "has_open_attempt": True})
        is None
    )
