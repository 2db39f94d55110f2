"""The job that sends one xAPI statement to the Learning Record Store.

`PUT <endpoint>statements?statementId=<id>` is idempotent in xAPI: a new id is stored (204),
the same statement again is 204 and a different one under a stored id is 409; both mean
the LRS already holds this event, so a job run twice (a recovered worker, a redelivery) is
harmless. Connection errors, time-outs and 5xx raise `LrsUnavailable`: the job queues
its next try itself, deferred by the site's back-off (trainingsite/backoff.py, the
schedule webhooks use), and after the last try, or on a backend that cannot defer, it
ends failed with the error (the queue keeps the statement in its arguments). A statement
the LRS refuses (another 4xx: bad credentials, a statement it will not take) raises
`LrsRefused` at once, never retried: running it again will not fix it until the
configuration does.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from quizzes.xapi.statements import XAPI_VERSION
from trainingsite import backoff

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT_SECONDS = 10
ERROR_TEXT_LIMIT = 500
SENT = "sent"
ALREADY_STORED = "already stored"
NOT_CONFIGURED = "not configured"
RETRY_QUEUED = "retry queued"
RETRY_LOGGED = "xAPI statement %s not sent (try %d of %d): %s; next try after %s."
GIVEN_UP_LOGGED = "xAPI statement %s not sent (try %d of %d): %s; giving up."


class LrsUnavailable(Exception):
    """The LRS could not be reached or failed (5xx): sending again later may succeed."""


class LrsRefused(Exception):
    """The LRS refused the statement (4xx other than 409): fix the configuration first."""


def statements_url(endpoint: str, statement_id: str) -> str:
    """`<endpoint>statements?statementId=<id>`, with or without the endpoint's final slash."""
    base = endpoint if endpoint.endswith("/") else endpoint + "/"
    return f"{base}statements?{urllib.parse.urlencode({'statementId': statement_id})}"


def _headers() -> dict[str, str]:
    credentials = f"{settings.XAPI_USERNAME}:{settings.XAPI_PASSWORD}".encode()
    return {
        "Authorization": "Basic " + base64.b64encode(credentials).decode("ascii"),
        "Content-Type": "application/json",
        "X-Experience-API-Version": XAPI_VERSION,
    }


def statement_put(*, endpoint: str, statement: dict) -> str:
    """PUT one statement; return SENT or ALREADY_STORED, or raise LrsUnavailable/LrsRefused."""
    request = urllib.request.Request(
        statements_url(endpoint, statement["id"]),
        data=json.dumps(statement, separators=(",", ":"), sort_keys=True).encode(),
        headers=_headers(),
        method="PUT",
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
            response.read()
            return SENT
    except urllib.error.HTTPError as error:
        body = error.read().decode("utf-8", "replace")[:ERROR_TEXT_LIMIT]
        if error.code == 409:
            return ALREADY_STORED
        if error.code >= 500:
            raise LrsUnavailable(f"HTTP {error.code} from the LRS: {body}") from error
        raise LrsRefused(f"HTTP {error.code} from the LRS: {body}") from error
    except (OSError, http.client.HTTPException) as error:  # refused, reset, DNS, time-out
        raise LrsUnavailable(f"The LRS could not be reached: {error}") from error


def statement_retry_enqueue(*, statement: dict, attempt: int) -> timedelta | None:
    """Queue try `attempt + 1` after the back-off and return the wait; None: none queued."""
    wait = backoff.retry_after(attempt)
    # A backend that cannot defer would run it at once: the job ends failed instead.
    if wait is None or not statement_send.get_backend().supports_defer:
        return None
    statement_send.using(run_after=timezone.now() + wait).enqueue(statement, attempt=attempt + 1)
    return wait


@task()
def statement_send(statement: dict, attempt: int = 1) -> str:
    """The job: send one statement built when the event happened (try number `attempt`)."""
    if not settings.XAPI_ENDPOINT:
        return NOT_CONFIGURED  # unset since it was queued: nothing to send to
    try:
        return statement_put(endpoint=settings.XAPI_ENDPOINT, statement=statement)
    except LrsUnavailable as error:
        statement_id = statement.get("id")
        # The job runs outside any transaction, so the next try is queued at once.
        wait = statement_retry_enqueue(statement=statement, attempt=attempt)
        if wait is not None:
            logger.warning(RETRY_LOGGED, statement_id, attempt, backoff.MAX_TRIES, error, wait)
            return RETRY_QUEUED
        logger.error(GIVEN_UP_LOGGED, statement_id, attempt, backoff.MAX_TRIES, error)
        raise
