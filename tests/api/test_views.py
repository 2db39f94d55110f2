"""The API token pages: list, create (shown once), revoke (own tokens; a superuser any)."""

import re

import pytest
from django.urls import reverse

from quizzes.api.services import ERROR_ALREADY_REVOKED, api_token_authenticate, api_token_create
from quizzes.api.views import TOKEN_REVOKED
from quizzes.models import ApiToken

pytestmark = pytest.mark.django_db

LIST = reverse("api_tokens:list")
CREATE = reverse("api_tokens:create")


def _revoke_url(token):
    return reverse("api_tokens:revoke", kwargs={"token_id": token.pk})


def test_create_shows_the_token_once_and_it_works(manager_client, manager):
    response = manager_client.post(CREATE, {"name": "HR system", "days": "30"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    plaintext = re.search(r'value="(tsk_[^"]+)"', response.content.decode()).group(1)
    token = api_token_authenticate(plaintext)
    assert token.owner == manager and token.name == "HR system"
    listing = manager_client.get(LIST).content.decode()
    assert "HR system" in listing and f"tsk_{token.prefix}…" in listing
    assert plaintext not in listing


def test_create_form_defaults_to_ninety_days_and_refuses_bad_days(manager_client):
    page = manager_client.get(CREATE).content.decode()
    assert 'value="90"' in page
    response = manager_client.post(CREATE, {"name": "HR", "days": "0"})
    assert response.status_code == 400 and ApiToken.objects.count() == 0
    assert "is-invalid" in response.content.decode()


def test_manager_sees_only_own_tokens_superuser_sees_all(client, manager, other_manager, superuser):
    api_token_create(owner=manager, name="Mine", expires_at=None)
    api_token_create(owner=other_manager, name="Theirs", expires_at=None)
    client.force_login(manager)
    page = client.get(LIST).content.decode()
    assert "Mine" in page and "Theirs" not in page
    client.force_login(superuser)
    page = client.get(LIST).content.decode()
    assert "Mine" in page and "Theirs" in page


def test_revoke_own_token(manager_client, manager):
    token, plaintext = api_token_create(owner=manager, name="HR", expires_at=None)
    response = manager_client.post(_revoke_url(token), follow=True)
    assert TOKEN_REVOKED.format(name="HR") in response.content.decode()
    assert api_token_authenticate(plaintext) is None
    again = manager_client.post(_revoke_url(token), follow=True)
    assert ERROR_ALREADY_REVOKED in again.content.decode()


def test_other_manager_cannot_revoke_a_token_superuser_can(
    client, manager, other_manager, superuser
):
    token, plaintext = api_token_create(owner=manager, name="HR", expires_at=None)
    client.force_login(other_manager)
    assert client.post(_revoke_url(token)).status_code == 404
    assert api_token_authenticate(plaintext) is not None
    client.force_login(superuser)
    assert client.post(_revoke_url(token)).status_code == 302
    assert api_token_authenticate(plaintext) is None


@pytest.mark.parametrize("persona", ["trainee", "educator", "assessor"])
def test_pages_are_for_managers(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(LIST).status_code == 403
    assert client.post(CREATE, {"name": "HR", "days": "30"}).status_code == 403
    assert ApiToken.objects.count() == 0


def test_reports_navigation_links_the_token_page(manager_client):
    page = manager_client.get(reverse("reports:overview")).content.decode()
    assert f'href="{LIST}"' in page
