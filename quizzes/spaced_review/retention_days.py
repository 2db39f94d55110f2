"""Writes for the stored retention figures: each trainee's day, recorded daily and after reviews.

`retention_days_record` is the daily job (`manage.py record_retention`, or the queued
task `retention_days_job`): for every trainee who holds review cards it computes the
figures of quizzes.spaced_review.retention (recall now, critical recall, the due reviews
and those done in time: `retention_by_trainee`, the same SQL aggregates) and upserts
that day's `TraineeRetention` row, one batch of trainees at a time (a keyset over the
cards' user ids, two aggregates and one `INSERT ... ON CONFLICT` per batch), so memory
stays flat whatever the number of trainees and running it again the same day updates
the rows. A trainee with no card gets no row (the reports show "—").

`retention_day_refresh` records one trainee's day when they finish a review session
(`services.review_session_finish` calls it), in three queries over that trainee's cards
only. Practice checks and submitted attempts rate cards too, but leave the day to the
night's job: they stay as cheap as before, and the reports say "as of" which day.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.utils import timezone
from django_tasks import task

from quizzes.models import ReviewCard
from quizzes.models import TraineeRetention as RetentionDay
from quizzes.spaced_review.retention import TraineeRetention, retention_by_trainee

# Trainees per batch: two aggregates over their cards and logs, then one upsert. At
# 10,000 trainees on PostgreSQL: 500 a batch 4.7 s and 1.4 MB, 1,000 3.9 s and 3 MB,
# 5,000 2.6 s and 14 MB over the process's resting memory.
RECORD_BATCH = 1000
_UPDATED = ["cards", "recall", "critical_recall", "reviews_due", "reviews_done", "computed_at"]


def _trainee_batches(*, user_ids: Iterable[int] | None, batch: int) -> Iterator[list[int]]:
    """The ids of trainees holding cards, `batch` at a time, in id order (one query each)."""
    cards = ReviewCard.objects.all()
    if user_ids is not None:
        cards = cards.filter(user_id__in=list(user_ids))
    last = 0
    while True:
        ids = list(
            cards.filter(user_id__gt=last)
            .order_by("user_id")
            .values_list("user_id", flat=True)
            .distinct()[:batch]
        )
        if ids:
            yield ids
        if len(ids) < batch:
            return
        last = ids[-1]


def _day(user_id: int, figures: TraineeRetention, *, on: date, now: datetime) -> RetentionDay:
    return RetentionDay(
        user_id=user_id,
        taken_on=on,
        cards=figures.cards,
        recall=figures.recall,
        critical_recall=figures.critical_recall,
        reviews_due=figures.reviews_due,
        # Every review done answers one that fell due (retention_sql.review_done_in_time);
        # capped all the same, so one odd log never fails the night's batch.
        reviews_done=min(figures.reviews_done, figures.reviews_due),
        computed_at=now,
    )


def _days_upsert(days: list[RetentionDay]) -> None:
    RetentionDay.objects.bulk_create(
        days, update_conflicts=True, unique_fields=["user", "taken_on"], update_fields=_UPDATED
    )


def retention_days_record(
    *,
    on: date | None = None,
    now: datetime | None = None,
    user_ids: Iterable[int] | None = None,
    batch: int = RECORD_BATCH,
) -> int:
    """Store the day `on` (default today) of every trainee holding cards; return the rows written.

    The figures are computed at `now` (default the clock); `user_ids` limits the run to
    those trainees. Each batch is one upsert, so a run stopped half-way has stored whole
    batches and a second run the same day updates the same rows.
    """
    now = now or timezone.now()
    on = on or timezone.localdate(now)
    written = 0
    for ids in _trainee_batches(user_ids=user_ids, batch=batch):
        figures = retention_by_trainee(users=ids, now=now)
        days = [
            _day(uid, found, on=on, now=now)
            for uid, found in sorted(figures.items())
            if found.cards
        ]
        if days:
            _days_upsert(days)
        written += len(days)
    return written


def retention_day_refresh(*, user_id: int, now: datetime | None = None) -> bool:
    """Store one trainee's day from their cards now (three queries); False if they hold none."""
    now = now or timezone.now()
    found = retention_by_trainee(users=[user_id], now=now).get(user_id)
    if found is None or not found.cards:
        return False
    _days_upsert([_day(user_id, found, on=timezone.localdate(now), now=now)])
    return True


def retention_days_trainees() -> int:
    """How many trainees hold review cards: the rows a run would write (one query)."""
    return ReviewCard.objects.values("user_id").distinct().count()


@task()
def retention_days_job() -> int:
    """The job: store today's retention figures of every trainee holding cards."""
    return retention_days_record()
