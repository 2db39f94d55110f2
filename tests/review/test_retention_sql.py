"""The retention figures in SQL (quizzes.spaced_review.retention) against hand-computed values.

The card recall expression is run against the shared case table (the one the pure
formula is run against), then every selector against the world of retention_world.py
(the cohort snapshot reads the days the daily job stored at NOW), and their query counts
are pinned at two sizes.
"""

from datetime import timedelta

import pytest
from django.db.models import Value

from quizzes.models import ReviewCard
from quizzes.spaced_review.retention import (
    REVIEW_GRACE,
    cohort_retention,
    points_forgotten_fastest,
    retention_by_topic,
    retention_by_trainee,
    retention_in_cohorts,
)
from quizzes.spaced_review.retention_days import retention_days_record
from quizzes.spaced_review.retention_sql import card_recall, elapsed_days
from tests.builders import make_cohort, make_question, make_trainee
from tests.review.retention_cases import CASE_IDS, CASES, NOW, RecallCase
from tests.review.retention_world import build_retention_world, card, log

pytestmark = pytest.mark.django_db

ANN_RECALL = (0.9 + 0.692827 + 0.998497) / 3
BEN_RECALL = (0.362837 + 0.940344) / 2


@pytest.fixture
def world(manager, other_manager):
    return build_retention_world(manager, other_manager)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_card_recall_in_sql_matches_the_hand_computed_case(case: RecallCase):
    trainee = make_trainee(username="case")
    question = make_question("case-q")
    stored = ReviewCard.objects.create(
        user=trainee,
        point="question:1",
        question=question,
        topic=question.topic,
        stability=case.stability,
        due=NOW,
        last_review=None if case.since is None else NOW - case.since,
    )
    recall = (
        ReviewCard.objects.filter(pk=stored.pk)
        .annotate(recall=card_recall(at=NOW))
        .values_list("recall", flat=True)
        .get()
    )
    assert recall == pytest.approx(case.expected, abs=1e-6)


@pytest.mark.parametrize(
    ("gap", "days"),
    [
        (timedelta(0), 0),
        (timedelta(days=1) - timedelta(microseconds=1), 0),
        (timedelta(days=1), 1),
        (timedelta(days=400, hours=23), 400),
        (-timedelta(hours=1), 0),
        (-timedelta(days=3), 0),
    ],
)
def test_elapsed_days_are_whole_days_rounded_down_never_negative(gap, days):
    trainee = make_trainee(username="gap")
    question = make_question("gap-q")
    ReviewCard.objects.create(
        user=trainee,
        point="question:1",
        question=question,
        topic=question.topic,
        due=NOW,
        last_review=NOW - gap,
    )
    found = ReviewCard.objects.annotate(
        days=elapsed_days(since="last_review", at=NOW), one=Value(1)
    ).values_list("days", flat=True)
    assert list(found) == [days]


def test_trainee_recall_critical_recall_and_reviews_done(world):
    found = retention_by_trainee(users=[world.ann.pk, world.ben.pk, world.cat.pk], now=NOW)
    ann, ben = found[world.ann.pk], found[world.ben.pk]
    assert world.cat.pk not in found
    assert (ann.cards, ann.critical_cards) == (3, 1)
    assert ann.recall == pytest.approx(ANN_RECALL, abs=1e-6)
    assert ann.critical_recall == pytest.approx(0.9, abs=1e-6)
    assert (ann.reviews_due, ann.reviews_done, ann.done_share) == (2, 1, 0.5)
    assert ann.flagged(80) is False
    assert ben.recall == pytest.approx(BEN_RECALL, abs=1e-6)
    assert ben.critical_recall == pytest.approx(0.362837, abs=1e-6)
    assert (ben.reviews_due, ben.reviews_done) == (2, 1)
    assert ben.flagged(80) is True
    assert ben.flagged(36) is False


def test_a_review_done_a_moment_after_its_grace_is_late(world):
    airway = ReviewCard.objects.get(user=world.ben, question=world.airway)
    airway.logs.filter(reviewed_at=NOW - 13 * timedelta(days=1)).update(
        reviewed_at=NOW - 13 * timedelta(days=1) + timedelta(microseconds=1)
    )
    ben = retention_by_trainee(users=[world.ben.pk], now=NOW)[world.ben.pk]
    assert (ben.reviews_due, ben.reviews_done) == (2, 0)


def test_grace_is_a_week():
    assert timedelta(days=7) == REVIEW_GRACE


def test_users_as_a_queryset_read_the_same(world):
    by_ids = retention_by_trainee(users=[world.ann.pk, world.ben.pk], now=NOW)
    by_query = retention_by_trainee(users=world.cohort_a.memberships.values("user_id"), now=NOW)
    assert by_query == by_ids


def test_recall_per_topic_weakest_first(world):
    topics = retention_by_topic(user_id=world.ann.pk, now=NOW)
    assert [(t.topic_title, t.cards, t.critical_cards) for t in topics] == [
        ("Bleeding", 2, 1),
        ("Airway", 1, 0),
    ]
    assert topics[0].recall == pytest.approx((0.9 + 0.692827) / 2, abs=1e-6)
    assert topics[0].critical_recall == pytest.approx(0.9, abs=1e-6)
    assert topics[1].recall == pytest.approx(0.998497, abs=1e-6)
    assert topics[1].critical_recall is None


def test_cohort_figures_weigh_each_trainee_once(world):
    retention_days_record(now=NOW)
    snapshot = retention_in_cohorts(cohort_ids=[world.cohort_a.pk])
    figures = cohort_retention(snapshot=snapshot, threshold=80)[world.cohort_a.pk]
    assert (figures.trainees, figures.with_cards, figures.flagged) == (3, 2, 1)
    assert figures.recall == pytest.approx((ANN_RECALL + BEN_RECALL) / 2, abs=1e-6)
    assert figures.critical_recall == pytest.approx((0.9 + 0.362837) / 2, abs=1e-6)
    assert (figures.reviews_due, figures.reviews_done, figures.done_share) == (4, 2, 0.5)
    assert world.out.pk not in snapshot.trainees


def test_the_threshold_decides_the_flagged_count(world):
    retention_days_record(now=NOW)
    snapshot = retention_in_cohorts(cohort_ids=[world.cohort_a.pk])
    assert cohort_retention(snapshot=snapshot, threshold=95)[world.cohort_a.pk].flagged == 2
    assert cohort_retention(snapshot=snapshot, threshold=30)[world.cohort_a.pk].flagged == 0


def test_a_cohort_without_cards_has_no_figures(manager):
    empty = make_cohort(name="Empty", managers=[manager], trainees=[make_trainee(username="e")])
    retention_days_record(now=NOW)
    snapshot = retention_in_cohorts(cohort_ids=[empty.pk])
    figures = cohort_retention(snapshot=snapshot, threshold=80)[empty.pk]
    assert (figures.recall, figures.critical_recall, figures.done_share) == (None, None, None)
    assert figures.flagged == 0


def test_points_forgotten_fastest_across_trainees(world):
    points = points_forgotten_fastest(min_trainees=2, now=NOW)
    assert [(p.prompt, p.topic_title, p.trainees, p.critical) for p in points] == [
        ("Prompt tourniquet?", "Bleeding", 3, True),
        ("Prompt airway?", "Airway", 2, False),
    ]
    assert points[0].mean_stability == pytest.approx(4 / 3)
    assert points[0].lapse_rate == pytest.approx(3 / 10)
    assert points[0].recall == pytest.approx((0.9 + 0.362837 * 2) / 3, abs=1e-6)
    assert points[1].lapse_rate == 0.0
    # Held by one trainee only: never named by default (three trainees at least).
    assert [p.prompt for p in points_forgotten_fastest(now=NOW)] == ["Prompt tourniquet?"]


def _grow(cohort, n):
    question = make_question(f"grow-{n}", critical=True)
    for i in range(n):
        trainee = make_trainee(username=f"grow-{n}-{i}")
        cohort.memberships.create(user=trainee)
        held = card(trainee, question, stability=1.0 + i, days_ago=i)
        log(held, reviewed_days_ago=30, due_days_ago=20)


@pytest.mark.parametrize("n", [3, 30])
def test_query_counts_are_flat(world, n, django_assert_num_queries):
    _grow(world.cohort_a, n)
    retention_days_record(now=NOW)
    with django_assert_num_queries(2):
        retention_by_trainee(users=world.cohort_a.memberships.values("user_id"), now=NOW)
    with django_assert_num_queries(4):
        retention_in_cohorts(cohort_ids=[world.cohort_a.pk, world.cohort_b.pk])
    with django_assert_num_queries(1):
        retention_by_topic(user_id=world.ann.pk, now=NOW)
    with django_assert_num_queries(2):
        points_forgotten_fastest(now=NOW)


def test_the_cohort_snapshot_reads_the_stored_days_as_they_are_now(world):
    assert retention_in_cohorts(cohort_ids=[world.cohort_a.pk]).trainees == {}
    retention_days_record(now=NOW)
    snapshot = retention_in_cohorts(cohort_ids=[world.cohort_a.pk])
    assert set(snapshot.trainees) == {world.ann.pk, world.ben.pk}
    assert snapshot.as_of == NOW.date()
