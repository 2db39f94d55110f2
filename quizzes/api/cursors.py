"""Opaque, signed list cursors and the conditional-request headers of the lists.

A cursor carries the list's name and the last sort key (an id) of the page before,
signed so that a client cannot forge a position; a bad or foreign cursor is a 400.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date, parse_http_date_safe, quote_etag

from quizzes.api.problems import ApiProblem

CURSOR_SALT = "quizzes.api.cursor"
CURSOR_MAX_LENGTH = 200
LIMIT_DEFAULT = 50
LIMIT_MAX = 100
CURSOR_INVALID = "The cursor is not valid for this list; start again without one."


def cursor_make(*, resource: str, last: int | tuple[int, int]) -> str:
    # No timestamp: the same position gives the same cursor, so a page's ETag holds.
    return signing.Signer(salt=CURSOR_SALT).sign_object({"r": resource, "k": last})


def cursor_read(raw: str | None, *, resource: str) -> int | None:
    """The last id of the page before, or None for the first page; 400 for a bad cursor."""
    if not raw:
        return None
    if len(raw) > CURSOR_MAX_LENGTH:
        raise ApiProblem(400, CURSOR_INVALID)
    try:
        data = signing.Signer(salt=CURSOR_SALT).unsign_object(raw)
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise ApiProblem(400, CURSOR_INVALID) from exc
    if not isinstance(data, dict) or data.get("r") != resource:
        raise ApiProblem(400, CURSOR_INVALID)
    last = data.get("k")
    if not isinstance(last, int) or isinstance(last, bool) or last < 0:
        raise ApiProblem(400, CURSOR_INVALID)
    return last


def cursor_read_pair(raw: str | None, *, resource: str) -> tuple[int, int] | None:
    """The last (id, id) key of the page before, for lists sorted on two ids; 400 if bad."""
    if not raw:
        return None
    if len(raw) > CURSOR_MAX_LENGTH:
        raise ApiProblem(400, CURSOR_INVALID)
    try:
        data = signing.Signer(salt=CURSOR_SALT).unsign_object(raw)
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise ApiProblem(400, CURSOR_INVALID) from exc
    last = data.get("k") if isinstance(data, dict) and data.get("r") == resource else None
    if not (
        isinstance(last, list)
        and len(last) == 2
        and all(isinstance(k, int) and not isinstance(k, bool) and k >= 0 for k in last)
    ):
        raise ApiProblem(400, CURSOR_INVALID)
    return last[0], last[1]


def body_etag(body: bytes) -> str:
    return quote_etag(hashlib.sha256(body).hexdigest()[:32])


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [part.strip().removeprefix("W/") for part in header.split(",")]
    return "*" in candidates or etag in candidates


def conditional_response(
    request: HttpRequest, response: HttpResponse, *, last_modified: datetime | None
) -> HttpResponse:
    """Add ETag (and Last-Modified); answer 304 when the client's copy is current.

    If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2). Last-Modified is only
    given by lists whose rows carry a change time that covers every change shown.
    """
    etag = body_etag(response.content)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    not_modified = False
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match:
        not_modified = _etag_matches(if_none_match, etag)
    elif last_modified is not None and (since := request.headers.get("If-Modified-Since")):
        parsed = parse_http_date_safe(since)
        not_modified = parsed is not None and int(last_modified.timestamp()) <= parsed
    if not not_modified:
        return response
    unchanged = HttpResponse(status=304)
    for header in ("ETag", "Last-Modified", "Cache-Control"):
        if header in response:
            unchanged[header] = response[header]
    return unchanged
