"""Password spraying: failed log-ins from one address across usernames pause that address.

django-axes locks one username from one address (test_lockout.py); these are the
failures spread over many usernames, which axes never sees as a pattern.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.builders import TEST_PASSWORD, make_educator, make_trainee
from tests.trainingsite.test_accessibility import assert_accessible
from trainingsite.auth_views import LOGIN_ADDRESS_LIMITED, LOGIN_PAUSED_TITLE

pytestmark = pytest.mark.django_db

CLINIC_IP = "203.0.113.7"
OTHER_IP = "198.51.100.20"
MOMENT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def log_in(client: Client, username: str, password: str, ip: str = CLINIC_IP, admin=False):
    url = reverse("admin:login") if admin else reverse("login")
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def spray(count: int, ip: str = CLINIC_IP, admin=False) -> list[int]:
    """One wrong password for each of `count` different usernames; their statuses."""
    client = Client()
    return [
        log_in(client, f"person{n}", "Winter2026!", ip, admin).status_code for n in range(count)
    ]


@pytest.fixture
def small_limit(settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
    return settings.LOGIN_ADDRESS_FAILURE_LIMIT


def assert_paused(response, retry_after: int) -> None:
    assert response.status_code == 429
    assert response["Retry-After"] == str(retry_after)
    body = response.content.decode()
    assert LOGIN_ADDRESS_LIMITED in body
    assert f"<h1>{LOGIN_PAUSED_TITLE}</h1>" in body
    assert "rate_limited.html" in [t.name for t in response.templates]
    assert_accessible(response)


def test_spraying_fifty_usernames_from_one_address_pauses_it(trainee):
    with time_machine.travel(MOMENT, tick=False):
        statuses = spray(settings.LOGIN_ADDRESS_FAILURE_LIMIT)
        # The 51st try, even with a real account's right password, is refused.
        response = log_in(Client(), "tara", TEST_PASSWORD)
    assert statuses == [200] * 50
    assert_paused(response, retry_after=15 * 60)
    assert "_auth_user_id" not in Client().session


def test_other_addresses_are_not_affected(small_limit, trainee):
    spray(small_limit)
    assert log_in(Client(), "tara", TEST_PASSWORD, ip=OTHER_IP).status_code == 302


def test_a_clinics_ordinary_mistakes_stay_far_below_the_limit(db):
    # Twenty colleagues behind one address, each mistyping twice before getting it right.
    colleagues = [make_trainee(username=f"colleague{n}") for n in range(20)]
    for person in colleagues:
        client = Client()
        assert log_in(client, person.username, "typo").status_code == 200
        assert log_in(client, person.username, "typo again").status_code == 200
        assert log_in(client, person.username, TEST_PASSWORD).status_code == 302


def test_a_success_does_not_clear_the_addresss_count(small_limit, trainee):
    spray(small_limit - 1)
    assert log_in(Client(), "tara", TEST_PASSWORD).status_code == 302
    spray(1)
    assert log_in(Client(), "tara", TEST_PASSWORD).status_code == 429


def test_the_pause_ends_with_its_window(small_limit, trainee):
    with time_machine.travel(MOMENT, tick=False) as clock:
        spray(small_limit)
        clock.shift(timedelta(minutes=5))
        assert_paused(log_in(Client(), "tara", TEST_PASSWORD), retry_after=10 * 60)
        clock.shift(timedelta(minutes=10, seconds=1))
        assert log_in(Client(), "tara", TEST_PASSWORD).status_code == 302


def test_refused_tries_do_not_extend_the_pause(small_limit, trainee):
    with time_machine.travel(MOMENT, tick=False) as clock:
        spray(small_limit)
        for _ in range(5):
            clock.shift(timedelta(minutes=2))
            log_in(Client(), "nobody", "guess")
        clock.shift(timedelta(minutes=5, seconds=1))
        assert log_in(Client(), "tara", TEST_PASSWORD).status_code == 302


def test_the_admin_login_counts_toward_the_same_limit(small_limit, db):
    make_educator(username="eddie")
    statuses = spray(small_limit, admin=True)
    assert statuses == [200] * small_limit
    assert_paused(log_in(Client(), "eddie", TEST_PASSWORD), retry_after=15 * 60)
    assert log_in(Client(), "eddie", TEST_PASSWORD, admin=True).status_code == 429


def test_viewing_the_login_page_is_never_paused(small_limit):
    spray(small_limit)
    assert Client().get(reverse("login"), REMOTE_ADDR=CLINIC_IP).status_code == 200


def test_a_failure_while_signed_in_still_counts(small_limit, trainee):
    client = Client()
    client.force_login(trainee)
    for _ in range(small_limit):
        assert log_in(client, "someone-else", "guess").status_code == 200
    assert log_in(client, "someone-else", "guess").status_code == 429


def test_the_limit_and_window_follow_the_settings(settings, trainee):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    settings.LOGIN_ADDRESS_WINDOW_SECONDS = 60
    with time_machine.travel(MOMENT, tick=False):
        spray(2)
        assert_paused(log_in(Client(), "tara", TEST_PASSWORD), retry_after=60)
