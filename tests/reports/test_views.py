"""Report views: access, and scoping (404 outside one's cohorts)."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.http import StreamingHttpResponse
from django.urls import reverse

from quizzes.reports.views import NOT_FOR_TRAINEES
from trainingsite.access import NOT_A_MANAGER

pytestmark = pytest.mark.django_db
User = get_user_model()


def csv_rows(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- Who may open what -------------------------------------------------------------------

MANAGER_PAGES = [
    "reports:overview",
    "reports:trainees",
    "reports:trainees_export",
    "reports:overview_export",
]


@pytest.mark.parametrize("name", MANAGER_PAGES)
def test_trainees_and_educators_get_403_on_manager_pages(client, trainee, educator, name):
    for persona in (trainee, educator):
        client.force_login(persona)
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert NOT_A_MANAGER in response.content.decode()


def test_trainee_gets_403_on_quiz_reports(trainee_client, world):
    for name in ("reports:quiz", "reports:questions", "reports:questions_export"):
        response = trainee_client.get(reverse(name, args=[world.quiz.pk]))
        assert response.status_code == 403
        assert NOT_FOR_TRAINEES in response.content.decode()
    assert trainee_client.get(reverse("reports:quizzes")).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("reports:overview"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_manager_landing_is_the_overview(manager_client, world):
    response = manager_client.get(reverse("manager_home"))
    assert response.status_code == 200
    assert b"Alpha Clinic: Foundation" in response.content
    assert b"Beta Clinic" not in response.content


def test_educator_reads_question_analysis_with_edit_links(educator_client, world):
    response = educator_client.get(reverse("reports:questions", args=[world.quiz.pk]))
    assert response.status_code == 200
    assert b"/admin/quizzes/question/" in response.content


# --- Scoping: cohort B is out of reach for cohort A's manager ---------------------------------


def test_other_cohort_trainee_is_404_everywhere(manager_client, world):
    for name in ("reports:trainee", "reports:trainee_attempts_export"):
        response = manager_client.get(reverse(name, args=[world.outsider.pk]))
        assert response.status_code == 404


def test_other_cohort_as_filter_is_404_everywhere(manager_client, world):
    slug = world.cohort_b.slug
    urls = [
        reverse("reports:overview"),
        reverse("reports:overview_export"),
        reverse("reports:trainees"),
        reverse("reports:trainees_export"),
        reverse("reports:quiz", args=[world.quiz.pk]),
        reverse("reports:quiz_export", args=[world.quiz.pk]),
        reverse("reports:questions", args=[world.quiz.pk]),
        reverse("reports:questions_export", args=[world.quiz.pk]),
    ]
    for url in urls:
        assert manager_client.get(url, {"cohort": slug}).status_code == 404, url


def test_tables_and_exports_hold_only_own_cohorts(manager_client, world):
    page = manager_client.get(reverse("reports:trainees"), {"q": "Sider"})
    assert b"Out Sider" not in page.content
    rows = csv_rows(manager_client.get(reverse("reports:trainees_export")))
    emails = {row[1] for row in rows[1:]}
    assert world.outsider.email not in emails
    assert len(emails) == 6
    quiz = manager_client.get(reverse("reports:quiz", args=[world.quiz.pk]))
    assert b'data-testid="attempts">3<' in quiz.content


def test_bad_filter_values_are_400(manager_client, world):
    response = manager_client.get(reverse("reports:trainees"), {"status": "nonsense"})
    assert response.status_code == 400
    response = manager_client.get(reverse("reports:trainees"), {"program": "999999"})
    assert response.status_code == 400
    assert manager_client.get(reverse("reports:quiz", args=[999999])).status_code == 404
