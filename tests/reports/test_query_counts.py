"""Report pages and exports use the same number of queries for 3 or 30 trainees."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from lessons.models import LessonCompletion
from tests.builders import (
    assign_to_cohort,
    make_certificate,
    make_cohort,
    make_plain_quiz,
    make_program,
    make_scored_attempt,
    make_topic_and_lesson,
    make_trainee,
)

pytestmark = pytest.mark.django_db

# Budgets measured once and pinned: they must not grow with the trainees.
# The overview and trainees pages include deciding the status snapshot (five
# queries: quizzes.reports.snapshot.status_snapshot), as on a cache miss. Programs are
# read with their four kinds of requirement (lessons, quizzes, statements, checklists).
# Retention (quizzes.spaced_review.retention) reads the trainees' stored days, never
# cached (retention_stored: the newest day, then with days stored the last two days' rows
# and the trainees whose latest is older; here none is stored, so one query): over the
# cohorts on the overview, over the page's trainees on the trainees table, over every
# row's trainees in the export; the trainee page aggregates its one trainee's cards live.
# The overview, the trainees table and the trainee page read the certificate updates after
# material changes in one query each (quizzes.updates.selectors.update_status_bulk).
BUDGETS = {
    "overview": 14,
    "overview_export": 13,
    "trainees": 24,
    # Then only the page goes through the pure rules.
    "trainees_filtered": 26,
    "trainees_export": 21,
    "trainee": 26,  # with its retention: overall (two) and per topic (one)
    "trainee_attempts_export": 8,
    "quiz": 12,
    "questions": 17,
    "questions_export": 16,
}
# With the snapshot cached, those pages need only what is not in it.
CACHED_BUDGETS = {
    **BUDGETS,
    "overview": 8,  # with the overdue trainees' names (a card per cohort program)
    "overview_export": 8,
    "trainees": 19,
    "trainees_filtered": 21,
}


def build(manager, n):
    topic, lesson = make_topic_and_lesson()
    quiz = make_plain_quiz(topic=topic, questions=3)
    program = make_program(slug="first", lessons=[lesson], quizzes=[quiz], validity_months=12)
    second = make_program(slug="second", lessons=[lesson], quizzes=[], validity_months=None)
    cohort = make_cohort(managers=[manager])
    assign_to_cohort(cohort, program, date(2026, 1, 1))
    assign_to_cohort(cohort, second, None)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    first = None
    for i in range(n):
        trainee = make_trainee(username=f"t{n}-{i}")
        first = first or trainee
        cohort.memberships.create(user=trainee)
        LessonCompletion.objects.create(user=trainee, lesson=lesson, completed_at=start)
        make_scored_attempt(
            user=trainee,
            quiz=quiz,
            answers=[0, i % 3, (i + 1) % 3],
            started_at=start,
            minutes=5 + i,
        )
        if i % 4 == 0:
            make_certificate(
                user=trainee,
                program=program,
                issued_at=start + timedelta(days=i),
                expires_at=start + timedelta(days=400),
            )
    return cohort, quiz, first


def urls(cohort, quiz, trainee):
    return {
        "overview": reverse("reports:overview"),
        "overview_export": reverse("reports:overview_export"),
        "trainees": reverse("reports:trainees"),
        "trainees_filtered": reverse("reports:trainees")
        + f"?cohort={cohort.slug}&status=overdue&q=t&sort=-activity",
        "trainees_export": reverse("reports:trainees_export") + "?status=overdue",
        "trainee": reverse("reports:trainee", args=[trainee.pk]),
        "trainee_attempts_export": reverse("reports:trainee_attempts_export", args=[trainee.pk]),
        "quiz": reverse("reports:quiz", args=[quiz.pk]),
        "questions": reverse("reports:questions", args=[quiz.pk]),
        "questions_export": reverse("reports:questions_export", args=[quiz.pk]),
    }


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    if response.streaming:
        b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize("n", [3, 30])
def test_query_counts_are_flat(client, manager, n, django_assert_max_num_queries):
    cohort, quiz, trainee = build(manager, n)
    client.force_login(manager)
    for name, url in urls(cohort, quiz, trainee).items():
        cache.clear()
        with django_assert_max_num_queries(BUDGETS[name]):
            fetch(client, url)


@pytest.mark.parametrize("n", [3, 30])
def test_query_counts_with_the_snapshot_cached(client, manager, n, django_assert_max_num_queries):
    cohort, quiz, trainee = build(manager, n)
    client.force_login(manager)
    for name, url in urls(cohort, quiz, trainee).items():
        fetch(client, url)
        with django_assert_max_num_queries(CACHED_BUDGETS[name]):
            fetch(client, url)
