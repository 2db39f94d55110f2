"""manage.py create_api_token: prints the token once, for managers and superusers only."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from quizzes.api.services import ERROR_OWNER_NOT_MANAGER, api_token_authenticate
from quizzes.management.commands.create_api_token import DAYS_RANGE, NO_SUCH_USER
from quizzes.models import ApiToken

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue().strip()


def test_prints_a_working_token_that_expires_in_the_given_days(manager):
    plaintext = _run("maya", "--name", "Rota sync", "--days", "30")
    assert re.match(r"^tsk_\S+$", plaintext)
    token = api_token_authenticate(plaintext)
    assert token.owner == manager and token.name == "Rota sync"
    expected = timezone.now() + timedelta(days=30)
    assert abs((token.expires_at - expected).total_seconds()) < 60


def test_default_expiry_is_ninety_days_and_zero_means_never(manager):
    api_token_authenticate(_run("maya", "--name", "A"))
    never = api_token_authenticate(_run("maya", "--name", "B", "--days", "0"))
    default = ApiToken.objects.get(name="A")
    assert (default.expires_at - default.created_at).days in (89, 90)
    assert never.expires_at is None


def test_refuses_a_trainee_and_an_unknown_user(trainee):
    with pytest.raises(CommandError, match=ERROR_OWNER_NOT_MANAGER):
        _run("tara", "--name", "HR")
    with pytest.raises(CommandError, match=re.escape(NO_SUCH_USER.format(username="nobody"))):
        _run("nobody", "--name", "HR")
    with pytest.raises(CommandError, match=re.escape(DAYS_RANGE)):
        _run("tara", "--name", "HR", "--days", "-1")
    assert ApiToken.objects.count() == 0
