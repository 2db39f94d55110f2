"""API tokens: made with secrets, stored as digests only, refused once revoked or expired."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from quizzes.api.services import (
    ERROR_ALREADY_REVOKED,
    ERROR_EXPIRY_PAST,
    ERROR_NAME_REQUIRED,
    ERROR_OWNER_INACTIVE,
    ERROR_OWNER_NOT_MANAGER,
    ApiTokenError,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from quizzes.models import ApiToken
from trainingsite.models import AuditEvent
from trainingsite.roles import Role

pytestmark = pytest.mark.django_db

TOKEN_FORMAT = re.compile(r"^tsk_[0-9a-f]{8}[A-Za-z0-9_-]{43}$")


def test_token_is_shown_once_and_stored_only_as_its_digest(manager):
    token, plaintext = api_token_create(owner=manager, name="HR", expires_at=None)
    assert TOKEN_FORMAT.match(plaintext)
    assert token.prefix == plaintext[4:12]
    assert token.digest == hashlib.sha256(plaintext.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert plaintext not in {str(value) for value in stored.values()}


def test_two_tokens_differ(manager):
    first = api_token_create(owner=manager, name="A", expires_at=None)[1]
    second = api_token_create(owner=manager, name="B", expires_at=None)[1]
    assert first != second


def test_creation_and_revocation_are_audited(manager):
    token, _ = api_token_create(owner=manager, name="HR", expires_at=None)
    api_token_revoke(token=token, actor=manager)
    actions = list(
        AuditEvent.objects.filter(target_type="quizzes.apitoken", target_id=str(token.pk))
        .order_by("id")
        .values_list("action", "actor_id")
    )
    assert actions == [
        (AuditEvent.Action.API_TOKEN_CREATED, manager.pk),
        (AuditEvent.Action.API_TOKEN_REVOKED, manager.pk),
    ]


@pytest.mark.parametrize("persona", ["trainee", "educator", "assessor"])
def test_only_managers_and_superusers_may_own_tokens(request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(ApiTokenError, match=ERROR_OWNER_NOT_MANAGER):
        api_token_create(owner=user, name="HR", expires_at=None)
    assert ApiToken.objects.count() == 0


def test_superuser_may_own_a_token(superuser):
    token, plaintext = api_token_create(owner=superuser, name="HR", expires_at=None)
    assert api_token_authenticate(plaintext) == token


def test_inactive_manager_may_not_own_a_token(manager):
    manager.is_active = False
    manager.save()
    with pytest.raises(ApiTokenError, match=ERROR_OWNER_INACTIVE):
        api_token_create(owner=manager, name="HR", expires_at=None)


def test_name_is_required_and_expiry_in_the_future(manager):
    with pytest.raises(ApiTokenError, match=ERROR_NAME_REQUIRED):
        api_token_create(owner=manager, name="   ", expires_at=None)
    with pytest.raises(ApiTokenError, match=ERROR_EXPIRY_PAST):
        api_token_create(owner=manager, name="HR", expires_at=timezone.now())


def test_revoked_token_no_longer_authenticates_and_revoking_twice_is_refused(manager):
    token, plaintext = api_token_create(owner=manager, name="HR", expires_at=None)
    api_token_revoke(token=token, actor=manager)
    assert api_token_authenticate(plaintext) is None
    with pytest.raises(ApiTokenError, match=ERROR_ALREADY_REVOKED):
        api_token_revoke(token=token, actor=manager)


def test_expired_token_no_longer_authenticates(manager):
    expires = timezone.now() + timedelta(days=1)
    token, plaintext = api_token_create(owner=manager, name="HR", expires_at=expires)
    assert api_token_authenticate(plaintext, now=expires - timedelta(seconds=1)) == token
    assert api_token_authenticate(plaintext, now=expires) is None


def test_token_of_a_manager_who_lost_the_role_opens_nothing(manager):
    _, plaintext = api_token_create(owner=manager, name="HR", expires_at=None)
    manager.groups.remove(Group.objects.get(name=Role.MANAGER))
    assert api_token_authenticate(plaintext) is None


@pytest.mark.parametrize(
    "sent", ["", "tsk_", "Bearer", "tsk_" + "a" * 200, "tsk_é" * 3, "nottsk_abc", "tsk_\x00"]
)
def test_malformed_tokens_are_refused(manager, sent):
    api_token_create(owner=manager, name="HR", expires_at=None)
    assert api_token_authenticate(sent) is None


def test_last_used_is_written_at_most_once_a_minute(manager):
    token, plaintext = api_token_create(owner=manager, name="HR", expires_at=None)
    start = timezone.now()
    api_token_authenticate(plaintext, now=start)
    api_token_authenticate(plaintext, now=start + timedelta(seconds=59))
    token.refresh_from_db()
    assert token.last_used_at == start
    later = start + timedelta(seconds=61)
    api_token_authenticate(plaintext, now=later)
    token.refresh_from_db()
    assert token.last_used_at == later
