"""RFC 9457 problem details: every error the API answers, in one shape.

``{"type", "title", "status", "detail"}`` with ``application/problem+json``; validation
errors add ``errors`` (where and what). The type is a stable URI under the API's docs
page, one per kind of problem, so a client can branch on it.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from django.http import HttpResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "/api/v1/docs#problem-"

# The kinds of problem, keyed by status; each a stable type slug and title.
KINDS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("too-large", "Request too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation", "Invalid request"),
    429: ("rate-limited", "Too many requests"),
}

NOT_FOUND = "No such resource, or it is outside your token's scope."
METHOD_NOT_ALLOWED = "This address does not accept {method}; it accepts {allowed}."
VALIDATION_FAILED = "The request's parameters or body are not valid; see errors."
RATE_LIMITED = "This token made too many requests; wait {seconds} s and try again."


class ApiProblem(Exception):
    """Raise to answer a problem: status, detail, optional extra members and headers."""

    def __init__(self, status: int, detail: str, *, headers: dict | None = None, **extra):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def problem_body(status: int, detail: str, **extra) -> dict:
    slug, title = KINDS.get(status, ("error", HTTPStatus(status).phrase))
    return {"type": TYPE_BASE + slug, "title": title, "status": status, "detail": detail, **extra}


def problem_response(
    status: int, detail: str, *, headers: dict | None = None, **extra
) -> HttpResponse:
    response = HttpResponse(
        json.dumps(problem_body(status, detail, **extra)),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response


def validation_errors(errors: list[dict]) -> list[dict]:
    """Ninja's (pydantic's) errors cut to where and what: never the input echoed back."""
    cleaned = []
    for error in errors[:20]:
        location = [str(part) for part in error.get("loc", ())][:6]
        cleaned.append({"loc": location, "msg": str(error.get("msg", ""))[:200]})
    return cleaned
