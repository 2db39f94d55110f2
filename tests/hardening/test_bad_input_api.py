"""Bad input, generated, for the API token pages and the API's invitation POST.

Besides "no 5xx, a message, nothing stored on a refusal": a token page never makes a token
for a bad form and never revokes another's; the API answers every refusal as problem
details and never adds or invites anyone for a refused body.
"""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from quizzes.api.services import api_token_create
from quizzes.models import ApiIdempotencyKey, ApiToken, CohortInvitation, CohortMembership
from tests.hardening.test_bad_input import (
    NASTY,
    OVERSIZED,
    counts,
    form,
    fuzz_settings,
    keep_cookies,
    or_valid,
    post_form,
    rolled_back,
    run_case,
    signed_in,
    values,
)

API_FUZZ = fuzz_settings(80)
TOKENS = counts(ApiToken)


def test_token_create_form_never_fails(world):
    client = signed_in(world.manager)
    restore = keep_cookies(client)
    url = reverse("api_tokens:create")
    fields = {"name": values("HR system", "Rota"), "days": values("1", "90", "3650", "0", "-5")}
    valid = {"name": st.just("HR system"), "days": st.sampled_from(["1", "90", "3650"])}

    @API_FUZZ
    @given(pairs=or_valid(valid, form(fields)))
    def case(pairs):
        restore()
        response = run_case(
            "api token create",
            lambda: post_form(client, url, pairs),
            allowed={200, 400},
            state=TOKENS,
        )
        if response.status_code == 200 and "tsk_" not in response.content.decode():
            assert "is-invalid" in response.content.decode() or "alert" in response.content.decode()

    case()


def test_token_revoke_never_reaches_another_managers_token(world):
    client = signed_in(world.other_manager)
    restore = keep_cookies(client)

    @API_FUZZ
    @given(token_id=st.one_of(st.just(world.api_token.pk), st.integers(0, 2**31 - 1)))
    def case(token_id):
        restore()
        url = reverse("api_tokens:revoke", kwargs={"token_id": token_id})
        run_case(
            "api token revoke (another's)",
            lambda: client.post(url),
            allowed={404},
            state=lambda: tuple(ApiToken.objects.values_list("pk", "revoked_at")),
        )

    case()


JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text()),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(), inner)),
    max_leaves=8,
)
EMAILS = st.one_of(
    st.sampled_from(["new@example.com", "tara@example.com", "a\x00b@example.com", "é@ex.com"]),
    NASTY,
    OVERSIZED,
    st.text(max_size=40),
)
BODIES = st.one_of(
    st.fixed_dictionaries(
        {"email": EMAILS},
        optional={"first_name": st.one_of(st.text(max_size=20), NASTY), "last_name": JSON_VALUE},
    ).map(json.dumps),
    JSON_VALUE.map(json.dumps),
    st.text(max_size=60),  # not JSON at all
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
)
KEYS = st.one_of(st.none(), st.just("retry-1"), st.text(max_size=10), OVERSIZED)
API_STATE = counts(CohortMembership, CohortInvitation, ApiIdempotencyKey)


def test_invitation_post_answers_problems_and_never_half_adds(world):
    _, plaintext = api_token_create(owner=world.manager, name="Fuzz", expires_at=None)
    client = Client()
    url = reverse("api:cohort_invitations", kwargs={"slug": world.cohort_a.slug})

    @API_FUZZ
    @given(body=BODIES, key=KEYS)
    def case(body, key):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key.replace("\n", " ")
        with rolled_back():
            before = API_STATE()
            response = client.generic(
                "POST",
                url,
                body.encode("utf-8", "surrogatepass"),
                content_type="application/json",
                **headers,
            )
            status = response.status_code
            assert status < 500, status
            assert status in {201, 400, 409, 422}, (status, response.content)
            if status >= 400:
                problem = response.json()
                assert response["Content-Type"] == "application/problem+json"
                assert problem["status"] == status and len(problem["detail"]) > 10
                assert API_STATE() == before

    case()
