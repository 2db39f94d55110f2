"""Finding 3: an account made with a join code owns its e-mail address only once the link
sent to that address was followed; until then it is never matched by e-mail."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from quizzes.cohorts.selectors import CONFIRM_LINK_GONE, users_by_email
from quizzes.cohorts.services import (
    ERROR_UNCONFIRMED_SIGNUP,
    Added,
    CohortError,
    cohort_add_trainee,
)
from quizzes.cohorts.signup import (
    ERROR_EMAIL_TAKEN,
    SIGNUP_CONFIRM_VALID_HOURS,
    cohort_join,
    signup_confirm,
)
from quizzes.cohorts.tokens import join_code_format, join_code_new
from quizzes.cohorts.views import (
    MESSAGE_CONFIRM_RESENT,
    MESSAGE_CONFIRM_SENT,
    MESSAGE_CONFIRMED,
    MESSAGE_NOTHING_TO_CONFIRM,
    RESEND_RATE,
)
from quizzes.models.cohorts import CohortInvitation, SignupConfirmation
from tests.builders import make_cohort
from tests.builders.cohorts import make_signup
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db
User = get_user_model()
SITE = {"domain": "testserver", "use_https": False}
LINK = re.compile(r"http://testserver(/reports/join/confirm/[A-Za-z0-9_-]+/)")
PASSWORD = "river-bank-lantern-42"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _sign_up(client, django_capture_on_commit_callbacks, email="colleague@example.com"):
    cohort = make_cohort(name="Riverside", join_code=join_code_new())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cohorts:join", args=[join_code_format(cohort.join_code)]),
            {
                "first_name": "Sam",
                "last_name": "Squatter",
                "email": email,
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response.status_code == 302
    return response, User.objects.get(email=email)


def test_a_join_sign_up_is_e_mailed_a_link_and_told_it_is_unconfirmed(
    client, django_capture_on_commit_callbacks
):
    response, user = _sign_up(client, django_capture_on_commit_callbacks)
    assert MESSAGE_CONFIRM_SENT.format(email=user.email) in _messages(response)
    (message,) = mail.outbox
    assert message.to == ["colleague@example.com"]
    assert message.subject == "Confirm your e-mail address for the training"
    assert LINK.search(message.body)
    confirmation = SignupConfirmation.objects.get(user=user)
    assert confirmation.confirmed_at is None
    assert confirmation.email == "colleague@example.com"
    dashboard = client.get(reverse("trainee_home")).content.decode()
    assert "is not confirmed yet" in dashboard
    assert reverse("cohorts:signup_confirm_resend") in dashboard


def test_an_unconfirmed_sign_up_is_never_matched_by_its_address(
    manager, django_capture_on_commit_callbacks
):
    user, _ = make_signup(email="colleague@example.com")
    assert users_by_email(["COLLEAGUE@example.com"]) == {}
    cohort = make_cohort(managers=[manager])
    with pytest.raises(CohortError) as exc:
        cohort_add_trainee(cohort=cohort, actor=manager, email="Colleague@Example.com", **SITE)
    assert str(exc.value) == ERROR_UNCONFIRMED_SIGNUP.format(email="Colleague@Example.com")
    # Neither matched, nor duplicated, nor invited.
    assert User.objects.filter(email__iexact="colleague@example.com").count() == 1
    assert CohortInvitation.objects.exists() is False
    assert cohort.trainees.exists() is False


def test_the_manager_sees_a_refusal_that_names_no_account(manager_client, manager):
    make_signup(email="colleague@example.com", first_name="Secret", last_name="Name")
    cohort = make_cohort(managers=[manager])
    response = manager_client.post(
        reverse("cohorts:add", args=[cohort.slug]), {"email": "colleague@example.com"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert escape(ERROR_UNCONFIRMED_SIGNUP.format(email="colleague@example.com")) in body
    assert "Secret" not in body


def test_once_confirmed_the_address_is_matched_and_invited(
    client, manager, django_capture_on_commit_callbacks
):
    response, user = _sign_up(client, django_capture_on_commit_callbacks)
    path = LINK.search(mail.outbox[0].body).group(1)
    visitor = Client()
    page = visitor.get(path)
    assert page.status_code == 200
    assert "Confirm my address" in page.content.decode()
    # Opening the link changes nothing (mail scanners open links); the button confirms.
    assert SignupConfirmation.objects.get(user=user).confirmed_at is None
    confirmed = visitor.post(path)
    assert confirmed.status_code == 302
    assert _messages(confirmed) == [MESSAGE_CONFIRMED]
    confirmation = SignupConfirmation.objects.get(user=user)
    assert confirmation.confirmed_at is not None
    assert confirmation.token_digest is None
    event = AuditEvent.objects.get(action=AuditEvent.Action.EMAIL_CONFIRMED)
    assert (event.actor, event.target_id) == (user, str(user.pk))
    assert users_by_email(["colleague@example.com"]) == {"colleague@example.com": [user.pk]}
    cohort = make_cohort(managers=[manager])
    result = cohort_add_trainee(cohort=cohort, actor=manager, email=user.email, **SITE)
    assert result.outcome == Added.INVITED
    assert "is not confirmed yet" not in client.get(reverse("trainee_home")).content.decode()


def test_a_confirmation_link_works_once(client, django_capture_on_commit_callbacks):
    _, user = _sign_up(client, django_capture_on_commit_callbacks)
    path = LINK.search(mail.outbox[0].body).group(1)
    assert client.post(path).status_code == 302
    for method in (client.get, client.post):
        reused = method(path)
        assert reused.status_code == 404
        assert escape(CONFIRM_LINK_GONE) in reused.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EMAIL_CONFIRMED).count() == 1


def test_a_confirmation_link_expires_and_a_new_one_replaces_it(
    client, django_capture_on_commit_callbacks
):
    _, user = _sign_up(client, django_capture_on_commit_callbacks)
    old_path = LINK.search(mail.outbox[0].body).group(1)
    later = timezone.now() + timedelta(hours=SIGNUP_CONFIRM_VALID_HOURS, minutes=1)
    with time_machine.travel(later, tick=False):
        visitor = Client()
        assert visitor.get(old_path).status_code == 404
        assert visitor.post(old_path).status_code == 404
        assert SignupConfirmation.objects.get(user=user).confirmed_at is None
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            resent = client.post(reverse("cohorts:signup_confirm_resend"))
        assert resent.status_code == 302
        assert MESSAGE_CONFIRM_RESENT.format(email=user.email) in _messages(resent)
        new_path = LINK.search(mail.outbox[-1].body).group(1)
        assert new_path != old_path
        assert visitor.post(new_path).status_code == 302
    assert SignupConfirmation.objects.get(user=user).confirmed_at is not None


def test_a_resent_link_replaces_the_old_one(client, django_capture_on_commit_callbacks):
    _, user = _sign_up(client, django_capture_on_commit_callbacks)
    old_path = LINK.search(mail.outbox[0].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("cohorts:signup_confirm_resend"))
    assert Client().post(old_path).status_code == 404
    assert Client().post(LINK.search(mail.outbox[-1].body).group(1)).status_code == 302


def test_resending_is_limited_per_account(client, django_capture_on_commit_callbacks):
    _, user = _sign_up(client, django_capture_on_commit_callbacks)
    url = reverse("cohorts:signup_confirm_resend")
    with time_machine.travel(timezone.now(), tick=False):
        assert [client.post(url).status_code for _ in range(RESEND_RATE.limit)] == [302] * 3
        refused = client.post(url)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(RESEND_RATE.window)


def test_resending_needs_a_sign_in_and_a_post(client, trainee_client):
    assert Client().post(reverse("cohorts:signup_confirm_resend")).status_code == 302
    assert trainee_client.get(reverse("cohorts:signup_confirm_resend")).status_code == 405
    nothing = trainee_client.post(reverse("cohorts:signup_confirm_resend"))
    assert _messages(nothing) == [MESSAGE_NOTHING_TO_CONFIRM]
    assert mail.outbox == []


@pytest.mark.parametrize("token", ["x" * 43, "short", "a%00b", "%ff" * 20])
def test_unknown_or_malformed_confirmation_links_are_404(client, token):
    assert client.get(f"/reports/join/confirm/{token}/").status_code in (400, 404)
    assert client.post(f"/reports/join/confirm/{token}/").status_code in (400, 404)


def test_the_same_address_cannot_sign_up_twice_while_unconfirmed():
    make_signup(email="colleague@example.com")
    cohort = make_cohort(join_code=join_code_new())
    with pytest.raises(CohortError) as exc:
        cohort_join(
            cohort=cohort,
            first_name="S",
            last_name="T",
            email="COLLEAGUE@example.com",
            password=PASSWORD,
            **SITE,
        )
    assert str(exc.value) == ERROR_EMAIL_TAKEN
    assert User.objects.filter(email__iexact="colleague@example.com").count() == 1


def test_the_join_with_a_used_email_is_refused(trainee):
    cohort = make_cohort(join_code=join_code_new())
    with pytest.raises(CohortError) as exc:
        cohort_join(
            cohort=cohort,
            first_name="T",
            last_name="T",
            email=trainee.email.upper(),
            password=PASSWORD,
            **SITE,
        )
    assert str(exc.value) == ERROR_EMAIL_TAKEN


def test_accounts_made_by_managers_are_matched_as_before(manager, trainee):
    assert users_by_email([trainee.email]) == {trainee.email: [trainee.pk]}


def test_confirming_by_the_service_twice_is_refused():
    user, token = make_signup(email="twice@example.com")
    assert signup_confirm(token=token) == user
    with pytest.raises(CohortError):
        signup_confirm(token=token)
