"""The API's access matrix: every operation of its OpenAPI document × every token holder.

The table is keyed by (method, path) exactly as the OpenAPI document names them: an
operation added to the API without rows fails `test_every_operation_has_rows`. Each row
visits one address (the path's parameters from the world) and gives every holder's answer:

- the tokens of manager A (cohort A, the trainee's), manager B (cohort B), a superuser and
  a manager of no cohort. Another cohort's object is a 404 whose body is that of an object
  that does not exist, never a 403 that would tell it exists;
- tokens that open nothing, 401 "not valid": revoked, expired, of an owner who lost the
  manager role, was deactivated or lost superuser status (the demoted and the deactivated
  owner still manage cohort A, so only the token check stands between them and it), and
  token rows of a trainee, an educator and an assessor, which the service, the command and
  the token page refuse to make (`test_only_managers_and_superusers_can_make_a_token`);
- no token, 401 "send a token": none at all, or a trainee's or a manager's session cookie,
  since the API never reads the session.

Lists (and objects) in scope: every trainee, cohort and invitation returned is the holder's,
counted from the cohorts' managers and memberships without quizzes/cohorts/scope.py; every
`cohorts` an item names is one of the holder's; and the world's probes (the trainee, the
other trainee, the trainee of both cohorts; the two cohorts; their invitations) are in or out
as the row's `sees` says. Writes: each cell runs in a savepoint rolled back afterwards, so
every cell starts from the same world; a refused write changes no row of the site's tables,
an accepted one has the row's effect (`done`), or none when the row has no `done`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from quizzes.api.problems import PROBLEM_CONTENT_TYPE
from quizzes.api.services import (
    ERROR_OWNER_NOT_MANAGER,
    ERROR_TOKEN_INVALID,
    ERROR_TOKEN_MISSING,
    ApiTokenError,
    api_token_create,
    token_digest,
)
from quizzes.certification.codes import code_format, code_generate
from quizzes.models import ApiToken, Cohort, CohortInvitation, CohortMembership
from tests.hardening.test_access_matrix import snapshot
from tests.hardening.world_api import build_api_matrix_world

MANAGER, OTHER_MANAGER, SUPERUSER, LONE = "manager", "other_manager", "superuser", "lone_manager"
SCOPED = (MANAGER, OTHER_MANAGER, SUPERUSER, LONE)
# Tokens that exist but open nothing: the answer names the token not valid.
INVALID = (
    "revoked",
    "expired",
    "demoted",  # lost the manager role, still one of cohort A's managers
    "deactivated",  # is_active False, still one of cohort A's managers
    "ex_superuser",  # is_superuser taken away
    "trainee_token",
    "educator_token",
    "assessor_token",  # assesses cohort A
)
# No token sent: the answer asks for one, whatever session the client holds.
MISSING = ("no_token", "trainee_session", "manager_session")
HOLDERS = SCOPED + INVALID + MISSING
SESSIONS = {"trainee_session": "trainee", "manager_session": "manager"}
GHOST_ID = 999_999_999
GHOST_SLUG = "no-such-cohort"
NEW_EMAIL = "newcomer@example.com"


def answers(manager: int, other_manager: int, superuser: int, lone: int = 404) -> dict:
    """The scoped holders' answers; every other holder is refused with a 401."""
    row = dict.fromkeys(INVALID + MISSING, 401)
    row |= {MANAGER: manager, OTHER_MANAGER: other_manager, SUPERUSER: superuser, LONE: lone}
    return row


LIST = answers(200, 200, 200, lone=200)
A_ONLY = answers(200, 404, 200)
B_ONLY = answers(404, 200, 200)
NOBODY = answers(404, 404, 404)


def sees(manager=(), other_manager=(), superuser=()) -> dict[str, frozenset[str]]:
    """The probes each scoped holder finds in the answer; the lone manager finds none."""
    return {
        MANAGER: frozenset(manager),
        OTHER_MANAGER: frozenset(other_manager),
        SUPERUSER: frozenset(superuser),
        LONE: frozenset(),
    }


TRAINEES_OF_BOTH = sees(
    manager={"trainee", "shared"},
    other_manager={"other_trainee", "shared"},
    superuser={"trainee", "other_trainee", "shared"},
)
ONE_EACH = sees(
    manager={"trainee"}, other_manager={"other_trainee"}, superuser={"trainee", "other_trainee"}
)
ONLY_OTHER = sees(other_manager={"other_trainee"}, superuser={"other_trainee"})


@dataclass(frozen=True)
class Row:
    """One address of an operation and every holder's answer; for 200s, what it may show."""

    expected: dict[str, int]
    params: Callable = lambda w: {}
    query: Callable = lambda w: {}
    body: dict | None = None
    kind: str = ""  # "trainees", "cohorts" or "invitations": what `pick` reads
    pick: str = ""  # the item key that names a trainee, cohort or invitation
    sees: dict[str, frozenset[str]] = field(default_factory=dict)
    within: Callable | None = None  # the cohort's own: the answer shows nothing else
    ghost: Callable | None = None  # params of an object that does not exist: the same 404
    done: Callable | None = None  # a write's effect; None: an accepted write changes nothing
    note: str = ""


def _trainee(name: str) -> Callable:
    return lambda w: {"trainee_id": getattr(w, name).pk}


def _code(name: str) -> Callable:
    return lambda w: {"code": getattr(w, name).display_code}


def _slug(name: str, **more: str) -> Callable:
    return lambda w: (
        {"slug": getattr(w, name).slug} | {key: getattr(w, value).pk for key, value in more.items()}
    )


def _members_of(name: str) -> Callable:
    return lambda w: set(
        CohortMembership.objects.filter(cohort=getattr(w, name)).values_list("user_id", flat=True)
    )


def _invitations_of(name: str) -> Callable:
    return lambda w: set(
        CohortInvitation.objects.filter(cohort=getattr(w, name)).values_list("email", flat=True)
    )


def _member(cohort: str, person: str) -> Callable:
    return lambda w: CohortMembership.objects.filter(
        cohort=getattr(w, cohort), user=getattr(w, person)
    ).exists()


def _removed(cohort: str, person: str, *, kept: str = "") -> Callable:
    """The person left the cohort, and stayed in `kept`."""
    return lambda w: not _member(cohort, person)(w) and (not kept or _member(kept, person)(w))


def _joined(cohort: str) -> Callable:
    return lambda w: CohortMembership.objects.filter(
        cohort=getattr(w, cohort), user__email=NEW_EMAIL
    ).exists()


def _ghost_code(w) -> dict:
    return {"code": code_format(code_generate())}


TRAINEE_LIST = {"kind": "trainees", "pick": "id"}
BY_TRAINEE = {"kind": "trainees", "pick": "trainee"}
NEW_PERSON = {"email": NEW_EMAIL, "first_name": "New", "last_name": "Comer"}

TABLE: dict[tuple[str, str], list[Row]] = {
    ("GET", "/api/v1/trainees"): [
        Row(LIST, sees=TRAINEES_OF_BOTH, **TRAINEE_LIST),
        Row(
            B_ONLY,
            query=lambda w: {"cohort": w.cohort_b.slug},
            sees=sees(
                other_manager={"other_trainee", "shared"}, superuser={"other_trainee", "shared"}
            ),
            within=_members_of("cohort_b"),
            note="filtered by cohort B",
            **TRAINEE_LIST,
        ),
    ],
    ("GET", "/api/v1/trainees/{trainee_id}"): [
        Row(
            A_ONLY,
            params=_trainee("trainee"),
            sees=sees(manager={"trainee"}, superuser={"trainee"}),
            ghost=lambda w: {"trainee_id": GHOST_ID},
            **TRAINEE_LIST,
        ),
        Row(
            B_ONLY,
            params=_trainee("other_trainee"),
            sees=ONLY_OTHER,
            ghost=lambda w: {"trainee_id": GHOST_ID},
            **TRAINEE_LIST,
        ),
        Row(
            answers(200, 200, 200),
            params=_trainee("shared"),
            sees=sees(manager={"shared"}, other_manager={"shared"}, superuser={"shared"}),
            note="in both cohorts: each manager's item names only their own",
            **TRAINEE_LIST,
        ),
        Row(NOBODY, params=_trainee("educator"), note="in no cohort, not even the superuser's"),
    ],
    ("GET", "/api/v1/certificates"): [
        Row(LIST, sees=ONE_EACH, kind="trainees", pick="holder_id"),
        Row(
            LIST,
            query=lambda w: {"trainee": w.other_trainee.pk},
            sees=ONLY_OTHER,
            kind="trainees",
            pick="holder_id",
            note="filtered by the other trainee",
        ),
    ],
    ("GET", "/api/v1/certificates/{code}"): [
        Row(
            A_ONLY,
            params=_code("certificate"),
            sees=sees(manager={"trainee"}, superuser={"trainee"}),
            kind="trainees",
            pick="holder_id",
            ghost=_ghost_code,
        ),
        Row(
            B_ONLY,
            params=_code("other_certificate"),
            sees=ONLY_OTHER,
            kind="trainees",
            pick="holder_id",
            ghost=_ghost_code,
        ),
    ],
    ("GET", "/api/v1/cohorts"): [
        Row(
            LIST,
            sees=sees(
                manager={"cohort_a"},
                other_manager={"cohort_b"},
                superuser={"cohort_a", "cohort_b"},
            ),
            kind="cohorts",
            pick="slug",
        ),
    ],
    ("GET", "/api/v1/cohorts/{slug}/members"): [
        Row(
            A_ONLY,
            params=_slug("cohort_a"),
            sees=sees(manager={"trainee", "shared"}, superuser={"trainee", "shared"}),
            within=_members_of("cohort_a"),
            ghost=lambda w: {"slug": GHOST_SLUG},
            **TRAINEE_LIST,
        ),
        Row(
            B_ONLY,
            params=_slug("cohort_b"),
            sees=sees(
                other_manager={"other_trainee", "shared"}, superuser={"other_trainee", "shared"}
            ),
            within=_members_of("cohort_b"),
            ghost=lambda w: {"slug": GHOST_SLUG},
            **TRAINEE_LIST,
        ),
    ],
    ("DELETE", "/api/v1/cohorts/{slug}/members/{member_id}"): [
        Row(
            answers(204, 404, 204),
            params=_slug("cohort_a", member_id="trainee"),
            ghost=lambda w: {"slug": GHOST_SLUG, "member_id": w.trainee.pk},
            done=_removed("cohort_a", "trainee"),
        ),
        Row(
            answers(404, 204, 204),
            params=_slug("cohort_b", member_id="other_trainee"),
            ghost=lambda w: {"slug": GHOST_SLUG, "member_id": w.other_trainee.pk},
            done=_removed("cohort_b", "other_trainee"),
        ),
        Row(
            answers(204, 404, 204),
            params=_slug("cohort_a", member_id="shared"),
            done=_removed("cohort_a", "shared", kept="cohort_b"),
            note="in both cohorts: leaves A only",
        ),
        Row(
            answers(204, 404, 204),
            params=_slug("cohort_a", member_id="other_trainee"),
            note="cohort B's trainee through cohort A: 204, and B keeps them",
        ),
    ],
    ("GET", "/api/v1/cohorts/{slug}/invitations"): [
        Row(
            A_ONLY,
            params=_slug("cohort_a"),
            kind="invitations",
            pick="email",
            sees=sees(manager={"invitation"}, superuser={"invitation"}),
            within=_invitations_of("cohort_a"),
            ghost=lambda w: {"slug": GHOST_SLUG},
        ),
        Row(
            B_ONLY,
            params=_slug("cohort_b"),
            kind="invitations",
            pick="email",
            sees=sees(other_manager={"other_invitation"}, superuser={"other_invitation"}),
            within=_invitations_of("cohort_b"),
            ghost=lambda w: {"slug": GHOST_SLUG},
        ),
    ],
    ("POST", "/api/v1/cohorts/{slug}/invitations"): [
        Row(
            answers(201, 404, 201),
            params=_slug("cohort_a"),
            body=NEW_PERSON,
            ghost=lambda w: {"slug": GHOST_SLUG},
            done=_joined("cohort_a"),
            note="a new address: a trainee account in the cohort",
        ),
        Row(
            answers(404, 201, 201),
            params=_slug("cohort_b"),
            body=NEW_PERSON,
            ghost=lambda w: {"slug": GHOST_SLUG},
            done=_joined("cohort_b"),
        ),
    ],
    ("GET", "/api/v1/assignments"): [
        Row(LIST, sees=TRAINEES_OF_BOTH, **BY_TRAINEE),
        Row(
            LIST,
            query=lambda w: {"trainee": w.shared.pk},
            sees=sees(manager={"shared"}, other_manager={"shared"}, superuser={"shared"}),
            note="the trainee of both cohorts: each manager's items name only their cohort",
            **BY_TRAINEE,
        ),
    ],
    ("GET", "/api/v1/attempts"): [
        Row(LIST, sees=ONE_EACH, **BY_TRAINEE),
        Row(
            LIST,
            query=lambda w: {"trainee": w.other_trainee.pk},
            sees=ONLY_OTHER,
            note="filtered by the other trainee",
            **BY_TRAINEE,
        ),
    ],
    ("GET", "/api/v1/cpd"): [
        Row(LIST, sees=ONE_EACH, **BY_TRAINEE),
        Row(
            LIST,
            query=lambda w: {"trainee": w.other_trainee.pk},
            sees=ONLY_OTHER,
            note="filtered by the other trainee",
            **BY_TRAINEE,
        ),
    ],
}


# --- The world's scope, counted without quizzes/cohorts/scope.py ---------------------------


def _cohorts_of(owner):
    return Cohort.objects.all() if owner.is_superuser else Cohort.objects.filter(managers=owner)


SCOPES: dict[str, Callable] = {
    "trainees": lambda owner: set(
        CohortMembership.objects.filter(cohort__in=_cohorts_of(owner)).values_list(
            "user_id", flat=True
        )
    ),
    "cohorts": lambda owner: set(_cohorts_of(owner).values_list("slug", flat=True)),
    "invitations": lambda owner: set(
        CohortInvitation.objects.filter(cohort__in=_cohorts_of(owner)).values_list(
            "email", flat=True
        )
    ),
}
PROBES: dict[str, dict[str, Callable]] = {
    "trainees": {
        name: (lambda w, n=name: getattr(w, n).pk)
        for name in ("trainee", "other_trainee", "shared")
    },
    "cohorts": {name: (lambda w, n=name: getattr(w, n).slug) for name in ("cohort_a", "cohort_b")},
    "invitations": {
        name: (lambda w, n=name: getattr(w, n).email) for name in ("invitation", "other_invitation")
    },
}


@pytest.fixture
def api_matrix_world(world):
    for name, value in build_api_matrix_world(world).items():
        setattr(world, name, value)
    return world


def _owner(plaintext: str):
    return ApiToken.objects.select_related("owner").get(digest=token_digest(plaintext)).owner


def _clients(w) -> dict[str, tuple[Client, dict]]:
    clients = {}
    for holder in HOLDERS:
        client = Client()
        if holder in SESSIONS:
            client.force_login(getattr(w, SESSIONS[holder]))
        headers = {"HTTP_AUTHORIZATION": f"Bearer {w.tokens[holder]}"} if holder in w.tokens else {}
        clients[holder] = (client, headers)
    return clients


def _visit(client_headers, method: str, url: str, query: dict, body: dict | None):
    client, headers = client_headers
    if method == "GET":
        return client.get(url, query, **headers)
    if method == "POST":
        return client.post(url, json.dumps(body), content_type="application/json", **headers)
    return client.delete(url, **headers)


def _state() -> dict:
    """The site's tables, but when a token was last used: a refused use may record it."""
    state = snapshot()
    state["quizzes.ApiToken"] = [
        {k: v for k, v in row.items() if k != "last_used_at"} for row in state["quizzes.ApiToken"]
    ]
    return state


def _scope_faults(w, row: Row, holder: str, owner, body: dict) -> list[str]:
    """What a 200 shows that the holder may not see, or misses of what they may."""
    items = body["items"] if "items" in body else [body]
    got = {item[row.pick] for item in items}
    allowed = SCOPES[row.kind](owner)
    if row.within is not None:
        allowed &= row.within(w)
    faults = [f"shows {sorted(got - allowed, key=str)} out of scope"] if got - allowed else []
    for name, value in PROBES[row.kind].items():
        if (value(w) in got) != (name in row.sees[holder]):
            faults.append(f"{name} {'missing' if name in row.sees[holder] else 'shown'}")
    named = {slug for item in items for slug in item.get("cohorts", ())}
    if named - SCOPES["cohorts"](owner):
        faults.append(f"names cohorts {sorted(named - SCOPES['cohorts'](owner))}")
    return faults


def _cell_faults(w, row: Row, holder: str, response, owner, before) -> list[str]:
    expected = row.expected[holder]
    if response.status_code != expected:
        return [f"expected {expected}, got {response.status_code}"]
    faults = []
    if expected >= 400:
        if response["Content-Type"] != PROBLEM_CONTENT_TYPE:
            faults.append(f"not a problem: {response['Content-Type']}")
        if expected == 401:
            detail = ERROR_TOKEN_MISSING if holder in MISSING else ERROR_TOKEN_INVALID
            if response.json()["detail"] != detail:
                faults.append(f"401 says {response.json()['detail']!r}")
    elif row.kind and expected == 200:
        faults += _scope_faults(w, row, holder, owner, response.json())
    if before is not None:
        if expected >= 400 or row.done is None:
            if _state() != before:
                faults.append("a refused or empty write changed the site's tables")
        elif row.done(w) is not True:
            faults.append("the accepted write did not have its effect")
    return faults


def test_every_operation_has_rows():
    document = Client().get(reverse("api:openapi-json")).json()
    operations = {
        (method.upper(), path): item.get("security")
        for path, methods in document["paths"].items()
        for method, item in methods.items()
    }
    assert sorted(set(operations) - set(TABLE)) == [], "operations without rows in the matrix"
    assert sorted(set(TABLE) - set(operations)) == [], "rows for operations no longer there"
    assert all(security == [{"BearerToken": []}] for security in operations.values())
    for key, rows in TABLE.items():
        assert rows, key
        for row in rows:
            assert set(row.expected) == set(HOLDERS), f"{key} {row.note}: a holder has no answer"
            if row.kind:
                assert set(row.sees) == set(SCOPED), f"{key} {row.note}: a holder sees nothing"


def test_api_access_matrix(api_matrix_world):
    w = api_matrix_world
    clients = _clients(w)
    owners = {holder: _owner(w.tokens[holder]) for holder in SCOPED}
    mismatches, cells, scoped, ghosts = [], 0, 0, 0
    for (method, path), rows in TABLE.items():
        for row in rows:
            params = row.params(w)
            url = path.format(**params)
            for holder in HOLDERS:
                with transaction.atomic():
                    cache.clear()  # the per-token rate limit is not under test here
                    before = _state() if method != "GET" else None
                    response = _visit(clients[holder], method, url, row.query(w), row.body)
                    faults = _cell_faults(w, row, holder, response, owners.get(holder), before)
                    cells += 1
                    scoped += bool(row.kind and row.expected[holder] == 200)
                    if row.ghost is not None and row.expected[holder] == 404:
                        # Out of scope and not there at all must read the same.
                        ghost = path.format(**row.ghost(w))
                        other = _visit(clients[holder], method, ghost, row.query(w), row.body)
                        ghosts += 1
                        if (other.status_code, other.content) != (404, response.content):
                            faults.append(f"differs from {ghost}: {other.content!r}")
                    transaction.set_rollback(True)
                mismatches += [f"{method} {url} {row.note} as {holder}: {f}" for f in faults]
    print(
        f"\nAPI access matrix: {cells} cells ({sum(map(len, TABLE.values()))} rows × "
        f"{len(HOLDERS)} holders over {len(TABLE)} operations), {scoped} scope checks, "
        f"{ghosts} out-of-scope 404s compared with a missing object's"
    )
    assert mismatches == [], "\n".join(mismatches)


@pytest.mark.parametrize("persona", ["trainee", "educator", "assessor"])
def test_only_managers_and_superusers_can_make_a_token(world, persona):
    user = getattr(world, persona)
    tokens = ApiToken.objects.count()
    with pytest.raises(ApiTokenError, match=ERROR_OWNER_NOT_MANAGER):
        api_token_create(owner=user, name="Mine", expires_at=None)
    with pytest.raises(CommandError, match=ERROR_OWNER_NOT_MANAGER):
        call_command("create_api_token", user.username, "--name", "Mine", stdout=StringIO())
    client = Client()
    client.force_login(user)
    assert client.get(reverse("api_tokens:create")).status_code == 403
    response = client.post(reverse("api_tokens:create"), {"name": "Mine", "days": "30"})
    assert response.status_code == 403
    assert ApiToken.objects.count() == tokens
