"""Pages that show a person's data are never stored by a proxy or a browser's cache.

Every response to a signed-in user carries "private" and "no-store" (the
middleware's "private, no-store", or a view's own never_cache); public pages are
left as they were.
"""

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.cache import get_max_age

from quizzes.services import attempt_start
from tests.builders import (
    do_everything,
    graded_attempt,
    make_certificate,
    make_cohort,
    make_lesson,
    make_program,
    make_quiz,
)

pytestmark = pytest.mark.django_db

PRIVATE_NO_STORE = "private, no-store"


def _directives(response) -> set[str]:
    header = response.get("Cache-Control", "")
    return {part.strip().split("=")[0].lower() for part in header.split(",") if part.strip()}


def _assert_private(response, path) -> None:
    assert response.status_code == 200, path
    directives = _directives(response)
    assert "no-store" in directives, (path, response.get("Cache-Control"))
    assert "public" not in directives, path
    assert not get_max_age(response), path


@pytest.fixture
def world(trainee, manager):
    """A trainee in the manager's cohort, with an attempt, a result and a certificate."""
    make_cohort(managers=[manager], trainees=[trainee])
    program = make_program(lessons=1, quizzes=1)
    do_everything(trainee, program)
    certificate = make_certificate(trainee, program, issued_at=timezone.now())
    quiz = make_quiz(questions=1, slug="open-quiz")
    open_attempt = attempt_start(user=trainee, quiz=quiz)
    result = graded_attempt(trainee, program.required_quizzes.first())
    lesson = make_lesson("cache-lesson")
    return {
        "certificate": certificate,
        "open_attempt": open_attempt,
        "result": result,
        "lesson": lesson,
        "quiz": quiz,
    }


@pytest.mark.parametrize("path", ["/me/", "/lessons/", "/quizzes/", "/certificates/verify/"])
def test_a_trainees_pages_get_private_no_store(client, trainee, world, path):
    client.force_login(trainee)
    response = client.get(path)
    _assert_private(response, path)


def test_the_trainees_dashboard_gets_exactly_private_no_store(trainee_client, world):
    assert trainee_client.get("/me/")["Cache-Control"] == PRIVATE_NO_STORE


def test_a_trainees_own_records_get_private_no_store(trainee_client, world):
    certificate = world["certificate"]
    paths = [
        world["open_attempt"].get_absolute_url(),
        world["result"].get_absolute_url(),
        certificate.get_absolute_url(),
        f"{certificate.get_absolute_url()}pdf/",
        world["lesson"].get_absolute_url(),
        f"/quizzes/{world['quiz'].slug}/",
        f"/quizzes/{world['quiz'].slug}/history/",
    ]
    for path in paths:
        _assert_private(trainee_client.get(path), path)


def test_a_managers_reports_get_private_no_store(manager_client, trainee, world):
    paths = [
        "/reports/",
        "/manager/",
        "/reports/trainees/",
        f"/reports/trainees/{trainee.pk}/",
        "/reports/trainees.csv",
        "/reports/overview.csv",
        "/reports/cohorts/",
    ]
    for path in paths:
        response = manager_client.get(path)
        _assert_private(response, path)
    assert manager_client.get("/reports/")["Cache-Control"] == PRIVATE_NO_STORE
    assert manager_client.get(f"/reports/trainees/{trainee.pk}/")["Cache-Control"] == (
        PRIVATE_NO_STORE
    )


def test_the_admin_gets_private_no_store(client, superuser, trainee):
    client.force_login(superuser)
    for path in ["/admin/", "/admin/auth/user/", f"/admin/auth/user/{trainee.pk}/change/"]:
        _assert_private(client.get(path), path)


def test_a_view_that_sets_its_own_cache_control_keeps_it(trainee_client):
    assert trainee_client.get("/healthz")["Cache-Control"] == (
        "max-age=0, no-cache, no-store, must-revalidate, private"
    )


def test_public_pages_for_visitors_are_left_alone(world):
    client = Client()
    for path in ["/", world["lesson"].get_absolute_url()]:
        response = client.get(path)
        assert response.status_code in (200, 302), path
        assert not response.has_header("Cache-Control"), path


def test_the_login_page_keeps_djangos_never_cache():
    response = Client().get("/accounts/login/")
    assert {"no-store", "private", "no-cache"} <= _directives(response)


def test_the_public_verification_page_is_never_cached(trainee, world):
    client = Client()
    response = client.get(world["certificate"].verify_path())
    assert response.status_code == 200
    assert {"no-store", "private"} <= _directives(response)


def test_static_files_keep_their_own_caching(trainee_client):
    response = trainee_client.get("/static/css/site.css")
    assert response.status_code == 200
    assert "no-store" not in _directives(response)
