"""The one NinjaAPI of /api/v1/: bearer-token authentication, rate limit, problem details.

The token is read from ``Authorization: Bearer tsk_...`` (quizzes/api/services.py), then
counted against the per-token limit in the shared cache (trainingsite/ratelimit.py).
Every error ninja or a view raises answers RFC 9457 problem details (problems.py); the
operations are in endpoints.py.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.security import HttpBearer

from quizzes.api.endpoints import IDEMPOTENCY_KEY, router
from quizzes.api.problems import (
    NOT_FOUND,
    PROBLEM_CONTENT_TYPE,
    RATE_LIMITED,
    VALIDATION_FAILED,
    ApiProblem,
    problem_response,
    validation_errors,
)
from quizzes.api.services import ERROR_TOKEN_INVALID, ERROR_TOKEN_MISSING, api_token_authenticate
from trainingsite.ratelimit import Limit, rate_limit_hit

DESCRIPTION = """Read the trainees, certificates, cohorts, program assignments, attempt summaries
and CPD entries in your scope; invite people to a cohort and take members out.

Authenticate with an API token made on the site (Integrations, API tokens) or with
`manage.py create_api_token`: `Authorization: Bearer tsk_...`. A token sees exactly what
its owner sees in the reports. Lists are paged with an opaque `cursor` (follow `next`) and
answer `304 Not Modified` to `If-None-Match` with their `ETag`. Every POST accepts an
`Idempotency-Key`. Errors are RFC 9457 problem details (`application/problem+json`).
"""


NINJA_BAD_BODY = "Cannot parse request body"
BODY_NOT_JSON = "The request body is not valid JSON (UTF-8, Content-Type: application/json)."


def api_rate_limit() -> Limit:
    return Limit(name="api-token", limit=settings.API_RATE_LIMIT_PER_MINUTE, window=60)


class BearerToken(HttpBearer):
    """An API token in the Authorization header; counts each request against its limit."""

    def authenticate(self, request, token):
        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        verdict = rate_limit_hit(api_rate_limit(), str(api_token.pk))
        if not verdict.allowed:
            raise ApiProblem(
                429,
                RATE_LIMITED.format(seconds=verdict.retry_after),
                headers={"Retry-After": str(verdict.retry_after)},
            )
        request.api_token = api_token
        return api_token


def _header(description: str, *, required: bool = True) -> dict:
    return {"description": description, "required": required, "schema": {"type": "string"}}


# The headers the answers carry, as cursors.py and problems.py set them.
CACHE_CONTROL = _header("private, no-cache")
CACHE_CONTROL_OPTIONAL = _header("no-store", required=False)
ETAG = _header("The representation's tag, for If-None-Match")
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "description": "A list's or object's ETag: answered 304 while it is unchanged.",
    "schema": {"type": "string"},
}
IDEMPOTENCY_KEY_HEADER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "1 to 255 visible ASCII characters; a retry with it answers the first reply.",
    "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY.pattern},
}


def _document_response(method: str, status: int, response: dict) -> None:
    """Give a response its real media type and the headers the views send with it."""
    content = response.get("content", {})
    headers = {}
    if status >= 400:
        if "application/json" in content:
            content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        headers["Cache-Control"] = CACHE_CONTROL_OPTIONAL
    if status == 401:
        headers["WWW-Authenticate"] = _header('Bearer realm="api"')
    elif status == 429:
        headers["Retry-After"] = _header("Seconds to wait")
    elif method == "get" and status == 200:
        headers |= {"ETag": ETAG, "Cache-Control": CACHE_CONTROL}
    if headers:
        response["headers"] = headers


class ProblemNinjaAPI(NinjaAPI):
    """A NinjaAPI whose document states problem media types, headers and 304 answers.

    Ninja writes every response as application/json and no headers; the document is the
    contract Schemathesis holds the API to (tests/api/test_schemathesis.py), so it says
    what the views really send.
    """

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                responses = operation["responses"]
                for status, response in responses.items():
                    _document_response(method, int(status), response)
                if method == "get":
                    operation["parameters"].append(IF_NONE_MATCH)
                    responses[304] = {
                        "description": "Not Modified",
                        "headers": {"ETag": ETAG, "Cache-Control": CACHE_CONTROL},
                    }
                elif method == "post":
                    operation["parameters"].append(IDEMPOTENCY_KEY_HEADER)
        return schema


api = ProblemNinjaAPI(
    title="Bleeding management training API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=BearerToken(),
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("", router)


@api.exception_handler(ApiProblem)
def _problem(request, exc: ApiProblem):
    return problem_response(exc.status, exc.detail, headers=exc.headers, **exc.extra)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    sent = request.headers.get("Authorization", "")
    detail = ERROR_TOKEN_INVALID if sent.strip() else ERROR_TOKEN_MISSING
    return problem_response(401, detail, headers={"WWW-Authenticate": 'Bearer realm="api"'})


@api.exception_handler(AuthorizationError)
def _forbidden(request, exc):
    return problem_response(403, str(exc.message))


@api.exception_handler(PermissionDenied)
def _permission_denied(request, exc):
    return problem_response(403, str(exc) or "You may not do this.")


@api.exception_handler(Http404)
def _not_found(request, exc):
    detail = str(exc) if exc.args and isinstance(exc.args[0], str) else NOT_FOUND
    return problem_response(404, detail)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    message = str(exc.message)
    if exc.status_code == 400 and message == NINJA_BAD_BODY:
        message = BODY_NOT_JSON
    return problem_response(exc.status_code, message)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    return problem_response(422, VALIDATION_FAILED, errors=validation_errors(exc.errors))
