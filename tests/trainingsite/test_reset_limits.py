"""Password-reset e-mails are limited per address typed and per client address.

The per-account count runs for every address typed, whether or not an account
has it, so its refusal looks the same for both: nobody learns who has an account.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.trainingsite.test_accessibility import assert_accessible
from trainingsite.auth_views import (
    RESET_ACCOUNT_LIMITED,
    RESET_ADDRESS_LIMITED,
    RESET_PAUSED_TITLE,
)

pytestmark = pytest.mark.django_db

CLINIC_IP = "203.0.113.7"
OTHER_IP = "198.51.100.20"
MOMENT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HOUR = 60 * 60


def ask(email: str, ip: str = CLINIC_IP):
    return Client().post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def assert_refused(response, message: str, retry_after: int) -> None:
    assert response.status_code == 429
    assert response["Retry-After"] == str(retry_after)
    body = response.content.decode()
    assert message in body
    assert f"<h1>{RESET_PAUSED_TITLE}</h1>" in body
    assert_accessible(response)


def test_three_mails_per_account_then_a_wait(trainee):
    with time_machine.travel(MOMENT, tick=False):
        answers = [ask(trainee.email) for _ in range(settings.PASSWORD_RESET_ACCOUNT_LIMIT)]
        fourth = ask(trainee.email, ip=OTHER_IP)  # another address does not help
    assert [a.status_code for a in answers] == [302] * 3
    assert all(a["Location"] == reverse("password_reset_done") for a in answers)
    assert len(mail.outbox) == 3
    assert_refused(fourth, RESET_ACCOUNT_LIMITED, retry_after=HOUR)
    assert len(mail.outbox) == 3


def test_the_account_refusal_is_the_same_whether_or_not_the_account_exists(trainee):
    with time_machine.travel(MOMENT, tick=False):
        for _ in range(3):
            ask(trainee.email)
            ask("nobody@example.com")
        known, unknown = ask(trainee.email), ask("nobody@example.com")
    assert (known.status_code, known["Retry-After"]) == (
        unknown.status_code,
        unknown["Retry-After"],
    )
    assert known.content == unknown.content
    assert RESET_ACCOUNT_LIMITED in unknown.content.decode()
    assert [m.to for m in mail.outbox] == [[trainee.email]] * 3


def test_the_address_is_counted_however_it_is_written(trainee):
    for variant in (trainee.email, trainee.email.upper(), f"  {trainee.email.title()} "):
        assert ask(variant).status_code == 302
    assert ask(trainee.email).status_code == 429
    assert len(mail.outbox) == 3


def test_ten_requests_per_client_address_then_a_wait(trainee):
    with time_machine.travel(MOMENT, tick=False):
        answers = [
            ask(f"person{n}@example.com") for n in range(settings.PASSWORD_RESET_ADDRESS_LIMIT)
        ]
        eleventh = ask(trainee.email)
        elsewhere = ask(trainee.email, ip=OTHER_IP)
    assert [a.status_code for a in answers] == [302] * 10
    assert_refused(eleventh, RESET_ADDRESS_LIMITED, retry_after=HOUR)
    assert elsewhere.status_code == 302
    assert [m.to for m in mail.outbox] == [[trainee.email]]  # only the one from elsewhere


def test_the_limits_end_with_their_window(trainee):
    with time_machine.travel(MOMENT, tick=False) as clock:
        for _ in range(3):
            ask(trainee.email)
        clock.shift(timedelta(minutes=45))
        assert_refused(ask(trainee.email), RESET_ACCOUNT_LIMITED, retry_after=15 * 60)
        clock.shift(timedelta(minutes=15, seconds=1))
        assert ask(trainee.email).status_code == 302
    assert len(mail.outbox) == 4


def test_an_invalid_form_counts_nothing_and_sends_nothing(trainee):
    for _ in range(settings.PASSWORD_RESET_ADDRESS_LIMIT + 1):
        response = ask("not-an-address")
        assert response.status_code == 200
    assert ask(trainee.email).status_code == 302
    assert len(mail.outbox) == 1


def test_viewing_the_form_is_never_limited(trainee):
    for n in range(settings.PASSWORD_RESET_ADDRESS_LIMIT + 1):
        ask(f"x{n}@example.com")
    assert Client().get(reverse("password_reset"), REMOTE_ADDR=CLINIC_IP).status_code == 200


def test_the_limits_follow_the_settings(settings, trainee):
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = 1
    settings.PASSWORD_RESET_WINDOW_SECONDS = 120
    with time_machine.travel(MOMENT, tick=False):
        assert ask(trainee.email).status_code == 302
        assert_refused(ask(trainee.email), RESET_ACCOUNT_LIMITED, retry_after=120)
