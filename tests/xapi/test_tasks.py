"""The send job against a real LRS (Ralph on loopback), and against one that is down or failing."""

import http.server
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django_tasks import TaskResultStatus

from quizzes.xapi import statements
from quizzes.xapi.tasks import (
    ALREADY_STORED,
    NOT_CONFIGURED,
    SENT,
    LrsRefused,
    LrsUnavailable,
    statement_send,
    statements_url,
)
from tests.xapi.conftest import free_port

AT = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)


def _attempt_statement(homepage, **overrides):
    fields = {
        "homepage": homepage,
        "user_id": 7,
        "attempt_uuid": "0b8f6a52-5f33-4f0e-9d55-3c1a7d6b2e10",
        "quiz_iri": f"{homepage}quizzes/final/",
        "quiz_title": "Final",
        "started_at": AT,
        "submitted_at": AT + timedelta(minutes=3),
        "points": 3.0,
        "max_points": 4.0,
        "passed": False,
    }
    return statements.attempt_submitted(**(fields | overrides))


def _same(sent: dict, stored: dict) -> None:
    for part in ("id", "actor", "verb", "object", "result", "context"):
        assert stored[part] == sent[part], part


class _Failing(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(503)
        self.end_headers()
        self.wfile.write(b"maintenance")

    def log_message(self, *args):
        pass


@pytest.fixture
def failing_lrs():
    """A real HTTP server on loopback that answers every PUT with 503."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/xAPI/"
    server.shutdown()
    server.server_close()


def test_statements_url_with_or_without_the_final_slash():
    assert statements_url("http://lrs.test/xAPI/", "abc") == (
        "http://lrs.test/xAPI/statements?statementId=abc"
    )
    assert statements_url("http://lrs.test/xAPI", "abc") == (
        "http://lrs.test/xAPI/statements?statementId=abc"
    )


def test_a_statement_round_trips_through_the_lrs(xapi_site, lrs):
    statement = _attempt_statement(xapi_site.XAPI_HOMEPAGE)
    assert statement_send.call(statement) == SENT
    stored = lrs.statement(statement["id"])
    _same(statement, stored)
    assert stored["verb"]["id"] == statements.VERB_FAILED
    assert stored["result"]["score"] == {"scaled": 0.75, "raw": 3.0, "min": 0, "max": 4.0}


def test_sending_the_same_statement_again_stores_one(xapi_site, lrs):
    statement = _attempt_statement(xapi_site.XAPI_HOMEPAGE)
    assert statement_send.call(statement) == SENT
    assert statement_send.call(statement) == SENT  # 204 again: xAPI's idempotent PUT
    assert len(lrs.statements_about(statement["object"]["id"])) == 1


def test_another_statement_under_a_stored_id_counts_as_done_and_keeps_the_first(xapi_site, lrs):
    first = _attempt_statement(xapi_site.XAPI_HOMEPAGE)
    changed = {**first, "result": {**first["result"], "duration": "PT9M"}}
    assert statement_send.call(first) == SENT
    assert statement_send.call(changed) == ALREADY_STORED  # the LRS's 409
    assert lrs.statement(first["id"])["result"]["duration"] == "PT3M"


def test_the_job_through_the_queue_backend_succeeds(xapi_site, lrs):
    statement = _attempt_statement(xapi_site.XAPI_HOMEPAGE)
    result = statement_send.enqueue(statement)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == SENT
    assert lrs.statement(statement["id"])["id"] == statement["id"]


def test_lrs_down_raises_a_retryable_error(xapi_site):
    xapi_site.XAPI_ENDPOINT = f"http://127.0.0.1:{free_port()}/xAPI/"  # nothing listens
    statement = _attempt_statement(xapi_site.XAPI_HOMEPAGE)
    with pytest.raises(LrsUnavailable, match="could not be reached"):
        statement_send.call(statement)
    # Through the queue: the job ends failed (to run again), its statement kept in its arguments.
    result = statement_send.enqueue(statement)
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path == "quizzes.xapi.tasks.LrsUnavailable"
    assert result.args == [statement]


def test_a_failing_lrs_raises_a_retryable_error(xapi_site, failing_lrs):
    xapi_site.XAPI_ENDPOINT = failing_lrs
    with pytest.raises(LrsUnavailable, match="HTTP 503 from the LRS: maintenance"):
        statement_send.call(_attempt_statement(xapi_site.XAPI_HOMEPAGE))


def test_wrong_credentials_are_refused_not_retried(xapi_site, lrs):
    xapi_site.XAPI_PASSWORD = "not-the-password"
    statement = _attempt_statement(xapi_site.XAPI_HOMEPAGE)
    with pytest.raises(LrsRefused, match="HTTP 401"):
        statement_send.call(statement)
    assert lrs.statement(statement["id"]) is None


def test_an_invalid_statement_is_refused(xapi_site, lrs):
    statement = _attempt_statement(xapi_site.XAPI_HOMEPAGE)
    del statement["actor"]
    with pytest.raises(LrsRefused, match="HTTP 422"):  # FastAPI's answer to a bad body
        statement_send.call(statement)
    assert lrs.statement(statement["id"]) is None


def test_unset_endpoint_at_run_time_sends_nothing(settings):
    settings.XAPI_ENDPOINT = ""
    assert statement_send.call(_attempt_statement("http://site.test/")) == NOT_CONFIGURED
