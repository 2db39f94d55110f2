"""The rules for starting a graded attempt, as pure functions over plain values.

Published, has questions, prerequisites done, attempt limit (with any extra
attempts granted) and the waiting time between attempts; an open attempt is
always resumed, whatever the rules say. Nothing here touches the database:
quizzes.selectors gathers the facts and calls these functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

START_NOT_PUBLISHED = "This quiz is not open to trainees."
START_NO_QUESTIONS = "This quiz has no questions yet."
START_LIMIT_REACHED = "You have used all your attempts at this quiz."
START_PREREQUISITES = "Complete the required lessons before starting this quiz."
START_WAIT = "You need to wait before your next attempt at this quiz."
START_HELD_FOR_REVIEW = (
    "This quiz cannot start just now: some of its questions are being reviewed and too few "
    "are left to fill a paper. Please tell your educator."
)
START_CERTIFIED = (
    "You passed this quiz and hold the certificate it counts toward: "
    "no further attempt is needed until renewal."
)
START_BLUEPRINT_SHORT = (
    "This quiz cannot start just now: its question pool no longer holds enough questions "
    "to fill its blueprint. Please tell your educator."
)

# Attempt.State values: the rules sit below the models, so they name them here
# (tests/quizzes/test_rules.py checks they match).
IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"
MARKING = "marking"
# Attempt.CloseReason.TIME_LIMIT
TIME_LIMIT = "time_limit"


def graded_standing(rows: Iterable[tuple[Any, datetime | None, float | None, Any]]) -> dict:
    """Count (state, submitted_at, percent, passed) rows of graded attempts at one quiz.

    Returns attempts used, the last close time, open attempts, the best submitted
    percent, how many submitted attempts passed (and when the last did) and how many
    await marking. Pure: no database.
    """
    stats: dict[str, Any] = {
        "used": 0,
        "last_closed": None,
        "open": 0,
        "best": None,
        "passed": 0,
        "last_passed": None,
        "marking": 0,
    }
    for state, submitted_at, percent, passed in rows:
        stats["used"] += 1
        if submitted_at is not None and (
            stats["last_closed"] is None or submitted_at > stats["last_closed"]
        ):
            stats["last_closed"] = submitted_at
        if state == IN_PROGRESS:
            stats["open"] += 1
        elif state == MARKING:
            stats["marking"] += 1  # counts as used; no score or pass until marked
        elif state == SUBMITTED:
            if percent is not None and (stats["best"] is None or percent > stats["best"]):
                stats["best"] = percent
            stats["passed"] += passed is True
            if passed is True and submitted_at is not None:
                if stats["last_passed"] is None or submitted_at > stats["last_passed"]:
                    stats["last_passed"] = submitted_at
    return stats


def attempts_allowed(*, max_attempts: int | None, extra_attempts: int) -> int | None:
    """The trainee's attempt limit: the quiz's plus any granted; None when unlimited."""
    if max_attempts is None:
        return None
    return max_attempts + extra_attempts


def next_start_at(
    *, last_closed: datetime | None, retake_wait_minutes: int, now: datetime
) -> datetime | None:
    """When the waiting time after the last closed attempt ends, or None if it is over."""
    if not retake_wait_minutes or last_closed is None:
        return None
    candidate = last_closed + timedelta(minutes=retake_wait_minutes)
    return candidate if candidate > now else None


def pool_short_for_review(*, active: int, drawable: int, questions_per_attempt: int | None) -> bool:
    """Whether questions held for review leave too few to fill a paper.

    A paper needs `questions_per_attempt` questions (all of the pool when
    unset, so at least one). Only a shortfall that the held questions cause
    counts here: a pool short of active questions is the publish rules' concern.
    """
    needed = min(questions_per_attempt or 1, active)
    return active > drawable and drawable < max(needed, 1)


def start_refusal(
    *,
    is_published: bool,
    question_count: int,
    missing_prerequisites: int,
    attempts_used: int,
    attempts_allowed: int | None,
    next_start_at: datetime | None,
    has_open_attempt: bool,
    short_for_review: bool = False,
    certified_hold: bool = False,
) -> str | None:
    """Why a new graded attempt may not start (the first rule broken), or None.

    The rules apply in this order: published, passed and certified (`certified_hold`:
    quizzes.certification.rules.quiz_retake_hold found no renewal open), has questions
    (a pool left too short by questions held for review says so), prerequisites,
    attempt limit, waiting time. An open attempt is never refused: it resumes.
    """
    if has_open_attempt:
        return None
    if not is_published:
        return START_NOT_PUBLISHED
    if certified_hold:
        return START_CERTIFIED
    if short_for_review:
        return START_HELD_FOR_REVIEW
    if question_count == 0:
        return START_NO_QUESTIONS
    if missing_prerequisites:
        return START_PREREQUISITES
    if attempts_allowed is not None and attempts_used >= attempts_allowed:
        return START_LIMIT_REACHED
    if next_start_at is not None:
        return START_WAIT
    return None


# An attempt the page's countdown submitted itself arrives a moment before its deadline
# at most (the page counts down whole seconds from when it was drawn).
TIMER_SUBMIT_EARLY = timedelta(seconds=2)


def attempt_timed_out(
    *, close_reason: str, deadline: datetime | None, submitted_at: datetime | None
) -> bool:
    """Whether an attempt ended because its time ran out.

    Closed at the time limit by the server, or submitted by the page's countdown at
    its deadline (recorded as a submission: it arrived within the grace period).
    """
    if close_reason == TIME_LIMIT:
        return True
    if deadline is None or submitted_at is None:
        return False
    return submitted_at >= deadline - TIMER_SUBMIT_EARLY


def minutes_left(*, deadline: datetime, now: datetime) -> int:
    """Whole minutes left before the deadline, rounded down; 0 once it has passed."""
    return max(int((deadline - now).total_seconds()) // 60, 0)
