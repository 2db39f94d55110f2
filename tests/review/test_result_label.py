"""A review session is never shown as a "Practice round": its pages are the review's own."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt
from quizzes.spaced_review import services
from tests.builders import correct_positions, make_question
from tests.review.conftest import cards_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(trainee):
    cards_due(trainee, [make_question("a"), make_question("b")])
    return services.review_session_start(user=trainee)


def test_the_result_address_of_a_finished_session_opens_its_summary(trainee_client, session):
    services.review_session_finish(attempt=session)
    summary = reverse("review:summary", args=[session.uuid])
    response = trainee_client.get(reverse("quizzes:result", args=[session.uuid]))
    assert (response.status_code, response["Location"]) == (302, summary)
    body = trainee_client.get(summary).content.decode()
    assert "Review finished" in body
    assert "Practice round" not in body


def test_a_check_after_the_time_ran_out_points_to_the_summary(trainee_client, session):
    Attempt.objects.filter(pk=session.pk).update(
        started_at=timezone.now() - timedelta(minutes=30),
        deadline=timezone.now() - timedelta(minutes=20),
    )
    entry = session.paper["questions"][0]
    response = trainee_client.post(
        reverse("practice:check", args=[session.uuid]),
        {"question": entry["id"], f"q-{entry['id']}": correct_positions(entry)},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-testid="problem"' in body
    summary = reverse("review:summary", args=[session.uuid])
    assert f'href="{summary}">See the session\'s summary</a>' in body
    assert reverse("quizzes:result", args=[session.uuid]) not in body


def test_another_trainees_session_result_is_still_404(other_trainee, client, session):
    client.force_login(other_trainee)
    assert client.get(reverse("quizzes:result", args=[session.uuid])).status_code == 404
