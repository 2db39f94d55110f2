"""Stored retention days for the load data set: today's for every trainee, six months for some.

Today's rows are the real figures, recorded by the daily job's own service
(quizzes.spaced_review.retention_days) from the trainees' generated cards. The days
before cannot be computed again (a card keeps only its latest memory state), so for
one trainee in HISTORY_EVERY the generator writes the HISTORY_DAYS days before today,
drawn around today's figures from a random stream of its own: most wobble a little
around them, and one in DIP_EVERY of those spends a stretch of DIP_DAYS well below
(critical recall down by DIP_DROP), so that renewal by review meets trainees who kept
above the threshold throughout and trainees who did not.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from quizzes.models import TraineeRetention
from quizzes.spaced_review.retention_days import retention_days_record

HISTORY_DAYS = 183
HISTORY_EVERY = 5  # one trainee in five has six months of stored days
DIP_EVERY = 4  # of those, one in four dips below for a while
DIP_DAYS = 21
DIP_DROP = 0.3
WOBBLE = 0.02


def _share(value: float | None, shift: float) -> float | None:
    return None if value is None else min(1.0, max(0.0, value + shift))


def retention_days_write(*, user_ids: list[int], rng: random.Random, now: datetime) -> int:
    """Record today's days of `user_ids`, then the history of some; return the rows written."""
    today = timezone.localdate(now)
    written = retention_days_record(on=today, now=now, user_ids=user_ids)
    chosen = [uid for uid in user_ids if rng.randrange(HISTORY_EVERY) == 0]
    rows = []
    for day in TraineeRetention.objects.filter(user_id__in=chosen, taken_on=today).order_by(
        "user_id"
    ):
        dip_from = rng.randrange(1, HISTORY_DAYS - DIP_DAYS) if rng.randrange(DIP_EVERY) == 0 else 0
        for back in range(1, HISTORY_DAYS + 1):
            wobble = rng.uniform(-WOBBLE, WOBBLE)
            dipping = dip_from and dip_from <= back < dip_from + DIP_DAYS
            rows.append(
                TraineeRetention(
                    user_id=day.user_id,
                    taken_on=today - timedelta(days=back),
                    cards=day.cards,
                    recall=_share(day.recall, wobble),
                    critical_recall=_share(
                        day.critical_recall, wobble - (DIP_DROP if dipping else 0.0)
                    ),
                    reviews_due=day.reviews_due,
                    reviews_done=day.reviews_done,
                    computed_at=now - timedelta(days=back),
                )
            )
    TraineeRetention.objects.bulk_create(rows, batch_size=5000)
    return written + len(rows)
