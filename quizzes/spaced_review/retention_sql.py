"""The retention formulas as SQL expressions: a card's recall now, a due review done in time.

`card_recall` is quizzes.spaced_review.rules.retrievability stated as one expression,
the same on PostgreSQL and SQLite: (1 + FACTOR * t / S) ** -DECAY with t the whole
days since the last review (at least 0), and 0 for a card never reviewed. Django's
`Power` is POWER on both (SQLite's own pow, or the function Django registers where the
build lacks it); only the whole days differ, since the two backends subtract moments
differently. tests/review/retention_cases.py is one table of cases that both the pure
formula and this expression are run against.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import (
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Power

from quizzes.spaced_review.rules import DECAY, FACTOR

MICROSECONDS_PER_DAY = 86_400_000_000
SECONDS_PER_DAY = 86_400


class WholeDays(Func):
    """The whole days of a duration, rounded down, as Python's timedelta.days."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django's SQLite backend subtracts two moments into whole microseconds.
        return self.as_sql(
            compiler,
            connection,
            template=f"((%(expressions)s) / {MICROSECONDS_PER_DAY})",
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template=f"FLOOR(EXTRACT(EPOCH FROM (%(expressions)s)) / {SECONDS_PER_DAY})",
            **extra_context,
        )


def elapsed_days(*, since: str, at: datetime) -> Greatest:
    """Whole days from the field `since` to `at`, never below 0."""
    gap = ExpressionWrapper(
        Value(at, output_field=DateTimeField()) - F(since), output_field=DurationField()
    )
    return Greatest(Value(0), WholeDays(gap))


def card_recall(*, at: datetime, prefix: str = "") -> Coalesce:
    """A card's predicted recall at `at` from its stored stability and last review."""
    days = Cast(elapsed_days(since=f"{prefix}last_review", at=at), FloatField())
    curve = Power(
        Value(1.0) + Value(FACTOR) * days / F(f"{prefix}stability"),
        Value(-DECAY),
        output_field=FloatField(),
    )
    return Coalesce(curve, Value(0.0), output_field=FloatField())


def review_done_in_time(*, due_from: datetime, due_to: datetime, grace: timedelta) -> Q:
    """Whether the log is the in-time answer to a review that fell due from `due_from` to `due_to`.

    A due review is a log L whose `due_after` falls in the window; it was done in time
    when the card was rated again after L and no later than L.due_after + `grace`. The
    first rating after L is the card's next log N, and N.due_before is L.due_after (the
    card's due moment only changes with a rating), so each due review done in time is
    exactly one log N with due_before in the window and reviewed_at <= due_before +
    grace: a filter on N's own row, counted in the same scan as the due reviews, with no
    lookup of another log. A card's first log (due_before empty) answers no review.
    """
    return Q(
        due_before__gte=due_from,
        due_before__lte=due_to,
        reviewed_at__lte=ExpressionWrapper(
            F("due_before") + Value(grace), output_field=DateTimeField()
        ),
    )
