"""Builders for renewal by review: a program that offers it, and trainees' stored retention days."""

from datetime import UTC, date, datetime, time, timedelta

from quizzes.models import Bank, Program, TraineeRetention
from tests.builders.bank import make_question, make_quiz
from tests.builders.certification import make_program


def make_review_program(*, slug="renewable", lessons=1, quizzes=2, **fields) -> Program:
    """A published program offering renewal by review, with a published exam renewal quiz."""
    program = make_program(slug=slug, lessons=lessons, quizzes=quizzes, **fields)
    question = make_question(f"{slug}-renewal-1", bank=Bank.EXAM)
    program.renewal_quiz = make_quiz(questions=[question], slug=f"{slug}-renewal", bank=Bank.EXAM)
    program.renewal_quiz.title = f"Short renewal of {slug}"
    program.renewal_quiz.save(update_fields=["title"])
    program.renewal_by_review = True
    program.save(update_fields=["renewal_quiz", "renewal_by_review"])
    return program


def retention_days(
    user,
    *,
    first_on: date,
    last_on: date,
    critical_recall: float | None = 0.9,
    skip=(),
    dips: dict[date, float | None] | None = None,
) -> int:
    """Store one retention row per day from `first_on` to `last_on`, both included.

    Every day has `critical_recall` but the days in `dips` (their own value) and the days
    in `skip` (no row at all). Returns the number of rows stored.
    """
    dips = dips or {}
    rows = []
    day = first_on
    while day <= last_on:
        if day not in skip:
            critical = dips.get(day, critical_recall)
            rows.append(
                TraineeRetention(
                    user=user,
                    taken_on=day,
                    cards=10,
                    recall=0.9,
                    critical_recall=critical,
                    computed_at=datetime.combine(day, time(3, 0), tzinfo=UTC),
                )
            )
        day += timedelta(days=1)
    TraineeRetention.objects.bulk_create(rows)
    return len(rows)
