"""Finding 1: a manager never pulls an existing account into their cohort by typing its address.

The account is invited; the manager sees nothing of it (record, attempts CSV,
revocation: 404) until its owner accepts, signed in as themselves.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from quizzes.cohorts.selectors import INVITATION_GONE
from quizzes.cohorts.services import (
    ERROR_INVITEE_NOT_TRAINEE,
    ERROR_NOT_A_TRAINEE,
    INVITATION_VALID_DAYS,
)
from quizzes.cohorts.views import (
    MESSAGE_ACCEPTED,
    MESSAGE_ADDED_EXISTING,
    MESSAGE_DECLINED,
    MESSAGE_INVITED,
    MESSAGE_WITHDRAWN,
)
from quizzes.models.cohorts import CohortInvitation
from tests.builders import (
    UserFactory,
    make_certificate,
    make_educator,
    make_manager,
    make_trainee,
)
from tests.builders.cohorts import make_invitation
from trainingsite.models import AuditEvent
from trainingsite.roles import Role

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://testserver(/reports/invitations/[A-Za-z0-9_-]+/)")


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _sight(client, world, certificate) -> list[int]:
    """The statuses of the outsider's record, attempts CSV and revocation page."""
    pk = world.outsider.pk
    return [
        client.get(reverse("reports:trainee", args=[pk])).status_code,
        client.get(reverse("reports:trainee_attempts_export", args=[pk])).status_code,
        client.get(reverse("certificates:revoke", args=[certificate.display_code])).status_code,
    ]


def _invite(client, world, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("cohorts:add", args=[world.cohort_a.slug]), {"email": email})


@pytest.fixture
def outsider_certificate(world):
    now = timezone.now()
    return make_certificate(
        world.outsider, world.program, issued_at=now, expires_at=now + timedelta(days=300)
    )


def test_adding_another_cohorts_trainee_invites_and_gives_no_sight(
    manager_client, world, outsider_certificate, django_capture_on_commit_callbacks
):
    response = _invite(
        manager_client, world, world.outsider.email, django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert _messages(response) == [MESSAGE_INVITED.format(email=world.outsider.email)]
    assert world.cohort_a.trainees.filter(pk=world.outsider.pk).exists() is False
    assert _sight(manager_client, world, outsider_certificate) == [404, 404, 404]
    # The trainees report does not list them either.
    table = manager_client.get(reverse("reports:trainees")).content.decode()
    assert "Sider" not in table
    # The e-mailed link asks the invited person to sign in, then shows the invitation.
    (message,) = mail.outbox
    assert message.to == [world.outsider.email]
    path = LINK.search(message.body).group(1)
    client = Client()
    anonymous = client.get(path)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"{reverse('login')}?next={path}"
    client.force_login(world.outsider)
    page = client.get(path)
    assert page.status_code == 200
    assert "Alpha Clinic" in page.content.decode()
    invitation = CohortInvitation.objects.get()
    accept = client.post(reverse("cohorts:invitation_accept", args=[invitation.pk]))
    assert accept.status_code == 302
    assert accept["Location"] == reverse("trainee_home")
    assert _messages(accept) == [MESSAGE_ACCEPTED.format(cohort="Alpha Clinic")]
    # Accepted: a member now, audited, and the manager sees them.
    assert world.cohort_a.trainees.filter(pk=world.outsider.pk).exists() is True
    invitation.refresh_from_db()
    assert invitation.status == CohortInvitation.Status.ACCEPTED
    assert invitation.closed_at is not None
    event = AuditEvent.objects.filter(action=AuditEvent.Action.COHORT_MEMBERSHIP_CHANGED).get()
    assert (event.actor, event.target_id) == (world.outsider, str(world.cohort_a.pk))
    assert event.details == {"added": [world.outsider.pk], "invitation": invitation.pk}
    assert _sight(manager_client, world, outsider_certificate) == [200, 200, 200]
    # The link has done its work.
    client.force_login(world.outsider)
    assert client.get(path).status_code == 404


def test_the_cohort_page_lists_pending_invitations_by_the_address_typed(manager_client, world):
    make_invitation(cohort=world.cohort_a, user=world.outsider, email="OUT.SIDER@Example.com")
    page = manager_client.get(reverse("cohorts:detail", args=[world.cohort_a.slug]))
    body = page.content.decode()
    assert "OUT.SIDER@Example.com" in body
    assert world.outsider.email not in body
    assert "Sider" not in body
    assert "Withdraw" in body


@pytest.mark.parametrize(
    "make_person",
    [
        lambda: make_educator(username="ed"),
        lambda: make_manager(username="mo"),
        lambda: UserFactory(username="staffer", is_staff=True),
        lambda: UserFactory(username="boss", is_staff=True, is_superuser=True),
    ],
    ids=["educator", "manager", "staff", "superuser"],
)
def test_educators_managers_and_staff_are_refused_with_a_clear_message(
    manager_client, world, make_person
):
    person = make_person()
    response = manager_client.post(
        reverse("cohorts:add", args=[world.cohort_a.slug]), {"email": person.email}
    )
    assert response.status_code == 400
    assert escape(ERROR_NOT_A_TRAINEE.format(email=person.email)) in response.content.decode()
    assert CohortInvitation.objects.exists() is False
    assert world.cohort_a.trainees.filter(pk=person.pk).exists() is False


def test_the_other_cohorts_manager_is_refused_too(manager_client, world, other_manager):
    response = manager_client.post(
        reverse("cohorts:add", args=[world.cohort_a.slug]), {"email": other_manager.email}
    )
    assert response.status_code == 400
    assert escape(ERROR_NOT_A_TRAINEE.format(email=other_manager.email)) in (
        response.content.decode()
    )


def test_superuser_adds_an_existing_trainee_directly(client, superuser, world):
    client.force_login(superuser)
    response = client.post(
        reverse("cohorts:add", args=[world.cohort_a.slug]), {"email": world.outsider.email}
    )
    assert response.status_code == 302
    assert _messages(response) == [MESSAGE_ADDED_EXISTING.format(email=world.outsider.email)]
    assert world.cohort_a.trainees.filter(pk=world.outsider.pk).exists() is True
    assert CohortInvitation.objects.exists() is False


def test_the_dashboard_shows_the_invitation_with_accept_and_decline(client, world, manager):
    invitation, _ = make_invitation(cohort=world.cohort_a, user=world.outsider, invited_by=manager)
    client.force_login(world.outsider)
    body = client.get(reverse("trainee_home")).content.decode()
    assert "Maya Manager has invited you to join <strong>Alpha Clinic</strong>" in body
    assert reverse("cohorts:invitation_accept", args=[invitation.pk]) in body
    assert reverse("cohorts:invitation_decline", args=[invitation.pk]) in body
    # Nobody else sees it.
    client.force_login(world.certified)
    assert "Alpha Clinic</strong>" not in client.get(reverse("trainee_home")).content.decode()


def test_decline_closes_the_invitation_and_adds_nothing(client, world):
    invitation, token = make_invitation(cohort=world.cohort_a, user=world.outsider)
    client.force_login(world.outsider)
    response = client.post(reverse("cohorts:invitation_decline", args=[invitation.pk]))
    assert response.status_code == 302
    assert _messages(response) == [MESSAGE_DECLINED.format(cohort="Alpha Clinic")]
    invitation.refresh_from_db()
    assert invitation.status == CohortInvitation.Status.DECLINED
    assert world.cohort_a.trainees.filter(pk=world.outsider.pk).exists() is False
    assert AuditEvent.objects.filter(action=AuditEvent.Action.COHORT_INVITATION_CLOSED).count() == 1
    # Answered once: accepting afterwards, or the link, is a 404.
    accept = client.post(reverse("cohorts:invitation_accept", args=[invitation.pk]))
    assert accept.status_code == 404
    assert escape(INVITATION_GONE) in accept.content.decode()
    assert client.get(reverse("cohorts:invitation", args=[token])).status_code == 404
    assert world.cohort_a.trainees.filter(pk=world.outsider.pk).exists() is False


def test_someone_elses_invitation_is_404_by_link_and_by_button(client, world):
    invitation, token = make_invitation(cohort=world.cohort_a, user=world.outsider)
    client.force_login(world.certified)
    assert client.get(reverse("cohorts:invitation", args=[token])).status_code == 404
    for name in ("cohorts:invitation_accept", "cohorts:invitation_decline"):
        assert client.post(reverse(name, args=[invitation.pk])).status_code == 404, name
    invitation.refresh_from_db()
    assert invitation.status == CohortInvitation.Status.PENDING
    assert world.cohort_a.trainees.filter(pk=world.certified.pk).count() == 1  # unchanged


@pytest.mark.parametrize("token", ["x" * 43, "short", "a%00b", "é" * 30, "A" * 65, "%ff"])
def test_unknown_or_malformed_invitation_links_are_404(client, world, token):
    client.force_login(world.outsider)
    # A NUL byte may be refused as a bad request before the view; never a 500.
    assert client.get(f"/reports/invitations/{token}/").status_code in (400, 404)


def test_answers_are_posts(client, world):
    invitation, _ = make_invitation(cohort=world.cohort_a, user=world.outsider)
    client.force_login(world.outsider)
    for name in ("cohorts:invitation_accept", "cohorts:invitation_decline"):
        assert client.get(reverse(name, args=[invitation.pk])).status_code == 405


def test_withdrawn_invitation_can_no_longer_be_accepted(manager_client, world):
    invitation, token = make_invitation(cohort=world.cohort_a, user=world.outsider)
    response = manager_client.post(
        reverse("cohorts:invitation_withdraw", args=[world.cohort_a.slug, invitation.pk])
    )
    assert response.status_code == 302
    assert _messages(response) == [MESSAGE_WITHDRAWN.format(email=world.outsider.email)]
    invitation.refresh_from_db()
    assert invitation.status == CohortInvitation.Status.WITHDRAWN
    again = manager_client.post(
        reverse("cohorts:invitation_withdraw", args=[world.cohort_a.slug, invitation.pk])
    )
    assert again.status_code == 404
    client = Client()
    client.force_login(world.outsider)
    assert client.get(reverse("cohorts:invitation", args=[token])).status_code == 404
    assert (
        client.post(reverse("cohorts:invitation_accept", args=[invitation.pk])).status_code == 404
    )
    assert world.cohort_a.trainees.filter(pk=world.outsider.pk).exists() is False


def test_an_invitation_expires_and_a_new_one_can_be_sent(
    manager_client, world, django_capture_on_commit_callbacks
):
    _invite(manager_client, world, world.outsider.email, django_capture_on_commit_callbacks)
    invitation = CohortInvitation.objects.get()
    path = LINK.search(mail.outbox[0].body).group(1)
    later = timezone.now() + timedelta(days=INVITATION_VALID_DAYS, minutes=1)
    with time_machine.travel(later, tick=False):
        client = Client()
        client.force_login(world.outsider)
        manager_client.force_login(world.cohort_a.managers.get())
        assert client.get(path).status_code == 404
        accept = client.post(reverse("cohorts:invitation_accept", args=[invitation.pk]))
        assert accept.status_code == 404
        assert "Alpha Clinic" not in client.get(reverse("trainee_home")).content.decode()
        page = manager_client.get(reverse("cohorts:detail", args=[world.cohort_a.slug]))
        assert page.context["invitations"] == []
        again = _invite(
            manager_client, world, world.outsider.email, django_capture_on_commit_callbacks
        )
        assert again.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == CohortInvitation.Status.EXPIRED
    assert CohortInvitation.objects.filter(status=CohortInvitation.Status.PENDING).count() == 1
    assert world.cohort_a.trainees.filter(pk=world.outsider.pk).exists() is False


def test_an_invitee_who_became_a_manager_cannot_accept(client, world):
    invitation, _ = make_invitation(cohort=world.cohort_a, user=world.outsider)
    world.outsider.groups.add(world.outsider.groups.model.objects.get(name=Role.MANAGER))
    client.force_login(world.outsider)
    response = client.post(reverse("cohorts:invitation_accept", args=[invitation.pk]))
    assert response.status_code == 403
    assert escape(ERROR_INVITEE_NOT_TRAINEE) in response.content.decode()
    assert world.cohort_a.trainees.filter(pk=world.outsider.pk).exists() is False


def test_one_open_invitation_per_cohort_and_account_is_a_database_rule(world):
    make_invitation(cohort=world.cohort_a, user=world.outsider)
    with pytest.raises(Exception, match="UNIQUE|unique|duplicate"):
        make_invitation(cohort=world.cohort_a, user=world.outsider)


def test_existing_members_and_history_are_untouched(manager_client, world):
    before = list(world.cohort_a.memberships.values_list("user_id", "joined_at"))
    make_invitation(cohort=world.cohort_a, user=world.outsider)
    assert list(world.cohort_a.memberships.values_list("user_id", "joined_at")) == before
    assert world.cohort_b.trainees.filter(pk=world.outsider.pk).exists() is True


def test_a_new_address_still_becomes_a_trainee_at_once(manager_client, world):
    trainee = make_trainee(username="unrelated")
    response = manager_client.post(
        reverse("cohorts:add", args=[world.cohort_a.slug]),
        {"email": "brand.new@example.com", "first_name": "Bran", "last_name": "New"},
    )
    assert response.status_code == 302
    assert world.cohort_a.trainees.filter(email="brand.new@example.com").exists() is True
    assert world.cohort_a.trainees.filter(pk=trainee.pk).exists() is False
