"""Friendly error pages with debug off: 400, 403, 404 and 500 all render the site's templates."""

import logging

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.trainingsite.error_urls")]

PAGE_500 = "Something went wrong on our side"
PAGE_400 = "That request could not be understood"
PAGE_403 = "You can't open this page"
PAGE_404 = "Page not found"
PAGE_403_CSRF = "This form has expired"


@pytest.fixture
def quiet_request_log():
    """The deliberate failures are logged by django.request; keep the test output clean."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def test_an_exception_in_a_view_gives_the_friendly_500_page(settings, quiet_request_log):
    assert settings.DEBUG is False
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert PAGE_500 in body
    assert "RuntimeError" not in body
    assert "Traceback" not in body
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_the_500_page_needs_no_database_or_context(django_assert_num_queries, quiet_request_log):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/test-errors/boom/")
    assert response.status_code == 500


def test_suspicious_input_gives_the_friendly_400_page(client, quiet_request_log):
    response = client.get("/test-errors/suspicious/")
    assert response.status_code == 400
    assert PAGE_400 in response.content.decode()


def test_an_unknown_host_gives_the_friendly_400_page(client, quiet_request_log):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert PAGE_400 in response.content.decode()


def test_permission_denied_gives_the_friendly_403_page(client, quiet_request_log):
    response = client.get("/test-errors/forbidden/")
    assert response.status_code == 403
    assert PAGE_403 in response.content.decode()


def test_unknown_url_gives_the_friendly_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert PAGE_404 in body
    assert 'href="#main"' in body


def test_a_post_without_csrf_token_gets_the_friendly_form_expired_page(trainee, quiet_request_log):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "tara", "password": "whatever"})
    assert response.status_code == 403
    body = response.content.decode()
    assert PAGE_403_CSRF in body
    assert "CSRF verification failed" not in body
    assert 'href="#main"' in body
