"""The load data set's review cards: every trainee holds them, the retention figures read them."""

import random
from datetime import UTC, date, datetime

import pytest
from django.db.models import Count

from quizzes.models import Bank, ReviewCard, ReviewLog
from quizzes.spaced_review.retention import retention_in_cohorts
from quizzes.synthetic.load_data import (
    REVIEW_CARDS_PER_TRAINEE,
    load_data_delete,
    load_data_generate,
)
from quizzes.synthetic.load_reviews import review_cards_write, review_points
from tests.builders import make_question, make_trainee

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_the_benchmark_holds_sixty_cards_per_trainee():
    assert REVIEW_CARDS_PER_TRAINEE == 60


def test_every_trainee_holds_the_cards_with_two_logs_each():
    result = load_data_generate(
        trainees=12, cohorts=2, attempts=0, today=date(2026, 11, 26), review_cards=45
    )
    assert (result.review_cards, result.review_logs) == (540, 1080)
    per_user = dict(ReviewCard.objects.values_list("user_id").annotate(n=Count("id")))
    assert len(per_user) == 12 and set(per_user.values()) == {45}
    # The synthetic content has 40 practice questions: five generated, the first critical.
    assert ReviewCard.objects.filter(critical=True).count() == 12
    assert ReviewLog.objects.count() == 1080
    cohorts = list(
        ReviewCard.objects.values_list("user__cohort_memberships__cohort_id", flat=True).distinct()
    )
    # The generator stores each trainee's day (at its own noon), which the reports read.
    snapshot = retention_in_cohorts(cohort_ids=cohorts)
    assert len(snapshot.trainees) == 12
    assert all(0 < t.recall <= 1 for t in snapshot.trainees.values())
    load_data_delete()
    assert ReviewCard.objects.count() == 0 and ReviewLog.objects.count() == 0


def test_the_sites_practice_points_come_first_then_generated_ones():
    own = make_question("own-practice", bank=Bank.PRACTICE, critical=True)
    make_question("own-exam", bank=Bank.EXAM)
    points = review_points(count=3)
    assert points[0].question_id == own.pk and points[0].critical is True
    assert [p.point.startswith("question:") for p in points] == [True, True, True]
    assert len({p.point for p in points}) == 3
    # Generated once: asking again reuses the same questions.
    assert review_points(count=3) == points


def test_cards_are_written_in_bulk(django_assert_max_num_queries):
    users = [make_trainee(username=f"bulk-{i}").pk for i in range(30)]
    points = review_points(count=5)
    with django_assert_max_num_queries(4):
        cards, logs = review_cards_write(
            user_ids=users, points=points, rng=random.Random(1), now=NOW
        )
    assert (cards, logs) == (150, 300)
