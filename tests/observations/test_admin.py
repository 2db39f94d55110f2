"""The admin: educators author checklists with ordered criteria; observations are read-only."""

import pytest
from django.test import Client
from django.urls import reverse

from quizzes.models import PracticalChecklist
from tests.builders import make_program

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_educator_adds_a_checklist_with_criteria(educator):
    program = make_program(slug="admin-foundation", lessons=0, quizzes=0)
    prefix = "criteria"
    data = {
        "title": "Observed pressure",
        "slug": "observed-pressure",
        "description": "",
        "programs": [str(program.pk)],
        "observations_required": "2",
        "status": "published",
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-order": "2",
        f"{prefix}-0-text": "Applies pressure",
        f"{prefix}-0-guidance": "Sterile gauze.",
        f"{prefix}-0-critical": "on",
        f"{prefix}-1-order": "1",
        f"{prefix}-1-text": "Screens risk",
        f"{prefix}-1-guidance": "",
    }
    response = _client(educator).post(reverse("admin:quizzes_practicalchecklist_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    checklist = PracticalChecklist.objects.get(slug="observed-pressure")
    assert list(checklist.programs.all()) == [program]
    assert list(checklist.criteria.order_by("order").values_list("text", "critical")) == [
        ("Screens risk", False),
        ("Applies pressure", True),
    ]


def test_a_bad_program_id_is_a_form_error(educator):
    data = {"title": "X", "slug": "x", "programs": ["abc", str(10**12)], "status": "draft"}
    data.update({"observations_required": "1", "criteria-TOTAL_FORMS": "0"})
    data.update({"criteria-INITIAL_FORMS": "0"})
    response = _client(educator).post(reverse("admin:quizzes_practicalchecklist_add"), data)
    assert response.status_code == 200 and PracticalChecklist.objects.count() == 0


def test_observations_are_read_only_even_for_superusers(
    superuser, educator, record, assessor, trainee, cohort
):
    observation = record(assessor, trainee)
    client = _client(superuser)
    change = reverse("admin:quizzes_observation_change", args=[observation.pk])
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:quizzes_observation_add")).status_code == 403
    delete = reverse("admin:quizzes_observation_delete", args=[observation.pk])
    assert client.get(delete).status_code == 403
    assert client.post(change, {"outcome": "not_yet"}).status_code == 403
    observation.refresh_from_db()
    assert observation.outcome == "competent"
    assert _client(educator).get(change).status_code == 403


def test_cohort_admin_assigns_assessors(superuser, cohort):
    page = _client(superuser).get(reverse("admin:quizzes_cohort_change", args=[cohort.pk]))
    assert page.status_code == 200 and 'name="assessors"' in page.content.decode()
