"""Review cards for the load data set: each trainee holds cards with spread-out memory states.

A card per trainee and practice point (the site's own practice points first, then
generated `load-review-` questions until there are enough), its stored memory state
drawn at random (stability from a day to a few months, due one stability later,
critical points capped at 30 days; three trainees in four keep up, their last review
within two intervals, the rest last reviewed any time in the last four months), and two
review logs: the review before the last (due around the last one, so that some were
done in time and some late) and the last one, whose due_before is the first one's due
moment. Cards are bulk inserted; logs are
written with executemany, as attempt answers are.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection

from lessons.models import Topic
from quizzes.models import Bank, Choice, Question, ReviewCard
from quizzes.spaced_review.rules import point_key

PREFIX = "load-review-"
REVIEW_TOPICS = 4
CRITICAL_EVERY = 5  # one generated point in five is critical
CRITICAL_MAX_DAYS = 30
HISTORY_DAYS = 120
KEEPING_UP = 0.75  # the share of trainees who do their reviews


@dataclass(frozen=True)
class PointSpec:
    point: str
    question_id: int
    topic_id: int
    critical: bool


def review_points(*, count: int) -> list[PointSpec]:
    """`count` practice points: the site's own first, then generated questions (created once)."""
    points: dict[str, PointSpec] = {}
    for pk, group, topic_id, critical in (
        Question.objects.active()
        .filter(bank=Bank.PRACTICE)
        .order_by("id")
        .values_list("id", "variant_group", "topic_id", "critical")
    ):
        key = point_key(question_id=pk, variant_group=group)
        points.setdefault(key, PointSpec(key, pk, topic_id, critical))
        if len(points) >= count:
            return list(points.values())
    topics = [
        Topic.objects.get_or_create(
            slug=f"{PREFIX}topic-{k}", defaults={"title": f"Load review topic {k}", "order": 99}
        )[0]
        for k in range(1, REVIEW_TOPICS + 1)
    ]
    for i in range(count - len(points)):
        critical = i % CRITICAL_EVERY == 0
        question, created = Question.objects.get_or_create(
            key=f"{PREFIX}q-{i:03d}",
            defaults={
                "prompt": f"Load review question {i}?",
                "topic": topics[i % REVIEW_TOPICS],
                "bank": Bank.PRACTICE,
                "critical": critical,
            },
        )
        if created:
            Choice.objects.bulk_create(
                Choice(question=question, text=f"Choice {k}", is_correct=k == 0, order=k)
                for k in range(4)
            )
        key = point_key(question_id=question.pk, variant_group=question.variant_group)
        points.setdefault(key, PointSpec(key, question.pk, question.topic_id, question.critical))
    return list(points.values())


def review_cards_write(
    *, user_ids: list[int], points: list[PointSpec], rng: random.Random, now: datetime
) -> tuple[int, int]:
    """Write every trainee's cards and two logs per card; return (cards, logs)."""
    cards = []
    history = []
    for user_id in user_ids:
        keeps_up = rng.random() < KEEPING_UP
        for spec in points:
            stability = round(rng.lognormvariate(2.3, 1.0), 3)  # median 10 days
            interval = min(stability, CRITICAL_MAX_DAYS) if spec.critical else stability
            lag = rng.uniform(0, min(2 * interval, HISTORY_DAYS) if keeps_up else HISTORY_DAYS)
            last_review = now - timedelta(days=lag)
            reps = rng.randint(2, 9)
            # The review before the last fell due around it: early, on time or late.
            previous_due = last_review + timedelta(days=rng.uniform(-10, 15))
            previous = last_review - timedelta(days=max(1.0, interval / 2))
            history.append((previous, previous_due))
            cards.append(
                ReviewCard(
                    user_id=user_id,
                    point=spec.point,
                    question_id=spec.question_id,
                    topic_id=spec.topic_id,
                    critical=spec.critical,
                    state=ReviewCard.State.REVIEW,
                    stability=stability,
                    difficulty=round(rng.uniform(2, 9), 3),
                    due=last_review + timedelta(days=max(1.0, interval)),
                    last_review=last_review,
                    reps=reps,
                    lapses=min(reps - 1, int(rng.expovariate(1.5))),
                )
            )
    created = ReviewCard.objects.bulk_create(cards, batch_size=2000)
    adapt = connection.ops.adapt_datetimefield_value
    rows = []
    for card, (previous, previous_due) in zip(created, history, strict=True):
        # The earlier log is the first one stored for the card: no due moment before it.
        rows.append(
            (card.pk, 3, "review", card.question_id, adapt(previous), None, adapt(previous_due))
        )
        rows.append(
            (
                card.pk,
                3,
                "review",
                card.question_id,
                adapt(card.last_review),
                adapt(previous_due),
                adapt(card.due),
            )
        )
    sql = (
        "INSERT INTO quizzes_reviewlog (card_id, rating, source, question_id, reviewed_at, "
        "due_before, due_after) VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])
    return len(created), len(rows)
