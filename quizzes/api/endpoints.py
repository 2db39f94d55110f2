"""The API's operations: thin, as views are; reads through selectors.py, writes through
the concern's services, each list paged by cursor and answered conditionally."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from typing import Annotated
from urllib.parse import urlencode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Path, Query, Router
from pydantic import AwareDatetime, BeforeValidator

from quizzes.api import schemas
from quizzes.api.cursors import (
    LIMIT_DEFAULT,
    LIMIT_MAX,
    conditional_response,
    cursor_make,
    cursor_read,
    cursor_read_pair,
)
from quizzes.api.problems import ApiProblem
from quizzes.api.selectors import (
    CERTIFICATE_STATUSES,
    CPD_STATUSES,
    Page,
    api_assignments_page,
    api_attempts_page,
    api_certificate_or_404,
    api_certificates_page,
    api_cohort_members_page,
    api_cohort_or_404,
    api_cohorts_page,
    api_cpd_page,
    api_trainee_or_404,
    api_trainees_page,
)
from quizzes.api.services import (
    ApiTokenError,
    idempotent_response_find,
    idempotent_response_store,
    request_fingerprint,
)
from quizzes.cohorts.selectors import invitations_pending_for_cohort
from quizzes.cohorts.services import CohortError, cohort_add_trainee, cohort_remove_trainee

router = Router()

ID_MAX = 2**63 - 1
SLUG_PATTERN = r"^[-a-zA-Z0-9_]{1,200}$"
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"  # no control characters in a filter
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
IDEMPOTENCY_KEY_INVALID = "Idempotency-Key must be 1 to 255 visible ASCII characters."
EMAIL_INVALID = "Enter a valid e-mail address."
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
NAME_INVALID = "Names may not contain control characters."
# RFC 3339, as the document's `date-time` says: pydantic alone also takes "0.5" (a Unix time).
RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", re.ASCII
)
SINCE_INVALID = "Input should be an RFC 3339 date-time with an offset"

PROBLEMS = {
    400: schemas.Problem,
    401: schemas.Problem,
    404: schemas.Problem,
    422: schemas.Problem,
    429: schemas.Problem,
}


def _json(data) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def _list_response(request: HttpRequest, page: Page, *, resource: str, limit: int) -> HttpResponse:
    following = None
    if page.next_after is not None:
        params = {k: v for k, v in request.GET.items() if k not in ("cursor", "limit")}
        params |= {"limit": limit, "cursor": cursor_make(resource=resource, last=page.next_after)}
        following = request.build_absolute_uri(f"{request.path}?{urlencode(params)}")
    response = HttpResponse(
        _json({"items": page.items, "next": following}), content_type="application/json"
    )
    return conditional_response(request, response, last_modified=page.last_modified)


def _object_response(request: HttpRequest, data: dict, *, last_modified=None) -> HttpResponse:
    response = HttpResponse(_json(data), content_type="application/json")
    return conditional_response(request, response, last_modified=last_modified)


Limit = Query(LIMIT_DEFAULT, ge=1, le=LIMIT_MAX, description="Items per page, 1 to 100.")
Cursor = Query(None, max_length=200, description="From the previous page's `next`.")
Since = Query(
    None, description="Only attempts submitted after this moment (RFC 3339, with an offset)."
)


def _rfc3339_only(value):
    if isinstance(value, str) and not RFC3339.match(value):
        raise ValueError(SINCE_INVALID)
    return value


Rfc3339Datetime = Annotated[AwareDatetime, BeforeValidator(_rfc3339_only)]


# --- Trainees --------------------------------------------------------------------------


@router.get(
    "/trainees",
    response={200: schemas.TraineeList, **PROBLEMS},
    url_name="trainees",
    summary="List the trainees in scope with their status per program",
)
def trainees(
    request,
    limit: int = Limit,
    cursor: str | None = Cursor,
    cohort: str | None = Query(None, pattern=SLUG_PATTERN, description="A cohort's slug."),
    q: str | None = Query(None, max_length=100, pattern=TEXT_PATTERN, description="Search."),
):
    page = api_trainees_page(
        user=request.auth.owner,
        after=cursor_read(cursor, resource="trainees"),
        limit=limit,
        cohort=cohort,
        q=q,
        now=timezone.now(),
    )
    return _list_response(request, page, resource="trainees", limit=limit)


@router.get(
    "/trainees/{trainee_id}",
    response={200: schemas.Trainee, **PROBLEMS},
    url_name="trainee",
    summary="One trainee in scope",
)
def trainee(request, trainee_id: int = Path(..., ge=1, le=ID_MAX)):
    data = api_trainee_or_404(user=request.auth.owner, trainee_id=trainee_id, now=timezone.now())
    return _object_response(request, data)


# --- Certificates ---------------------------------------------------------------------


@router.get(
    "/certificates",
    response={200: schemas.CertificateList, **PROBLEMS},
    url_name="certificates",
    summary="List the certificates of trainees in scope",
)
def certificates(
    request,
    limit: int = Limit,
    cursor: str | None = Cursor,
    program: str | None = Query(None, pattern=SLUG_PATTERN, description="A program's slug."),
    status: str | None = Query(
        None, pattern="^(" + "|".join(CERTIFICATE_STATUSES) + ")$", description="valid, ..."
    ),
    trainee: int | None = Query(None, ge=1, le=ID_MAX, description="The holder's id."),
):
    page = api_certificates_page(
        user=request.auth.owner,
        after=cursor_read(cursor, resource="certificates"),
        limit=limit,
        program=program,
        status=status,
        trainee=trainee,
        now=timezone.now(),
    )
    return _list_response(request, page, resource="certificates", limit=limit)


@router.get(
    "/certificates/{code}",
    response={200: schemas.CertificateDetail, **PROBLEMS},
    url_name="certificate",
    summary="One certificate by its code",
)
def certificate(request, code: str = Path(..., max_length=40)):
    data, changed = api_certificate_or_404(user=request.auth.owner, code=code, now=timezone.now())
    return _object_response(request, data, last_modified=changed)


# --- Cohorts ---------------------------------------------------------------------------


@router.get(
    "/cohorts",
    response={200: schemas.CohortList, **PROBLEMS},
    url_name="cohorts",
    summary="List the cohorts in scope",
)
def cohorts(request, limit: int = Limit, cursor: str | None = Cursor):
    page = api_cohorts_page(
        user=request.auth.owner, after=cursor_read(cursor, resource="cohorts"), limit=limit
    )
    return _list_response(request, page, resource="cohorts", limit=limit)


@router.get(
    "/cohorts/{slug}/members",
    response={200: schemas.MemberList, **PROBLEMS},
    url_name="cohort_members",
    summary="List a cohort's members",
)
def cohort_members(
    request,
    slug: str = Path(..., pattern=SLUG_PATTERN),
    limit: int = Limit,
    cursor: str | None = Cursor,
):
    cohort = api_cohort_or_404(user=request.auth.owner, slug=slug)
    page = api_cohort_members_page(
        user=request.auth.owner,
        cohort=cohort,
        after=cursor_read(cursor, resource=f"members:{cohort.pk}"),
        limit=limit,
    )
    return _list_response(request, page, resource=f"members:{cohort.pk}", limit=limit)


@router.delete(
    "/cohorts/{slug}/members/{member_id}",
    response={204: None, **PROBLEMS},
    url_name="cohort_member",
    summary="Take a trainee out of a cohort",
    description=(
        "Answers 204 whether or not the person was a member, so a retry is harmless; a "
        "cohort out of your scope is 404. Their records stay; the cohort's assignments end."
    ),
)
def cohort_member_remove(
    request,
    slug: str = Path(..., pattern=SLUG_PATTERN),
    member_id: int = Path(..., ge=1, le=ID_MAX),
):
    cohort = api_cohort_or_404(user=request.auth.owner, slug=slug)
    cohort_remove_trainee(cohort=cohort, actor=request.auth.owner, trainee_id=member_id)
    return HttpResponse(status=204)


@router.get(
    "/cohorts/{slug}/invitations",
    response={200: schemas.InvitationList, **PROBLEMS},
    url_name="cohort_invitations",
    summary="List a cohort's invitations still waiting for an answer",
)
def cohort_invitations_open(request, slug: str = Path(..., pattern=SLUG_PATTERN)):
    cohort = api_cohort_or_404(user=request.auth.owner, slug=slug)
    items = [asdict(invitation) for invitation in invitations_pending_for_cohort(cohort=cohort)]
    return _list_response(request, Page(items=items, next_after=None), resource="", limit=0)


# --- Assignments, attempts and CPD ----------------------------------------------------


@router.get(
    "/assignments",
    response={200: schemas.AssignmentList, **PROBLEMS},
    url_name="assignments",
    summary="List the program assignments of trainees in scope, with their due dates",
    description="Individual and through a cohort; the due date is the earliest one set.",
)
def assignments(
    request,
    limit: int = Limit,
    cursor: str | None = Cursor,
    program: str | None = Query(None, pattern=SLUG_PATTERN, description="A program's slug."),
    trainee: int | None = Query(None, ge=1, le=ID_MAX, description="A trainee's id."),
):
    page = api_assignments_page(
        user=request.auth.owner,
        after=cursor_read_pair(cursor, resource="assignments"),
        limit=limit,
        program=program,
        trainee=trainee,
    )
    return _list_response(request, page, resource="assignments", limit=limit)


@router.get(
    "/attempts",
    response={200: schemas.AttemptList, **PROBLEMS},
    url_name="attempts",
    summary="List summaries of the attempts of trainees in scope (never the answers)",
)
def attempts(
    request,
    limit: int = Limit,
    cursor: str | None = Cursor,
    trainee: int | None = Query(None, ge=1, le=ID_MAX, description="A trainee's id."),
    quiz: str | None = Query(None, pattern=SLUG_PATTERN, description="A quiz's slug."),
    since: Rfc3339Datetime | None = Since,
):
    page = api_attempts_page(
        user=request.auth.owner,
        after=cursor_read(cursor, resource="attempts"),
        limit=limit,
        trainee=trainee,
        quiz=quiz,
        since=since,
    )
    return _list_response(request, page, resource="attempts", limit=limit)


@router.get(
    "/cpd",
    response={200: schemas.CpdList, **PROBLEMS},
    url_name="cpd",
    summary="List the CPD entries of trainees in scope",
)
def cpd(
    request,
    limit: int = Limit,
    cursor: str | None = Cursor,
    trainee: int | None = Query(None, ge=1, le=ID_MAX, description="A trainee's id."),
    status: str | None = Query(
        None, pattern="^(" + "|".join(CPD_STATUSES) + ")$", description="recorded, ..."
    ),
):
    page = api_cpd_page(
        user=request.auth.owner,
        after=cursor_read(cursor, resource="cpd"),
        limit=limit,
        trainee=trainee,
        status=status,
    )
    return _list_response(request, page, resource="cpd", limit=limit)


class _AlreadyStored(Exception):
    """A concurrent request with the same key stored its answer first: undo ours."""


def _idempotency_key(request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.match(key):
        raise ApiProblem(400, IDEMPOTENCY_KEY_INVALID)
    return key


def _replay(stored) -> HttpResponse:
    response = HttpResponse(stored.body, status=stored.status, content_type="application/json")
    response["Idempotent-Replayed"] = "true"
    return response


@router.post(
    "/cohorts/{slug}/invitations",
    response={201: schemas.InvitationOut, 409: schemas.Problem, **PROBLEMS},
    summary="Invite a person to a cohort by e-mail, as the cohort page does",
    description=(
        "An existing trainee's account is invited (they join when they accept); a new "
        "address gets a trainee account in the cohort and a set-your-password e-mail. "
        "Send an Idempotency-Key to make a retry harmless."
    ),
)
def cohort_invitations(
    request, payload: schemas.InvitationIn, slug: str = Path(..., pattern=SLUG_PATTERN)
):
    token = request.auth
    cohort = api_cohort_or_404(user=token.owner, slug=slug)
    email = payload.email.strip()
    try:
        validate_email(email)
    except DjangoValidationError as exc:
        raise ApiProblem(422, EMAIL_INVALID) from exc
    if CONTROL_CHARACTERS.search(payload.first_name + payload.last_name):
        raise ApiProblem(422, NAME_INVALID)
    key = _idempotency_key(request)
    fingerprint = request_fingerprint(method="POST", path=request.path, body=request.body)
    if key is not None:
        try:
            stored = idempotent_response_find(token=token, key=key, fingerprint=fingerprint)
        except ApiTokenError as exc:
            raise ApiProblem(409, str(exc)) from exc
        if stored is not None:
            return _replay(stored)
    try:
        with transaction.atomic():
            result = cohort_add_trainee(
                cohort=cohort,
                actor=token.owner,
                email=email,
                first_name=payload.first_name.strip(),
                last_name=payload.last_name.strip(),
                domain=request.get_host(),
                use_https=request.is_secure(),
            )
            body = _json({"outcome": result.outcome.value, "email": result.email}).decode()
            if key is not None and not idempotent_response_store(
                token=token, key=key, fingerprint=fingerprint, status=201, body=body
            ):
                raise _AlreadyStored
    except CohortError as exc:
        raise ApiProblem(409, str(exc)) from exc
    except _AlreadyStored:
        try:
            stored = idempotent_response_find(token=token, key=key, fingerprint=fingerprint)
        except ApiTokenError as exc:
            raise ApiProblem(409, str(exc)) from exc
        return _replay(stored)
    return HttpResponse(body, status=201, content_type="application/json")
