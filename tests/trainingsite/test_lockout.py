"""Login throttling: django-axes locks a username from one address, nothing wider."""

from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.builders import TEST_PASSWORD, make_trainee
from trainingsite.security import LOCKOUT_MESSAGE, LOCKOUT_STATUS, client_ip

pytestmark = pytest.mark.django_db

CLINIC_IP = "203.0.113.7"
OTHER_IP = "198.51.100.20"


def attempt(client: Client, username: str, password: str, ip: str = CLINIC_IP):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def fail_until_locked(username: str, ip: str = CLINIC_IP) -> None:
    client = Client()
    for number in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = attempt(client, username, "wrong-password", ip)
        expected = LOCKOUT_STATUS if number == settings.AXES_FAILURE_LIMIT else 200
        assert response.status_code == expected, number


@pytest.fixture
def colleague(db):
    return make_trainee(username="bea")


def test_defaults_are_five_failures_and_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesBackend"


def test_failures_below_the_limit_only_show_the_form_error(client, trainee):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, "tara", "wrong-password")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    assert attempt(client, "tara", TEST_PASSWORD).status_code == 302


def test_fifth_failure_locks_the_user_and_the_right_password_then_fails(client, trainee):
    fail_until_locked("tara")
    response = attempt(client, "tara", TEST_PASSWORD)
    assert response.status_code == LOCKOUT_STATUS
    body = response.content.decode()
    assert LOCKOUT_MESSAGE in body
    assert "paused for 15 minutes" in body
    assert "_auth_user_id" not in client.session


def test_lockout_page_uses_the_site_layout(client, trainee):
    fail_until_locked("tara")
    response = attempt(client, "tara", TEST_PASSWORD)
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert 'href="#main"' in response.content.decode()


def test_colleague_behind_the_same_address_still_logs_in(client, trainee, colleague):
    fail_until_locked("tara")
    response = attempt(client, "bea", TEST_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(colleague.pk)


def test_same_user_from_another_address_still_logs_in(client, trainee):
    fail_until_locked("tara")
    response = attempt(client, "tara", TEST_PASSWORD, ip=OTHER_IP)
    assert response.status_code == 302


def test_success_clears_earlier_failures(client, trainee):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "tara", "wrong-password")
    assert attempt(client, "tara", TEST_PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "tara", "wrong-password").status_code == 200
    assert attempt(client, "tara", TEST_PASSWORD).status_code == 302


def test_admin_login_is_throttled_too(client, educator):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("admin:login"),
            {"username": "eddie", "password": "wrong-password"},
            REMOTE_ADDR=CLINIC_IP,
        )
    response = client.post(
        reverse("admin:login"),
        {"username": "eddie", "password": TEST_PASSWORD},
        REMOTE_ADDR=CLINIC_IP,
    )
    assert response.status_code == LOCKOUT_STATUS


def test_reset_command_unlocks_the_user(client, trainee):
    fail_until_locked("tara")
    out = StringIO()
    call_command("axes_reset_username", "tara", stdout=out)
    assert out.getvalue().strip() == "1 attempts removed."
    assert attempt(client, "tara", TEST_PASSWORD).status_code == 302


def test_superuser_unlocks_through_the_admin(client, trainee, superuser):
    fail_until_locked("tara")
    locked = AccessAttempt.objects.get(username="tara")
    admin_client = Client()
    admin_client.force_login(superuser)
    changelist = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200
    assert "tara" in changelist.content.decode()
    response = admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [locked.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert AccessAttempt.objects.filter(username="tara").exists() is False
    assert attempt(client, "tara", TEST_PASSWORD).status_code == 302


def test_educators_cannot_see_lockouts(educator_client):
    response = educator_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 403


def test_client_ip_ignores_forwarded_header_without_trusted_proxies(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.1"


def test_client_ip_takes_the_address_the_trusted_proxy_saw(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"


def test_changing_the_browser_signature_does_not_reset_the_count(client, trainee):
    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "tara", "password": "wrong-password"},
            REMOTE_ADDR=CLINIC_IP,
            HTTP_USER_AGENT=f"agent-{number}",
        )
    response = client.post(
        reverse("login"),
        {"username": "tara", "password": TEST_PASSWORD},
        REMOTE_ADDR=CLINIC_IP,
        HTTP_USER_AGENT="a-fresh-agent",
    )
    assert response.status_code == LOCKOUT_STATUS
