"""ReviewLog.due_before: written by every rating, backfilled by migration 0019, read by the measure.

"Reviews done in time" reads the answering log's due_before instead of looking up a
later log per due review (retention_sql.review_done_in_time). The tests here check
that the two statements agree: on a world rated at random through the service, against
the earlier statement (a correlated EXISTS, kept below as the reference), at the
window's edges, and after the migration's backfill.
"""

import importlib
import random
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, Value

from quizzes.models import ReviewLog
from quizzes.spaced_review.retention import RETENTION_WINDOW, REVIEW_GRACE, retention_by_trainee
from quizzes.spaced_review.services import review_cards_record
from tests.builders import make_question, make_trainee
from tests.review.conftest import point_met
from tests.review.retention_cases import NOW
from tests.review.retention_world import card, log

pytestmark = pytest.mark.django_db

migration = importlib.import_module("quizzes.migrations.0019_review_log_due_before")
DAY = timedelta(days=1)


def reference_reviews(user_ids, *, now):
    """Per trainee (due, done) by the earlier statement: a later log within the grace."""
    answered = Exists(
        ReviewLog.objects.filter(
            card_id=OuterRef("card_id"),
            reviewed_at__gt=OuterRef("reviewed_at"),
            reviewed_at__lte=ExpressionWrapper(
                OuterRef("due_after") + Value(REVIEW_GRACE), output_field=DateTimeField()
            ),
        )
    )
    rows = (
        ReviewLog.objects.filter(
            card__user_id__in=user_ids,
            due_after__gte=now - RETENTION_WINDOW,
            due_after__lte=now - REVIEW_GRACE,
        )
        .values(user_id=F("card__user_id"))
        .annotate(due=Count("id"), done=Count("id", filter=Q(answered)))
        .order_by()
    )
    return {row["user_id"]: (row["due"], row["done"]) for row in rows}


def measured_reviews(user_ids, *, now):
    found = retention_by_trainee(users=user_ids, now=now)
    return {uid: (t.reviews_due, t.reviews_done) for uid, t in found.items() if t.reviews_due}


@pytest.fixture
def rated_world():
    """Three trainees rating five points at random moments over 150 days, through the service."""
    rng = random.Random(19)
    questions = [make_question(f"rated-{i}", critical=i == 0) for i in range(5)]
    users = []
    for n in range(3):
        user = make_trainee(username=f"rated-{n}")
        users.append(user.pk)
        moments = sorted(rng.uniform(1, 150) for _ in range(25))
        for days_ago in reversed(moments):
            chosen = rng.sample(questions, rng.randint(1, 3))
            review_cards_record(
                user_id=user.pk,
                met=[point_met(q, correct=rng.random() < 0.7) for q in chosen],
                source="review",
                at=NOW - timedelta(days=days_ago),
            )
    return users


def test_rating_writes_the_due_moment_it_answers(trainee):
    question = make_question("answered")
    first_at = NOW - 20 * DAY
    (first,) = review_cards_record(
        user_id=trainee.pk, met=[point_met(question)], source="practice", at=first_at
    )
    review_cards_record(
        user_id=trainee.pk, met=[point_met(question)], source="review", at=NOW - 2 * DAY
    )
    logs = list(ReviewLog.objects.filter(card__user=trainee).order_by("reviewed_at"))
    assert logs[0].due_before is None
    assert logs[1].due_before == logs[0].due_after == first.due


def test_the_measure_agrees_with_the_earlier_statement_on_a_random_world(rated_world):
    for now in (NOW, NOW - 30 * DAY, NOW - 75 * DAY):
        expected = reference_reviews(rated_world, now=now)
        assert measured_reviews(rated_world, now=now) == expected
    due, done = map(sum, zip(*reference_reviews(rated_world, now=NOW).values(), strict=True))
    assert 0 < done < due  # both outcomes occur, so the agreement says something


def test_reviews_due_at_the_windows_edges_count_and_are_answered(trainee):
    question = make_question("edges")
    held = card(trainee, question, stability=3.0, days_ago=1)
    oldest, newest = RETENTION_WINDOW.days, REVIEW_GRACE.days
    log(held, reviewed_days_ago=oldest + 10, due_days_ago=oldest)
    log(held, reviewed_days_ago=oldest - 7, due_days_ago=newest)  # a week late: in time
    log(held, reviewed_days_ago=newest, due_days_ago=-3)  # on the day: in time
    expected = {trainee.pk: (2, 2)}
    assert reference_reviews([trainee.pk], now=NOW) == expected
    assert measured_reviews([trainee.pk], now=NOW) == expected


def test_an_early_review_answers_the_due_review(trainee):
    held = card(trainee, make_question("early"), stability=3.0, days_ago=1)
    log(held, reviewed_days_ago=40, due_days_ago=20)
    log(held, reviewed_days_ago=30, due_days_ago=5)  # ten days before it fell due
    assert measured_reviews([trainee.pk], now=NOW) == {trainee.pk: (1, 1)}


def test_a_first_rating_answers_no_review(trainee):
    held = card(trainee, make_question("first"), stability=3.0, days_ago=1)
    log(held, reviewed_days_ago=30, due_days_ago=20)
    other = card(trainee, make_question("other"), stability=3.0, days_ago=1)
    log(other, reviewed_days_ago=18, due_days_ago=-2)  # another card's first log
    assert measured_reviews([trainee.pk], now=NOW) == {trainee.pk: (1, 0)}


@pytest.mark.parametrize("cards_per_batch", [2, 50_000])
def test_the_backfill_restores_what_the_ratings_wrote(rated_world, monkeypatch, cards_per_batch):
    written = dict(ReviewLog.objects.values_list("id", "due_before"))
    assert sum(value is None for value in written.values()) == 15  # each card's first log
    ReviewLog.objects.update(due_before=None)
    monkeypatch.setattr(migration, "CARDS_PER_BATCH", cards_per_batch)
    migration.backfill_due_before(apps, SimpleNamespace(connection=connection))
    assert dict(ReviewLog.objects.values_list("id", "due_before")) == written
    expected = reference_reviews(rated_world, now=NOW)
    assert measured_reviews(rated_world, now=NOW) == expected


def test_the_backfill_of_no_logs_does_nothing():
    migration.backfill_due_before(apps, SimpleNamespace(connection=connection))
    assert ReviewLog.objects.count() == 0


def test_the_backfill_is_reversed_by_dropping_the_column():
    backfill = next(
        op for op in migration.Migration.operations if getattr(op, "code", None) is not None
    )
    assert backfill.reversible is True
