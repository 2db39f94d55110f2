"""Reads for spaced review: the count due, the review page, one session, its summary.

The due list is the trainee's cards with `due` up to now: one query on the (user, due)
index. A session is reached through one helper, `review_session_or_404`: the signed-in
trainee's own, closed first if its time ran out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q
from django.http import Http404
from django.utils import timezone

from quizzes import services as engine
from quizzes.models import Attempt, AttemptAnswer, ReviewCard, ReviewPreference
from quizzes.spaced_review.rules import point_key

SESSION_NOT_FOUND = "No such review session."


def review_due_count(*, user, now: datetime | None = None) -> int:
    """How many of the trainee's points are due for review now (one indexed query)."""
    now = now or timezone.now()
    return ReviewCard.objects.filter(user=user, due__lte=now).count()


@dataclass(frozen=True)
class ReviewHome:
    due_count: int
    card_count: int
    next_due: datetime | None  # the earliest card not yet due
    open_session: Attempt | None
    nudges: bool


def review_home(*, user, now: datetime | None = None) -> ReviewHome:
    """The review page: what is due, the session to resume, the nudge setting (three queries)."""
    now = now or timezone.now()
    counts = ReviewCard.objects.filter(user=user).aggregate(
        due_now=Count("id", filter=Q(due__lte=now)),
        total=Count("id"),
        due_next=Min("due", filter=Q(due__gt=now)),
    )
    open_session = (
        Attempt.objects.filter(user=user, kind=Attempt.Kind.REVIEW, state=Attempt.State.IN_PROGRESS)
        .only("id", "uuid", "kind", "state", "deadline", "started_at")
        .first()
    )
    nudges = ReviewPreference.objects.filter(user=user).values_list("nudges", flat=True).first()
    return ReviewHome(
        due_count=counts["due_now"],
        card_count=counts["total"],
        next_due=counts["due_next"],
        open_session=open_session,
        nudges=True if nudges is None else nudges,
    )


def review_session_or_404(*, user, uuid) -> tuple[Attempt, bool]:
    """The user's own review session and whether it closed now at its time limit; else 404."""
    attempt = (
        Attempt.objects.select_related("quiz")
        .filter(user=user, uuid=uuid, kind=Attempt.Kind.REVIEW)
        .first()
    )
    if attempt is None:
        raise Http404(SESSION_NOT_FOUND)
    closed = engine.attempt_close_if_expired(attempt=attempt)
    return attempt, closed


@dataclass(frozen=True)
class StrengthenedPoint:
    number: int
    prompt: str
    topic_title: str
    critical: bool
    checked: bool
    correct: bool
    next_due: datetime | None


@dataclass(frozen=True)
class ReviewSummary:
    attempt: Attempt
    points: tuple[StrengthenedPoint, ...]

    @property
    def checked_count(self) -> int:
        return sum(1 for point in self.points if point.checked)

    @property
    def correct_count(self) -> int:
        return sum(1 for point in self.points if point.correct)


def review_summary(*, attempt: Attempt) -> ReviewSummary:
    """Each point of a finished session: right or not, and when it is due next (two queries)."""
    answers = {
        question_id: (checked_at, is_correct)
        for question_id, checked_at, is_correct in AttemptAnswer.objects.filter(
            attempt=attempt
        ).values_list("question_id", "checked_at", "is_correct")
    }
    entries = attempt.paper.get("questions", [])
    keys = [
        point_key(question_id=q["id"], variant_group=q.get("variant_group", "")) for q in entries
    ]
    due = dict(
        ReviewCard.objects.filter(user_id=attempt.user_id, point__in=keys).values_list(
            "point", "due"
        )
    )
    points = []
    for number, (entry, key) in enumerate(zip(entries, keys, strict=True), start=1):
        checked_at, is_correct = answers.get(entry["id"], (None, None))
        points.append(
            StrengthenedPoint(
                number=number,
                prompt=entry["prompt"],
                topic_title=entry.get("topic_title", ""),
                critical=bool(entry.get("critical")),
                checked=checked_at is not None,
                correct=bool(is_correct),
                next_due=due.get(key),
            )
        )
    return ReviewSummary(attempt=attempt, points=tuple(points))
