"""What every operation shares: cursors, conditional requests, idempotency, problems, limits."""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from quizzes.api.cursors import CURSOR_INVALID, cursor_make
from quizzes.api.endpoints import IDEMPOTENCY_KEY_INVALID
from quizzes.api.services import (
    ERROR_IDEMPOTENCY_MISMATCH,
    ERROR_TOKEN_INVALID,
    ERROR_TOKEN_MISSING,
    api_token_create,
    api_token_revoke,
)
from quizzes.models import ApiIdempotencyKey, CohortInvitation, CohortMembership
from tests.api.conftest import ApiClient
from tests.builders import make_trainee

pytestmark = pytest.mark.django_db

TRAINEES = reverse("api:trainees")
PROBLEM = "application/problem+json"


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail"}
    assert body["status"] == status and body["detail"]
    return body


# --- Cursor pagination ------------------------------------------------------------------


def test_cursor_pages_cover_every_trainee_once(superuser_api, api_world):
    for i in range(5):
        CohortMembership.objects.create(
            cohort=api_world.cohort_a, user=make_trainee(username=f"page{i}")
        )
    seen, url, pages = [], TRAINEES + "?limit=3", 0
    while url:
        body = superuser_api.get(url).json()
        seen += [item["id"] for item in body["items"]]
        url, pages = body["next"], pages + 1
        assert url is None or url.startswith("http://testserver/api/v1/trainees?")
    assert pages == 3
    assert (
        superuser_api.get(TRAINEES + "?limit=3").json()
        == superuser_api.get(TRAINEES + "?limit=3").json()
    )  # the same position, the same cursor: the ETag holds
    assert len(seen) == 7 and seen == sorted(set(seen))


def test_next_keeps_the_filters(superuser_api, api_world):
    for i in range(3):
        CohortMembership.objects.create(
            cohort=api_world.cohort_b, user=make_trainee(username=f"b{i}")
        )
    first = superuser_api.get(TRAINEES, {"limit": 2, "cohort": api_world.cohort_b.slug}).json()
    assert f"cohort={api_world.cohort_b.slug}" in first["next"]
    second = superuser_api.get(first["next"]).json()
    assert len(first["items"]) + len(second["items"]) == 4 and second["next"] is None


@pytest.mark.parametrize(
    "cursor",
    [
        "abc",
        "x" * 201,
        cursor_make(resource="certificates", last=1),  # another list's
        cursor_make(resource="trainees", last=1)[:-2] + "zz",  # tampered
    ],
    ids=["junk", "too-long", "other-list", "tampered"],
)
def test_bad_cursor_is_a_400_problem(manager_api, cursor):
    response = manager_api.get(TRAINEES, {"cursor": cursor})
    status = 422 if len(cursor) > 200 else 400
    body = _problem(response, status)
    if status == 400:
        assert body["detail"] == CURSOR_INVALID


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "9" * 40])
def test_limit_out_of_range_is_a_422_problem(manager_api, limit):
    body = _problem(manager_api.get(TRAINEES, {"limit": limit}), 422)
    assert body["errors"][0]["loc"] == ["query", "limit"]


# --- Conditional requests ---------------------------------------------------------------


def test_etag_answers_304_until_the_list_changes(manager_api, api_world):
    first = manager_api.get(TRAINEES)
    etag = first["ETag"]
    assert re.match(r'^"[0-9a-f]{32}"$', etag)
    unchanged = manager_api.get(TRAINEES, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged["ETag"] == etag
    CohortMembership.objects.create(cohort=api_world.cohort_a, user=make_trainee(username="new"))
    changed = manager_api.get(TRAINEES, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_certificate_last_modified_and_if_modified_since(manager_api, api_world, manager):
    url = reverse("api:certificates")
    first = manager_api.get(url)
    issued = api_world.certificate.issued_at
    assert first["Last-Modified"] == http_date(issued.timestamp())
    later = http_date((issued + timedelta(minutes=1)).timestamp())
    assert manager_api.get(url, HTTP_IF_MODIFIED_SINCE=later).status_code == 304
    earlier = http_date((issued - timedelta(minutes=1)).timestamp())
    assert manager_api.get(url, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200
    # A revocation is a change: the page is no longer "not modified".
    api_world.certificate.revoked_at = timezone.now() + timedelta(minutes=2)
    api_world.certificate.revoke_reason = "Issued in error."
    api_world.certificate.save()
    assert manager_api.get(url, HTTP_IF_MODIFIED_SINCE=later).status_code == 200


def test_if_none_match_wins_over_if_modified_since(manager_api, api_world):
    url = reverse("api:certificates")
    later = http_date((api_world.certificate.issued_at + timedelta(days=1)).timestamp())
    response = manager_api.get(url, HTTP_IF_NONE_MATCH='"other"', HTTP_IF_MODIFIED_SINCE=later)
    assert response.status_code == 200


# --- Idempotency ------------------------------------------------------------------------


def _invite(client, api_world, body, key):
    url = reverse("api:cohort_invitations", kwargs={"slug": api_world.cohort_a.slug})
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(url, json.dumps(body), **extra)


def test_repeat_with_the_same_key_has_no_second_effect(manager_api, api_world, other_trainee):
    body = {"email": other_trainee.email}
    first = _invite(manager_api, api_world, body, "retry-1")
    again = _invite(manager_api, api_world, body, "retry-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert CohortInvitation.objects.filter(user=other_trainee).count() == 1
    assert ApiIdempotencyKey.objects.count() == 1


def test_without_a_key_a_repeat_is_refused_by_the_rules(manager_api, api_world, other_trainee):
    body = {"email": other_trainee.email}
    assert _invite(manager_api, api_world, body, None).status_code == 201
    _problem(_invite(manager_api, api_world, body, None), 409)
    assert CohortInvitation.objects.filter(user=other_trainee).count() == 1


def test_same_key_with_another_body_is_a_409(manager_api, api_world, other_trainee):
    _invite(manager_api, api_world, {"email": other_trainee.email}, "k")
    body = _problem(_invite(manager_api, api_world, {"email": "someone@example.com"}, "k"), 409)
    assert body["detail"] == ERROR_IDEMPOTENCY_MISMATCH
    assert not CohortMembership.objects.filter(user__email="someone@example.com").exists()


def test_keys_belong_to_their_token(manager_api, api_world, manager, other_trainee):
    other = ApiClient(api_token_create(owner=manager, name="Second", expires_at=None)[1])
    _invite(manager_api, api_world, {"email": "first@example.com"}, "shared")
    response = _invite(other, api_world, {"email": other_trainee.email}, "shared")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response


def test_a_refused_request_stores_nothing_so_a_retry_can_succeed(manager_api, api_world, trainee):
    _problem(_invite(manager_api, api_world, {"email": trainee.email}, "k2"), 409)
    assert ApiIdempotencyKey.objects.count() == 0


@pytest.mark.parametrize("key", ["", "a" * 256, "has space", "é"])
def test_bad_idempotency_key_is_a_400(manager_api, api_world, key):
    body = _problem(_invite(manager_api, api_world, {"email": "a@example.com"}, key), 400)
    assert body["detail"] == IDEMPOTENCY_KEY_INVALID


# --- Authentication and problems --------------------------------------------------------


def test_missing_and_invalid_tokens_are_401_problems(client, manager_api, api_world, manager):
    assert _problem(client.get(TRAINEES), 401)["detail"] == ERROR_TOKEN_MISSING
    response = client.get(TRAINEES, HTTP_AUTHORIZATION="Bearer tsk_wrong")
    assert _problem(response, 401)["detail"] == ERROR_TOKEN_INVALID
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_session_opens_nothing(client, manager, api_world):
    client.force_login(manager)
    _problem(client.get(TRAINEES), 401)


def test_revoked_token_is_refused_at_once(manager, api_world):
    token, plaintext = api_token_create(owner=manager, name="Soon gone", expires_at=None)
    client = ApiClient(plaintext)
    assert client.get(TRAINEES).status_code == 200
    api_token_revoke(token=token, actor=manager)
    _problem(client.get(TRAINEES), 401)


def test_wrong_method_unknown_path_and_bad_json_are_problems(manager_api, api_world):
    response = manager_api.client.delete(TRAINEES, **manager_api.headers)
    _problem(response, 405)
    assert response["Allow"] == "GET"
    _problem(manager_api.get("/api/v1/no-such-thing"), 404)
    url = reverse("api:cohort_invitations", kwargs={"slug": api_world.cohort_a.slug})
    _problem(manager_api.post(url, "{not json"), 400)
    _problem(manager_api.post(url, json.dumps({"email": "a@example.com", "extra": 1})), 422)


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_rate_limit_per_token_answers_429_with_retry_after(manager_api, other_manager_api):
    for _ in range(3):
        assert manager_api.get(TRAINEES).status_code == 200
    response = manager_api.get(TRAINEES)
    _problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60
    assert other_manager_api.get(TRAINEES).status_code == 200  # another token's own count


# --- The document and the docs ----------------------------------------------------------


def test_openapi_document_is_3_1_and_names_every_operation(client):
    document = client.get(reverse("api:openapi-json")).json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) >= {
        "/api/v1/trainees",
        "/api/v1/trainees/{trainee_id}",
        "/api/v1/certificates",
        "/api/v1/certificates/{code}",
        "/api/v1/cohorts",
        "/api/v1/cohorts/{slug}/members",
        "/api/v1/cohorts/{slug}/invitations",
    }


def test_docs_page_uses_only_the_sites_own_static_scripts(client):
    response = client.get(reverse("api:openapi-view"))
    page = response.content.decode()
    assert response.status_code == 200
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    for attributes, content in scripts:
        if 'type="application/json"' in attributes:
            continue  # data, never run
        assert content.strip() == "", "an inline script would break the CSP"
        source = re.search(r'src="/static/([^"]+)"', attributes).group(1)
        assert finders.find(source), source
    assert "cdn" not in page.lower()
    assert "script-src 'self'" in response["Content-Security-Policy"]
