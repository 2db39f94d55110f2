"""The send job against a real LRS (Ralph on loopback), and against one that is down or failing."""

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
from tests.xapi.conftest import attempt_statement, free_port


def _same(sent: dict, stored: dict) -> None:
    for part in ("id", "actor", "verb", "object", "result", "context"):
        assert stored[part] == sent[part], part


def test_statements_url_with_or_without_the_final_slash():
    assert statements_url("http://lrs.test/xAPI/", "abc") == (
        "http://lrs.test/xAPI/statements?statementId=abc"
    )
    assert statements_url("http://lrs.test/xAPI", "abc") == (
        "http://lrs.test/xAPI/statements?statementId=abc"
    )


def test_a_statement_round_trips_through_the_lrs(xapi_site, lrs):
    statement = attempt_statement(xapi_site.XAPI_HOMEPAGE)
    assert statement_send.call(statement) == SENT
    stored = lrs.statement(statement["id"])
    _same(statement, stored)
    assert stored["verb"]["id"] == statements.VERB_FAILED
    assert stored["result"]["score"] == {"scaled": 0.75, "raw": 3.0, "min": 0, "max": 4.0}


def test_sending_the_same_statement_again_stores_one(xapi_site, lrs):
    statement = attempt_statement(xapi_site.XAPI_HOMEPAGE)
    assert statement_send.call(statement) == SENT
    assert statement_send.call(statement) == SENT  # 204 again: xAPI's idempotent PUT
    assert len(lrs.statements_about(statement["object"]["id"])) == 1


def test_another_statement_under_a_stored_id_counts_as_done_and_keeps_the_first(xapi_site, lrs):
    first = attempt_statement(xapi_site.XAPI_HOMEPAGE)
    changed = {**first, "result": {**first["result"], "duration": "PT9M"}}
    assert statement_send.call(first) == SENT
    assert statement_send.call(changed) == ALREADY_STORED  # the LRS's 409
    assert lrs.statement(first["id"])["result"]["duration"] == "PT3M"


def test_the_job_through_the_queue_backend_succeeds(xapi_site, lrs):
    statement = attempt_statement(xapi_site.XAPI_HOMEPAGE)
    result = statement_send.enqueue(statement)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == SENT
    assert lrs.statement(statement["id"])["id"] == statement["id"]


def test_lrs_down_raises_a_retryable_error(xapi_site):
    xapi_site.XAPI_ENDPOINT = f"http://127.0.0.1:{free_port()}/xAPI/"  # nothing listens
    statement = attempt_statement(xapi_site.XAPI_HOMEPAGE)
    with pytest.raises(LrsUnavailable, match="could not be reached"):
        statement_send.call(statement)
    # Through the immediate backend, which cannot defer: the job ends failed, no retry queued.
    result = statement_send.enqueue(statement)
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path == "quizzes.xapi.tasks.LrsUnavailable"
    assert result.args == [statement]


def test_a_failing_lrs_raises_a_retryable_error(xapi_site, failing_lrs):
    xapi_site.XAPI_ENDPOINT = failing_lrs
    with pytest.raises(LrsUnavailable, match="HTTP 503 from the LRS: maintenance"):
        statement_send.call(attempt_statement(xapi_site.XAPI_HOMEPAGE))


def test_wrong_credentials_are_refused_not_retried(xapi_site, lrs):
    xapi_site.XAPI_PASSWORD = "not-the-password"
    statement = attempt_statement(xapi_site.XAPI_HOMEPAGE)
    with pytest.raises(LrsRefused, match="HTTP 401"):
        statement_send.call(statement)
    assert lrs.statement(statement["id"]) is None


def test_an_invalid_statement_is_refused(xapi_site, lrs):
    statement = attempt_statement(xapi_site.XAPI_HOMEPAGE)
    del statement["actor"]
    with pytest.raises(LrsRefused, match="HTTP 422"):  # FastAPI's answer to a bad body
        statement_send.call(statement)
    assert lrs.statement(statement["id"]) is None


def test_unset_endpoint_at_run_time_sends_nothing(settings):
    settings.XAPI_ENDPOINT = ""
    assert statement_send.call(attempt_statement("http://site.test/")) == NOT_CONFIGURED
