"""Schemathesis against the API's own OpenAPI document: every operation, on real data.

The document is loaded from the site itself (/api/v1/openapi.json through WSGI), so it is
the one clients read. Every operation is called with generated requests, valid and invalid
(the coverage phase's boundary values, then Hypothesis' draws), under a manager's token;
then with a revoked token and with none. Every answer must be no 5xx and exactly what the
document declares: status, media type, body schema and headers. Generated ids, slugs, codes
and cursors rarely hit a row, so half the draws take the world's real ones (`flatmap_case`)
and reach the 200 answers' schemas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from quizzes.api.cursors import cursor_make
from quizzes.api.problems import PROBLEM_CONTENT_TYPE
from quizzes.api.services import api_token_revoke
from quizzes.models import ApiToken, CpdEntry
from tests.api.conftest import token_for
from tests.builders import graded_attempt, make_trainee, practice_attempt
from tests.builders.cohorts import make_invitation

pytestmark = pytest.mark.django_db

OPENAPI_PATH = "/api/v1/openapi.json"


def _schema(*, phases: list[str]):
    schema = schemathesis.openapi.from_wsgi(OPENAPI_PATH, get_wsgi_application())
    schema.config.phases.update(phases=phases)
    # The token is the test's own (`_send`), not a random one on half of the draws.
    schema.config.generation.update(with_security_parameters=False)
    return schema


SCHEMA = _schema(phases=["examples", "coverage", "fuzzing"])
# Without a valid token every answer is the same 401: a few draws say it, not the coverage set.
UNAUTHENTICATED_SCHEMA = _schema(phases=["fuzzing"])

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
# positive_data_acceptance stays off: a well-formed but forged cursor is a 400 by design
# (quizzes/api/cursors.py), and an opaque cursor has no schema that could say so.
# ignored_auth (two more requests after every 2xx) is left to the no-valid-token test,
# which sends every operation's draws with a revoked token, a made-up one and none.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    missing_required_header,
    unsupported_method,
]
# The cursors' list names, by path (endpoints.py).
CURSOR_RESOURCES = {
    "/api/v1/trainees": "trainees",
    "/api/v1/certificates": "certificates",
    "/api/v1/cohorts": "cohorts",
    "/api/v1/attempts": "attempts",
    "/api/v1/cpd": "cpd",
}


@dataclass
class Known:
    """The current test's token and its world's real values, read when a case is drawn."""

    token: str | None = None
    values: dict[str, list] = field(default_factory=dict)
    cursors: dict[str, list[str]] = field(default_factory=dict)


KNOWN = Known()


def _swap(container: dict, indexes: tuple[int, ...], *, path: str) -> dict:
    swapped = dict(container)
    for (name, value), index in zip(sorted(swapped.items()), indexes, strict=False):
        choices = KNOWN.cursors.get(path, []) if name == "cursor" else KNOWN.values.get(name, [])
        swapped[name] = choices[index % len(choices)] if choices else value
    return swapped


@SCHEMA.hook
def flatmap_case(context, case):
    """Half the draws: each parameter the world has real values for takes one of them.

    Schemathesis re-reads a changed case against the schema, so a negative case that a swap
    made valid is judged as valid.
    """
    path = context.operation.path
    in_path = len(case.path_parameters or {})
    width = in_path + len(case.query or {})

    def swapped(indexes: tuple[int, ...]):
        if case.path_parameters:
            case.path_parameters = _swap(case.path_parameters, indexes[:in_path], path=path)
        if case.query:
            case.query = _swap(case.query, indexes[in_path:], path=path)
        return case

    if not width:
        return st.just(case)
    return st.one_of(st.just(case), st.tuples(*[st.integers(0, 7)] * width).map(swapped))


@pytest.fixture
def keep_test_connection():
    """Keep the test's transaction open across requests, as Django's test client does.

    The WSGI handler closes the connection after each request; on PostgreSQL that would end
    the test's transaction (SQLite's in-memory database is never closed).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def schemathesis_world(keep_test_connection, api_world, trainee, other_trainee, manager, settings):
    """api_world plus attempts, CPD entries, an open invitation and a second member."""
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000
    quiz = api_world.program.required_quizzes.get()
    now = timezone.now()
    newcomer = make_trainee(username="nina", first_name="Nina", last_name="Newcomer")
    api_world.cohort_a.memberships.create(user=newcomer)
    for minutes in (5, 50):
        graded_attempt(trainee, quiz, at=now - timedelta(minutes=minutes))
    practice_attempt(newcomer, quiz, at=now - timedelta(hours=2))
    graded_attempt(other_trainee, quiz, passed=False)
    for status in (CpdEntry.Status.RECORDED, CpdEntry.Status.PENDING, CpdEntry.Status.APPROVED):
        CpdEntry.objects.create(
            user=trainee,
            title=f"Workshop ({status})",
            provider="Skin Society",
            completed_on=timezone.localdate() - timedelta(days=3),
            hours="2.5",
            status=status,
            reviewed_at=now if status == CpdEntry.Status.APPROVED else None,
        )
    invitee = make_trainee(username="ivy", email="ivy@example.org")
    make_invitation(cohort=api_world.cohort_a, user=invitee, invited_by=manager)
    ids = [trainee.pk, newcomer.pk, other_trainee.pk]
    slugs = [api_world.cohort_a.slug, api_world.cohort_b.slug]
    KNOWN.values = {
        "trainee_id": ids,
        "member_id": ids,
        "trainee": ids,
        "code": [api_world.certificate.code, api_world.other_certificate.code],
        "slug": slugs,
        "cohort": slugs,
        "program": [api_world.program.slug],
        "quiz": [quiz.slug],
    }
    KNOWN.cursors = {
        path: [cursor_make(resource=resource, last=pk) for pk in (0, *ids)]
        for path, resource in CURSOR_RESOURCES.items()
    }
    KNOWN.cursors["/api/v1/assignments"] = [
        cursor_make(resource="assignments", last=[pk, api_world.program.pk]) for pk in ids
    ]
    yield api_world
    KNOWN.token, KNOWN.values, KNOWN.cursors = None, {}, {}


@pytest.fixture
def revoked_token(schemathesis_world, manager) -> str:
    plaintext = token_for(manager, name="Revoked")
    api_token_revoke(token=ApiToken.objects.get(owner=manager, name="Revoked"), actor=manager)
    return plaintext


def _send(case, token: str | None):
    """Send the case with `token` (the coverage phase's cases are made before any token).

    Marked as explicit auth, as an @schemathesis.auth provider would: the checks then take
    it as the valid token it is.
    """
    case.headers.pop("Authorization", None)
    if token is not None and not case.operation.schema.is_security_param_negated(case):
        case.headers["Authorization"] = f"Bearer {token}"
        case._has_explicit_auth = True
    return case.call_and_validate(checks=CHECKS)


@SCHEMA.parametrize()
@FUZZ
def test_every_operation_conforms_for_a_manager(case, schemathesis_world):
    _send(case, schemathesis_world.manager_token)


@UNAUTHENTICATED_SCHEMA.parametrize()
@settings(FUZZ, max_examples=8)
def test_every_operation_answers_a_401_problem_without_a_valid_token(case, revoked_token):
    # A method the address does not take (405) and a control character or bad encoding
    # (400, the middleware) are refused before any token is read.
    refused_first = {405} if case.method.upper() != case.operation.method.upper() else {400}
    for token in (revoked_token, "tsk_not-a-token", None):
        response = _send(case, token)
        assert response.status_code == 401 or response.status_code in refused_first
        assert response.headers["content-type"] == [PROBLEM_CONTENT_TYPE], response.text
        if response.status_code == 401:
            assert response.headers["www-authenticate"] == ['Bearer realm="api"']


# --- What the runs above found, pinned --------------------------------------------------


def test_the_document_declares_problem_bodies_and_the_headers_sent(client):
    document = client.get(OPENAPI_PATH).json()
    for methods in document["paths"].values():
        for method, operation in methods.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == [PROBLEM_CONTENT_TYPE]
            assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
            assert "Retry-After" in operation["responses"]["429"]["headers"]
            if method == "get":
                assert "ETag" in operation["responses"]["200"]["headers"]
                assert "304" in operation["responses"]


@pytest.mark.parametrize("since", ["0.5", "1700000000", "2026-01-01 00:00:00Z", "2026-01-01"])
def test_since_that_is_not_an_rfc3339_date_time_is_a_422_problem(manager_api, since):
    response = manager_api.get("/api/v1/attempts", {"since": since})
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert response.json()["errors"][0]["loc"] == ["query", "since"]
