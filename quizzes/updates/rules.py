"""Renewal that follows what changed: the rules of an update, plain data in, no database.

A material change (a lesson, an exam item or a practical checklist its educator marks as
material) is recorded as the next version of every published program that depends on
it. Each certificate of the program that was valid at the change, and stays valid past
the program's window, is asked for the update:

- **Due** ``window_days`` after the change (`update_due_at`). Until the update is done the
  certificate's expiry is brought forward to that moment (`expiry_with_updates`): not
  done by then, the certificate expires early, and every reader of the expiry (status,
  verification, reports, the API) says so without knowing about updates. A certificate
  that expires before the update would fall due is not asked: its renewal covers the
  change (a renewal re-reads changed lessons and passes the quizzes again).
- **The delta path**: re-read each changed lesson after the change, be observed competent
  again on each changed checklist after the change, and pass the update quiz (drawn from
  the changed points) started after the change, if the changed items gave it questions.
  `update_is_done` says whether the facts complete one update; completing it gives the
  certificate back the expiry it had (or the earliest due of another update still open).
- **The update quiz**: one question per changed point (a variant group, else a question),
  critical points first, at most the program's ``update_quiz_questions``
  (`update_points_pick`).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# A reminder goes when the update is asked, and again this many days before it is due.
UPDATE_DUE_SOON_DAYS = 14


def update_due_at(*, changed_at: datetime, window_days: int) -> datetime:
    """When an update of a change made at `changed_at` falls due."""
    return changed_at + timedelta(days=window_days)


def update_applies(*, expires_at: datetime | None, changed_at: datetime, due_at: datetime) -> bool:
    """Whether a valid certificate is asked for an update: its own expiry falls after the due.

    `expires_at` is the expiry from its validity (before any update brought it forward);
    revoked and lapsed certificates are never looked at.
    """
    return expires_at is None or expires_at > max(due_at, changed_at)


def expiry_with_updates(
    *, expires_at: datetime | None, pending_dues: Iterable[datetime]
) -> datetime | None:
    """The certificate's expiry while these updates are open: the earliest of them all."""
    moments = [moment for moment in pending_dues if moment is not None]
    if expires_at is not None:
        moments.append(expires_at)
    return min(moments) if moments else None


@dataclass(frozen=True)
class UpdateFacts:
    """One update asked of a trainee's certificate: what it asks, and by when."""

    program_id: int
    changed_at: datetime
    due_at: datetime
    lesson_ids: frozenset[int] = frozenset()
    checklist_ids: frozenset[int] = frozenset()
    needs_quiz: bool = False


@dataclass(frozen=True)
class TraineeActivity:
    """What a trainee did that an update may count: the latest moment of each."""

    lessons_read_at: Mapping[int, datetime]
    checklists_observed_at: Mapping[int, Sequence[datetime]]
    checklists_required: Mapping[int, int]
    # Per program: when each passed update quiz of the program was started.
    update_quizzes_passed: Mapping[int, Sequence[datetime]]


def lesson_reread(*, update: UpdateFacts, activity: TraineeActivity, lesson_id: int) -> bool:
    read_at = activity.lessons_read_at.get(lesson_id)
    return read_at is not None and read_at >= update.changed_at


def checklist_observed_again(
    *, update: UpdateFacts, activity: TraineeActivity, checklist_id: int
) -> bool:
    moments = activity.checklists_observed_at.get(checklist_id, ())
    since = [moment for moment in moments if moment >= update.changed_at]
    return len(since) >= max(activity.checklists_required.get(checklist_id, 1), 1)


def update_quiz_passed(*, update: UpdateFacts, activity: TraineeActivity) -> bool:
    """A passed update quiz started after the change (its paper held the change's points)."""
    passed = activity.update_quizzes_passed.get(update.program_id, ())
    return any(started >= update.changed_at for started in passed)


def update_is_done(*, update: UpdateFacts, activity: TraineeActivity, now: datetime) -> bool:
    """Whether the trainee completed this update in time (past its due, nothing completes it)."""
    if now > update.due_at:
        return False
    if update.needs_quiz and not update_quiz_passed(update=update, activity=activity):
        return False
    lessons = all(
        lesson_reread(update=update, activity=activity, lesson_id=lesson_id)
        for lesson_id in update.lesson_ids
    )
    checklists = all(
        checklist_observed_again(update=update, activity=activity, checklist_id=checklist_id)
        for checklist_id in update.checklist_ids
    )
    return lessons and checklists


@dataclass(frozen=True)
class Candidate:
    """A question the update quiz may ask, and the point it tests."""

    question_id: int
    point: str
    critical: bool = False


def update_points_pick(
    *, candidates: Sequence[Candidate], size: int, rng: random.Random
) -> list[int]:
    """One question per point, critical points first, at most `size`; ids in asking order."""
    by_point: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        by_point.setdefault(candidate.point, []).append(candidate)
    points = list(by_point)
    rng.shuffle(points)
    points.sort(key=lambda point: not any(c.critical for c in by_point[point]))
    return [rng.choice(by_point[point]).question_id for point in points[: max(size, 0)]]
