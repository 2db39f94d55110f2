"""A manager who loses the role (or the account) loses their API tokens for good."""

import pytest
from django.contrib.auth.models import Group

from quizzes.api.services import (
    TOKENS_REVOKED_WITH_ROLE,
    api_token_authenticate,
    api_token_create,
)
from quizzes.models import ApiToken
from tests.builders import make_manager
from trainingsite.models import AuditEvent
from trainingsite.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder():
    manager = make_manager(username="mona")
    _token, plaintext = api_token_create(owner=manager, name="HR system", expires_at=None)
    return manager, plaintext


def test_demotion_revokes_and_promotion_again_does_not_revive(holder):
    manager, plaintext = holder
    group = Group.objects.get(name=Role.MANAGER)
    manager.groups.remove(group)
    token = ApiToken.objects.get(owner=manager)
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action=AuditEvent.Action.API_TOKEN_REVOKED)
    assert TOKENS_REVOKED_WITH_ROLE in event.summary

    manager.groups.add(group)
    assert api_token_authenticate(plaintext) is None


def test_removal_from_the_group_side_and_a_clear_revoke_too(holder):
    manager, plaintext = holder
    Group.objects.get(name=Role.MANAGER).user_set.remove(manager)
    assert ApiToken.objects.get(owner=manager).revoked_at is not None

    other = make_manager(username="otto")
    api_token_create(owner=other, name="Payroll", expires_at=None)
    other.groups.clear()
    assert ApiToken.objects.get(owner=other).revoked_at is not None


def test_deactivation_revokes(holder):
    manager, plaintext = holder
    manager.is_active = False
    manager.save()
    manager.is_active = True
    manager.save()
    assert api_token_authenticate(plaintext) is None


def test_a_log_in_or_another_role_change_keeps_the_token(holder):
    manager, plaintext = holder
    manager.save(update_fields=["last_login"])
    manager.groups.add(Group.objects.get(name=Role.EDUCATOR))
    manager.groups.remove(Group.objects.get(name=Role.EDUCATOR))
    assert ApiToken.objects.get(owner=manager).revoked_at is None
    assert api_token_authenticate(plaintext) is not None
