"""The scheduler: FSRS memory states, the critical cap, a point's key, a session's size.

Pure: plain data in, a frozen MemoryState out. The `fsrs` package computes the next
stability, difficulty and due date; this module fixes its settings so the schedule is
reproducible (no fuzzing, no minute-long learning steps) and caps the interval of
critical points. The card's stored state is what later retention figures aggregate in
SQL: `retrievability` is the formula they must use.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from fsrs import Card, Rating, Scheduler, State

DESIRED_RETENTION = 0.9
# FSRS-6's forgetting curve: R(t) = (1 + FACTOR * t / S) ** -DECAY, with t in whole days.
DECAY = 0.1542
FACTOR = 0.9 ** (1 / -DECAY) - 1
SESSION_MAX_MINUTES = 10
# A missed point is due again this soon, however well it was known before.
MISS_STEP = timedelta(days=1)
POINT_GROUP = "group:"
POINT_QUESTION = "question:"

STATE_LEARNING = int(State.Learning)
STATE_REVIEW = int(State.Review)
STATE_RELEARNING = int(State.Relearning)
RATING_AGAIN = int(Rating.Again)
RATING_GOOD = int(Rating.Good)


@dataclass(frozen=True)
class MemoryState:
    """A card's memory: what FSRS needs to schedule the next review, as stored."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None


@cache
def _scheduler(maximum_interval: int) -> Scheduler:
    # FSRS's default steps are minutes apart, for flash cards drilled in one sitting; a
    # trainee meets a point once in a round, so a miss comes back the next day instead.
    return Scheduler(
        desired_retention=DESIRED_RETENTION,
        learning_steps=(MISS_STEP,),
        relearning_steps=(MISS_STEP,),
        maximum_interval=maximum_interval,
        enable_fuzzing=False,
    )


def maximum_interval(*, critical: bool, normal_days: int, critical_days: int) -> int:
    """The longest a point may wait: the critical cap for a safety point, never more than normal."""
    return min(critical_days, normal_days) if critical else normal_days


def rating_for(*, correct: bool) -> int:
    """Right is Good, wrong (or partly right) is Again: the only two signals an answer gives."""
    return RATING_GOOD if correct else RATING_AGAIN


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def memory_review(
    *,
    memory: MemoryState | None,
    rating: int,
    at: datetime,
    critical: bool,
    normal_days: int,
    critical_days: int,
) -> MemoryState:
    """The memory after one review at `at`; None for a point met for the first time."""
    if memory is None:
        card = Card(card_id=0, due=_utc(at))
    else:
        card = Card(
            card_id=0,
            state=State(memory.state),
            step=memory.step,
            stability=memory.stability,
            difficulty=memory.difficulty,
            due=_utc(memory.due),
            last_review=_utc(memory.last_review) if memory.last_review else None,
        )
    scheduler = _scheduler(
        maximum_interval(critical=critical, normal_days=normal_days, critical_days=critical_days)
    )
    card, _log = scheduler.review_card(card, Rating(rating), review_datetime=_utc(at))
    return MemoryState(
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def retrievability(*, stability: float | None, last_review: datetime | None, at: datetime) -> float:
    """The predicted chance of recalling the point at `at` (0 for a card never reviewed)."""
    if stability is None or last_review is None:
        return 0.0
    elapsed_days = max(0, (at - last_review).days)
    return (1 + FACTOR * elapsed_days / stability) ** -DECAY


def point_key(*, question_id: int, variant_group: str) -> str:
    """What one card remembers: a variant group (any of its questions), else one question."""
    if variant_group:
        return f"{POINT_GROUP}{variant_group}"
    return f"{POINT_QUESTION}{question_id}"


def session_size(*, due: int, items: int) -> int:
    """How many cards a session holds: the due ones, at most `items`."""
    return max(0, min(due, items))


def session_deadline(*, start: datetime, minutes: int) -> datetime:
    """When a session closes: `minutes` after the start, never more than SESSION_MAX_MINUTES."""
    return start + timedelta(minutes=max(1, min(minutes, SESSION_MAX_MINUTES)))


def variant_pick(*, candidates: Sequence[int], last_shown: int, rng: random.Random) -> int | None:
    """Another variant of the point than the one shown last, where one exists."""
    if not candidates:
        return None
    others = [candidate for candidate in candidates if candidate != last_shown]
    return rng.choice(others) if others else candidates[0]
