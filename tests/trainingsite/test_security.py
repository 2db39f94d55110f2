"""Site-wide security settings: headers, cookies, sessions, passwords, production values."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.builders import TEST_PASSWORD
from trainingsite.sessions import session_refresh_interval

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def csp(response) -> dict[str, str]:
    """Parse the policy header into {directive: sources} (django-csp orders them freely)."""
    directives = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    return dict(part.split(" ", 1) for part in directives if part)


def production_settings(**env: str) -> dict:
    """Load the real settings module in a fresh process with a production environment."""
    names = [
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SECURE_REFERRER_POLICY",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY",
        "X_FRAME_OPTIONS",
        "SESSION_COOKIE_AGE",
        "SESSION_SAVE_EVERY_REQUEST",
        "SESSION_REFRESH_SECONDS",
        "AXES_FAILURE_LIMIT",
        "TRUSTED_PROXY_COUNT",
    ]
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"values = {{n: getattr(settings, n) for n in {names!r}}}; "
        "values['AXES_COOLOFF_SECONDS'] = settings.AXES_COOLOFF_TIME.total_seconds(); "
        "print(json.dumps(values))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "trainingsite.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x" * 60,
            "DJANGO_ALLOWED_HOSTS": "training.example.org",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_defaults_are_locked_down():
    values = production_settings()
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "SESSION_COOKIE_AGE": 28800,
        "SESSION_SAVE_EVERY_REQUEST": False,
        "SESSION_REFRESH_SECONDS": 300,
        "AXES_FAILURE_LIMIT": 5,
        "TRUSTED_PROXY_COUNT": 0,
        "AXES_COOLOFF_SECONDS": 900.0,
    }


def test_idle_time_and_lockout_come_from_the_environment():
    values = production_settings(
        DJANGO_SESSION_IDLE_SECONDS="900",
        DJANGO_LOGIN_FAILURE_LIMIT="8",
        DJANGO_LOGIN_COOLOFF_MINUTES="30",
        DJANGO_TRUSTED_PROXY_COUNT="1",
    )
    assert values["SESSION_COOKIE_AGE"] == 900
    assert values["AXES_FAILURE_LIMIT"] == 8
    assert values["AXES_COOLOFF_SECONDS"] == 1800.0
    assert values["TRUSTED_PROXY_COUNT"] == 1


def test_a_failure_limit_of_zero_is_refused():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, "DJANGO_DEBUG": "1", "DJANGO_LOGIN_FAILURE_LIMIT": "0"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_LOGIN_FAILURE_LIMIT must be at least 1." in result.stderr


def test_every_page_carries_the_security_headers(client):
    response = client.get("/")
    assert csp(response) == EXPECTED_CSP
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_admin_and_error_pages_carry_the_policy_too(client, educator):
    assert csp(client.get("/no-such-page/")) == EXPECTED_CSP
    client.force_login(educator)
    assert csp(client.get(reverse("admin:index"))) == EXPECTED_CSP


def test_session_and_csrf_cookies_are_http_only(client, trainee):
    login_page = client.get(reverse("login"))
    assert login_page.cookies["csrftoken"]["httponly"] is True
    response = client.post(reverse("login"), {"username": "tara", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"] is True
    assert response.cookies["sessionid"]["samesite"] == "Lax"


def session_expiry(client) -> datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


# The session clock is frozen and moved by hand (time_machine), so these hold however
# slowly a busy machine runs them.
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_session_ends_after_the_idle_time(client, trainee, settings, time_machine):
    settings.SESSION_COOKIE_AGE = 60
    time_machine.move_to(START, tick=False)
    client.force_login(trainee)
    assert client.get(reverse("password_change")).status_code == 200
    time_machine.shift(timedelta(seconds=61))
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def session_writes(captured) -> list[str]:
    return [q["sql"] for q in captured if "django_session" in q["sql"] and "SELECT" not in q["sql"]]


def test_a_request_extends_a_session_whose_refresh_is_due(client, trainee, settings, time_machine):
    settings.SESSION_COOKIE_AGE = 600
    settings.SESSION_REFRESH_SECONDS = 30
    time_machine.move_to(START, tick=False)
    client.force_login(trainee)
    # Nearly idle: five seconds left, and the last refresh (the sign-in) long past.
    time_machine.shift(timedelta(seconds=595))

    response = client.get(reverse("password_change"))

    assert response.status_code == 200
    assert session_expiry(client) - timezone.now() == timedelta(seconds=600)
    assert response.cookies["sessionid"]["max-age"] == 600


def test_requests_within_the_refresh_interval_write_no_session(
    client, trainee, settings, time_machine
):
    settings.SESSION_COOKIE_AGE = 600
    settings.SESSION_REFRESH_SECONDS = 30
    time_machine.move_to(START, tick=False)
    client.force_login(trainee)
    expiry = session_expiry(client)
    time_machine.shift(timedelta(seconds=29))

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("password_change"))

    assert response.status_code == 200
    assert session_writes(captured) == []
    assert "sessionid" not in response.cookies
    assert session_expiry(client) == expiry


def test_the_refresh_falls_due_exactly_at_the_interval(client, trainee, settings, time_machine):
    settings.SESSION_COOKIE_AGE = 600
    settings.SESSION_REFRESH_SECONDS = 30
    time_machine.move_to(START, tick=False)
    client.force_login(trainee)
    time_machine.shift(timedelta(seconds=30))
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    assert session_expiry(client) == START + timedelta(seconds=630)


def test_signing_in_counts_as_the_first_refresh(client, trainee):
    client.force_login(trainee)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("password_change")).status_code == 200
    assert session_writes(captured) == []


def test_the_refresh_interval_never_exceeds_a_tenth_of_the_idle_time(settings):
    settings.SESSION_COOKIE_AGE = 900
    settings.SESSION_REFRESH_SECONDS = 300
    assert session_refresh_interval() == 90


def test_an_anonymous_visit_creates_no_session(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("login"))
    assert response.status_code == 200
    assert session_writes(captured) == []
    assert "sessionid" not in response.cookies


def test_an_unknown_session_cookie_is_not_brought_back_to_life(client):
    client.cookies["sessionid"] = "no-such-session-key-0123456789abcdef"
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert Session.objects.count() == 0


def test_an_expired_session_is_refused_even_with_its_cookie(client, trainee):
    client.force_login(trainee)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("weak", "message"),
    [
        ("password", "This password is too common."),
        ("short1x", "This password is too short. It must contain at least 8 characters."),
        ("73829104655", "This password is entirely numeric."),
        ("tara-trainee", "The password is too similar to the"),
    ],
)
def test_weak_password_is_refused_on_change(trainee_client, trainee, weak, message):
    response = trainee_client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    trainee.refresh_from_db()
    assert trainee.check_password(TEST_PASSWORD) is True
