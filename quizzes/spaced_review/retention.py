"""Reads for the retention measure: predicted recall and due reviews done, per trainee and topic.

Every figure is aggregated in SQL from the cards' stored memory states
(quizzes.spaced_review.retention_sql), in a fixed number of queries whatever the number
of trainees or cards:

- **Recall** of a trainee: the mean of their cards' predicted recall now (the FSRS
  forgetting curve, `rules.retrievability`), each card once; per topic the same over
  the topic's cards. A trainee with no card has no recall (None: the pages show "—").
- **Critical recall**: the same mean over the cards of critical points only. The bank
  marks criticality per question (and so per point), not per topic, so a topic with
  one safety point and nine routine ones is judged on its safety point.
- **Reviews done in time**: of the reviews that fell due in the last RETENTION_WINDOW
  (each log's `due_after` from RETENTION_WINDOW ago up to REVIEW_GRACE ago, so that
  every one has had its grace), the share whose card was rated again (a review session
  or a practice check, early included) after that log and no later than its due moment
  plus REVIEW_GRACE. None when nothing fell due.
- **Flagged**: critical recall below the organisation's threshold
  (settings.RETENTION_THRESHOLD_PERCENT); a trainee with no critical card is never flagged.

Cohort figures weigh each trainee once: mean recall and critical recall are means of
the trainees' means, reviews done in time pools the cohort's due reviews.

The managers' reports read each trainee's latest stored day (`retention_stored`, the
`TraineeRetention` rows that quizzes.spaced_review.retention_days writes daily and after
the trainee's own reviews) instead of aggregating every card on each request; one
trainee's page (`trainee_retention`) and the educators' list stay live.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import (
    Avg,
    Count,
    F,
    FloatField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from quizzes.models import CohortMembership, Question, ReviewCard, ReviewLog
from quizzes.models import TraineeRetention as RetentionDay
from quizzes.spaced_review.retention_sql import card_recall, review_done_in_time

RETENTION_WINDOW = timedelta(days=90)
# A review counts as done in time up to a week after it fell due: the nudge e-mail goes
# at most weekly, so a trainee who answers the nudge is never late.
REVIEW_GRACE = timedelta(days=7)
# The educators' list is reused this long: recall moves by the day and a due review is
# judged a week after it fell due, while aggregating 600,000 cards costs seconds.
RETENTION_CACHE_SECONDS = 300
# The reports read the newest stored day and the day before it: a trainee's review stores
# today's day for them before the night's job stores everyone's.
STORED_RECENT_DAYS = timedelta(days=1)
FORGOTTEN_CACHE_KEY = "reports:forgotten:v1"
# Educators see this many points, and only points held by this many trainees, so one
# trainee's misses never name a point.
FORGOTTEN_LIST_LIMIT = 10
FORGOTTEN_MIN_TRAINEES = 3


def threshold_percent() -> int:
    """The critical recall below which a trainee is flagged, in percent."""
    return settings.RETENTION_THRESHOLD_PERCENT


def percent_floor(share: float | None) -> int | None:
    """A share (0..1) as a whole percent, rounded down: 79.6% shows 79, as the flag judges it."""
    return None if share is None else math.floor(share * 100 + 1e-9)


def recall_flagged(*, critical_recall: float | None, threshold: int) -> bool:
    """Whether a critical recall (0..1, or None for no critical card) is below `threshold` %."""
    # Judged on the whole percent the pages show, so "80%" is never flagged below 80%.
    return critical_recall is not None and percent_floor(critical_recall) < threshold


class _RecallPercents:
    """The whole percents the pages show, of a figure's `recall` and `critical_recall`."""

    recall: float | None
    critical_recall: float | None

    @property
    def recall_percent(self) -> int | None:
        return percent_floor(self.recall)

    @property
    def critical_recall_percent(self) -> int | None:
        return percent_floor(self.critical_recall)


class _ReviewsDone:
    """The share of due reviews done in time, of a figure's `reviews_due` and `reviews_done`."""

    reviews_due: int
    reviews_done: int

    @property
    def done_share(self) -> float | None:
        """Of the reviews that fell due in the window, the share done in time."""
        return self.reviews_done / self.reviews_due if self.reviews_due else None

    @property
    def reviews_done_percent(self) -> int | None:
        return percent_floor(self.done_share)


@dataclass(frozen=True)
class TraineeRetention(_RecallPercents, _ReviewsDone):
    cards: int = 0
    recall: float | None = None
    critical_cards: int = 0  # counted live only: a stored day keeps no such count
    critical_recall: float | None = None
    reviews_due: int = 0
    reviews_done: int = 0
    taken_on: date | None = None  # the stored day the figures come from; None when live

    def flagged(self, threshold: int) -> bool:
        return recall_flagged(critical_recall=self.critical_recall, threshold=threshold)


NO_RETENTION = TraineeRetention()


def _user_filter(users: QuerySet | Iterable[int], field: str) -> Q:
    """A filter on `field` by users given as a users queryset, a one-column subquery or ids."""
    if isinstance(users, QuerySet):
        if users.model is get_user_model():
            users = users.values("pk")
    else:
        users = list(users)
    return Q(**{f"{field}__in": users})


def retention_by_trainee(
    *, users: QuerySet | Iterable[int], now: datetime | None = None
) -> dict[int, TraineeRetention]:
    """Each trainee's recall, critical recall and reviews done in time (two queries).

    `users` is a queryset of users (read as a subquery) or user ids; trainees with no
    card and no due review are left out (NO_RETENTION).
    """
    now = now or timezone.now()
    recall = card_recall(at=now)
    cards = (
        ReviewCard.objects.filter(_user_filter(users, "user_id"))
        .values("user_id")
        .annotate(
            cards=Count("id"),
            recall=Avg(recall),
            critical_cards=Count("id", filter=Q(critical=True)),
            critical_recall=Avg(recall, filter=Q(critical=True)),
        )
        .order_by()
    )
    found: dict[int, dict] = {
        row["user_id"]: {k: v for k, v in row.items() if k != "user_id"} for row in cards
    }
    due_from, due_to = now - RETENTION_WINDOW, now - REVIEW_GRACE
    due = Q(due_after__gte=due_from, due_after__lte=due_to)
    done = review_done_in_time(due_from=due_from, due_to=due_to, grace=REVIEW_GRACE)
    # One pass over the logs: a log counts as a due review by its due_after, and as the
    # in-time answer to one by its due_before (retention_sql.review_done_in_time).
    logs = (
        ReviewLog.objects.filter(_user_filter(users, "card__user_id"), due | done)
        .values(user_id=F("card__user_id"))
        .annotate(reviews_due=Count("id", filter=due), reviews_done=Count("id", filter=done))
        .order_by()
    )
    for row in logs:
        found.setdefault(row["user_id"], {}).update(
            reviews_due=row["reviews_due"], reviews_done=row["reviews_done"]
        )
    return {uid: TraineeRetention(**values) for uid, values in found.items()}


@dataclass(frozen=True)
class TopicRetention(_RecallPercents):
    topic_id: int
    topic_title: str
    cards: int
    recall: float
    critical_cards: int
    critical_recall: float | None


def retention_by_topic(*, user_id: int, now: datetime | None = None) -> list[TopicRetention]:
    """One trainee's recall per topic, weakest first (one query)."""
    now = now or timezone.now()
    recall = card_recall(at=now)
    rows = (
        ReviewCard.objects.filter(user_id=user_id)
        .values("topic_id", "topic__title")
        .annotate(
            cards=Count("id"),
            recall=Avg(recall),
            critical_cards=Count("id", filter=Q(critical=True)),
            critical_recall=Avg(recall, filter=Q(critical=True)),
        )
        .order_by("recall", "topic__title", "topic_id")
    )
    return [
        TopicRetention(
            topic_id=row["topic_id"],
            topic_title=row["topic__title"],
            cards=row["cards"],
            recall=row["recall"],
            critical_cards=row["critical_cards"],
            critical_recall=row["critical_recall"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class TraineeRetentionDetail:
    overall: TraineeRetention
    topics: list[TopicRetention]
    flagged: bool
    threshold: int


def trainee_retention(*, user_id: int, now: datetime | None = None) -> TraineeRetentionDetail:
    """One trainee's retention, overall and per topic (three queries)."""
    now = now or timezone.now()
    overall = retention_by_trainee(users=[user_id], now=now).get(user_id, NO_RETENTION)
    threshold = threshold_percent()
    return TraineeRetentionDetail(
        overall=overall,
        topics=retention_by_topic(user_id=user_id, now=now),
        flagged=overall.flagged(threshold),
        threshold=threshold,
    )


_STORED_FIELDS = (
    "user_id",
    "taken_on",
    "cards",
    "recall",
    "critical_recall",
    "reviews_due",
    "reviews_done",
)


def _stored(rows) -> dict[int, TraineeRetention]:
    """Stored days as figures by trainee; a later day of a trainee replaces an earlier one."""
    found = {}
    for uid, taken_on, cards, recall, critical, due, done in rows:
        before = found.get(uid)
        if before is None or before.taken_on < taken_on:
            found[uid] = TraineeRetention(
                cards=cards,
                recall=recall,
                critical_recall=critical,
                reviews_due=due,
                reviews_done=done,
                taken_on=taken_on,
            )
    return found


def retention_stored(*, users: QuerySet | Iterable[int]) -> dict[int, TraineeRetention]:
    """Each trainee's latest stored day (three queries, four when some are older); none: left out.

    `users` as for retention_by_trainee. The daily job stores every trainee's day, and a
    trainee's reviews store theirs again (today's, perhaps before the night's job), so
    the newest day stored and the one before (STORED_RECENT_DAYS) are read by the
    (day, user) index: a trainee's latest day is there unless the job has not run for
    longer. Those others are each found by one look-up on the (user, day) index, so a
    trainee's history is never read.
    """
    newest = RetentionDay.objects.aggregate(day=Max("taken_on"))["day"]
    if newest is None:
        return {}
    since = newest - STORED_RECENT_DAYS
    recent = RetentionDay.objects.filter(taken_on__gte=since)
    found = _stored(
        recent.filter(_user_filter(users, "user_id")).values_list(*_STORED_FIELDS).order_by()
    )
    latest = (
        RetentionDay.objects.filter(user_id=OuterRef("pk")).order_by("-taken_on").values("pk")[:1]
    )
    older = list(
        get_user_model()
        .objects.filter(_user_filter(users, "pk"))
        .exclude(pk__in=recent.values("user_id"))
        .annotate(latest=Subquery(latest))
        .filter(latest__isnull=False)
        .values_list("latest", flat=True)
    )
    if older:
        found.update(
            _stored(RetentionDay.objects.filter(pk__in=older).values_list(*_STORED_FIELDS))
        )
    return found


def retention_as_of(trainees: Iterable[TraineeRetention]) -> date | None:
    """The newest stored day among these figures (None if none is stored)."""
    return max((t.taken_on for t in trainees if t.taken_on is not None), default=None)


@dataclass(frozen=True)
class RetentionSnapshot:
    """Every trainee's retention in a manager's cohorts: their latest stored days."""

    as_of: date | None  # the newest stored day read; None when none is stored
    members: tuple[tuple[int, int], ...]  # (user id, cohort id)
    trainees: dict[int, TraineeRetention]


def _members(cohort_ids: list[int]):
    return CohortMembership.objects.filter(cohort_id__in=cohort_ids)


def retention_in_cohorts(
    *,
    cohort_ids: Iterable[int],
    members: tuple[tuple[int, int], ...] | None = None,
) -> RetentionSnapshot:
    """Each member's latest stored day in the cohorts (retention_stored, and their members).

    `members`, the cohorts' (user id, cohort id) pairs when the caller has read them,
    saves a query. Nothing is cached: the stored days are a few indexed reads, so a
    trainee's refreshed day shows at once.
    """
    ids = sorted(set(cohort_ids))
    if members is None:
        members = tuple(_members(ids).values_list("user_id", "cohort_id").order_by())
    trainees = retention_stored(users=_members(ids).values("user_id")) if ids else {}
    return RetentionSnapshot(
        as_of=retention_as_of(trainees.values()), members=members, trainees=trainees
    )


@dataclass(frozen=True)
class CohortRetention(_RecallPercents, _ReviewsDone):
    trainees: int  # members
    with_cards: int
    recall: float | None
    critical_recall: float | None
    reviews_due: int
    reviews_done: int
    flagged: int


NO_COHORT_RETENTION = CohortRetention(
    trainees=0,
    with_cards=0,
    recall=None,
    critical_recall=None,
    reviews_due=0,
    reviews_done=0,
    flagged=0,
)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def cohort_retention(*, snapshot: RetentionSnapshot, threshold: int) -> dict[int, CohortRetention]:
    """Per cohort: mean recall and critical recall over its trainees, reviews done, flagged."""
    by_cohort: dict[int, list[int]] = defaultdict(list)
    for uid, cid in snapshot.members:
        by_cohort[cid].append(uid)
    result = {}
    for cid, uids in by_cohort.items():
        found = [snapshot.trainees.get(uid, NO_RETENTION) for uid in uids]
        result[cid] = CohortRetention(
            trainees=len(uids),
            with_cards=sum(1 for t in found if t.cards),
            recall=_mean([t.recall for t in found if t.recall is not None]),
            critical_recall=_mean(
                [t.critical_recall for t in found if t.critical_recall is not None]
            ),
            reviews_due=sum(t.reviews_due for t in found),
            reviews_done=sum(t.reviews_done for t in found),
            flagged=sum(1 for t in found if t.flagged(threshold)),
        )
    return result


@dataclass(frozen=True)
class ForgottenPoint:
    point: str
    question_id: int
    prompt: str
    topic_title: str
    critical: bool
    trainees: int
    mean_stability: float
    lapse_rate: float | None  # lapses per review, None before any review counted
    recall: float

    @property
    def recall_percent(self) -> int | None:
        return percent_floor(self.recall)


def points_forgotten_fastest(
    *,
    limit: int = FORGOTTEN_LIST_LIMIT,
    min_trainees: int = FORGOTTEN_MIN_TRAINEES,
    now: datetime | None = None,
) -> list[ForgottenPoint]:
    """The points with the lowest mean stability across trainees, then most lapses (two queries).

    Stability is the days until recall falls to 90%: the lower, the faster forgotten.
    The lapse rate is the points' lapses (forgotten after being learnt) per review.
    Without `now` the list is cached for RETENTION_CACHE_SECONDS.
    """
    key = f"{FORGOTTEN_CACHE_KEY}:{limit}:{min_trainees}" if now is None else None
    if key is not None and (cached := cache.get(key)) is not None:
        return cached
    now = now or timezone.now()
    rows = list(
        ReviewCard.objects.filter(stability__isnull=False)
        .values("point")
        .annotate(
            # One card per trainee and point (a unique constraint): cards are trainees.
            trainees=Count("id"),
            mean_stability=Avg("stability"),
            lapse_rate=Cast(Sum("lapses"), FloatField())
            / NullIf(Cast(Sum("reps"), FloatField()), Value(0.0)),
            recall=Avg(card_recall(at=now)),
            question_id=Min("question_id"),
            critical=Coalesce(Count("id", filter=Q(critical=True)), 0),
        )
        .filter(trainees__gte=min_trainees)
        .order_by("mean_stability", F("lapse_rate").desc(nulls_last=True), "point")[:limit]
    )
    questions = {
        q["pk"]: q
        for q in Question.objects.filter(pk__in=[r["question_id"] for r in rows]).values(
            "pk", "prompt", "topic__title"
        )
    }
    points = []
    for row in rows:
        question = questions.get(row["question_id"], {})
        points.append(
            ForgottenPoint(
                point=row["point"],
                question_id=row["question_id"],
                prompt=question.get("prompt", ""),
                topic_title=question.get("topic__title", ""),
                critical=row["critical"] > 0,
                trainees=row["trainees"],
                mean_stability=row["mean_stability"],
                lapse_rate=row["lapse_rate"],
                recall=row["recall"],
            )
        )
    if key is not None:
        cache.set(key, points, timeout=RETENTION_CACHE_SECONDS)
    return points
