"""The spaced-review admin: cards and logs read-only, for superusers, with flat queries."""

import pytest
from django.urls import reverse

from quizzes.models import ReviewCard, ReviewLog
from tests.builders import make_question, make_trainee
from tests.review.conftest import cards_due

pytestmark = pytest.mark.django_db

PAGES = [
    "admin:quizzes_reviewcard_changelist",
    "admin:quizzes_reviewlog_changelist",
]


def world(trainees: int):
    questions = [make_question(f"point-{i}", critical=i == 0) for i in range(3)]
    for i in range(trainees):
        cards_due(make_trainee(username=f"reviewer{i}"), questions)


@pytest.mark.parametrize("page", PAGES)
def test_changelists_load_with_their_rows(admin_client, page):
    world(trainees=2)
    response = admin_client.get(reverse(page))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 6
    assert "reviewer1" in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_changelist_queries_do_not_grow_with_rows(
    admin_client, page, django_assert_max_num_queries
):
    world(trainees=2)
    with django_assert_max_num_queries(12) as few:
        admin_client.get(reverse(page))
    world_size = len(few.captured_queries)
    questions = [make_question(f"more-{i}") for i in range(5)]
    for i in range(6):
        cards_due(make_trainee(username=f"more{i}"), questions)
    with django_assert_max_num_queries(world_size):
        admin_client.get(reverse(page))


def test_search_and_filters(admin_client):
    world(trainees=2)
    url = reverse("admin:quizzes_reviewcard_changelist")
    assert admin_client.get(url, {"q": "reviewer0"}).context["cl"].result_count == 3
    assert admin_client.get(url, {"critical__exact": "1"}).context["cl"].result_count == 2
    logs = reverse("admin:quizzes_reviewlog_changelist")
    assert admin_client.get(logs, {"source__exact": "practice"}).context["cl"].result_count == 6


def test_cards_and_logs_are_read_only(admin_client):
    world(trainees=1)
    card, log = ReviewCard.objects.first(), ReviewLog.objects.first()
    assert admin_client.get(reverse("admin:quizzes_reviewcard_add")).status_code == 403
    change = reverse("admin:quizzes_reviewcard_change", args=[card.pk])
    assert admin_client.get(change).status_code == 200  # a view, no form to save
    assert admin_client.post(change, {"reps": "99"}).status_code == 403
    delete = reverse("admin:quizzes_reviewlog_delete", args=[log.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    card.refresh_from_db()
    assert (card.reps, ReviewLog.objects.filter(pk=log.pk).exists()) == (1, True)


@pytest.mark.parametrize("page", PAGES)
def test_educators_cannot_see_trainees_review_records(educator_client, page):
    assert educator_client.get(reverse(page)).status_code == 403
