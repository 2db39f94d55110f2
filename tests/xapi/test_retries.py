"""Statements the LRS could not take for now are sent again with the site's back-off.

On the database backend (django-tasks-db, which defers) a try that meets a closed port or
a 5xx queues the next try itself with `run_after`; the worker's own claim and run code
picks each job once it is due (time moved with time-machine, never slept), and the
statement is read back from the real Ralph LRS once it answers. A 4xx is never retried;
the last try ends failed with the error logged.
"""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from quizzes.xapi.tasks import (
    RETRY_QUEUED,
    SENT,
    LrsUnavailable,
    statement_send,
)
from tests.xapi.conftest import attempt_statement, free_port
from trainingsite import backoff

pytestmark = pytest.mark.django_db
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TASK_PATH = "quizzes.xapi.tasks.statement_send"


def _run_next_due_job() -> DBTaskResult | None:
    """Claim and run the next due job as `db_worker` does (its queryset, claim and run_task)."""
    row = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
    if row is None:
        return None
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    row.claim(worker.worker_id)
    worker.run_task(row)
    row.refresh_from_db()
    return row


def _closed_endpoint() -> str:
    return f"http://127.0.0.1:{free_port()}/xAPI/"  # nothing listens: connection refused


@override_settings(TASKS=DATABASE_TASKS)
def test_a_try_against_a_stopped_lrs_is_queued_again_then_delivered_once_it_is_up(
    xapi_site, lrs, caplog
):
    statement = attempt_statement(xapi_site.XAPI_HOMEPAGE)
    xapi_site.XAPI_ENDPOINT = _closed_endpoint()
    statement_send.enqueue(statement)

    before = timezone.now()
    with caplog.at_level(logging.WARNING, logger="quizzes.xapi.tasks"):
        first = _run_next_due_job()
    after = timezone.now()
    assert first.status == TaskResultStatus.SUCCESSFUL
    assert first.return_value == RETRY_QUEUED
    retry = DBTaskResult.objects.exclude(pk=first.pk).get()
    assert retry.task_path == TASK_PATH
    assert retry.status == TaskResultStatus.READY
    assert retry.args_kwargs == {"args": [statement], "kwargs": {"attempt": 2}}
    assert before + backoff.BACKOFF[0] <= retry.run_after <= after + backoff.BACKOFF[0]
    assert f"try 1 of {backoff.MAX_TRIES}" in caplog.text
    assert _run_next_due_job() is None  # not due yet

    xapi_site.XAPI_ENDPOINT = lrs.endpoint  # the LRS is back
    with time_machine.travel(retry.run_after + timedelta(seconds=1), tick=False):
        second = _run_next_due_job()
    assert second.pk == retry.pk
    assert (second.status, second.return_value) == (TaskResultStatus.SUCCESSFUL, SENT)
    assert lrs.statement(statement["id"])["id"] == statement["id"]
    assert DBTaskResult.objects.count() == 2  # delivered: nothing more queued


@override_settings(TASKS=DATABASE_TASKS)
def test_each_retry_waits_the_next_back_off_and_the_last_try_ends_failed_and_logged(
    xapi_site, caplog
):
    xapi_site.XAPI_ENDPOINT = _closed_endpoint()
    statement = attempt_statement(xapi_site.XAPI_HOMEPAGE)
    statement_send.enqueue(statement)
    moment = timezone.now()
    rows = []
    for wait in (*backoff.BACKOFF, None):
        with time_machine.travel(moment, tick=False), caplog.at_level(logging.WARNING):
            rows.append(_run_next_due_job())
        if wait is not None:
            queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY).get()
            assert queued.run_after == moment + wait
            moment = queued.run_after
    assert [row.status for row in rows] == [TaskResultStatus.SUCCESSFUL] * len(backoff.BACKOFF) + [
        TaskResultStatus.FAILED
    ]
    last = rows[-1]
    assert last.args_kwargs["kwargs"] == {"attempt": backoff.MAX_TRIES}
    assert last.exception_class_path == "quizzes.xapi.tasks.LrsUnavailable"
    assert DBTaskResult.objects.count() == backoff.MAX_TRIES  # nothing queued after the last
    (given_up,) = [
        r for r in caplog.records if r.name == "quizzes.xapi.tasks" and r.levelno == logging.ERROR
    ]
    assert given_up.getMessage().startswith(f"xAPI statement {statement['id']} not sent")
    assert "giving up" in given_up.getMessage()


@override_settings(TASKS=DATABASE_TASKS)
def test_a_5xx_is_retried_like_a_closed_port(xapi_site, failing_lrs):
    xapi_site.XAPI_ENDPOINT = failing_lrs
    statement_send.enqueue(attempt_statement(xapi_site.XAPI_HOMEPAGE))
    first = _run_next_due_job()
    assert (first.status, first.return_value) == (TaskResultStatus.SUCCESSFUL, RETRY_QUEUED)
    retry = DBTaskResult.objects.exclude(pk=first.pk).get()
    assert retry.args_kwargs["kwargs"] == {"attempt": 2}


@override_settings(TASKS=DATABASE_TASKS)
def test_a_refused_statement_is_not_retried(xapi_site, lrs):
    xapi_site.XAPI_PASSWORD = "not-the-password"
    statement = attempt_statement(xapi_site.XAPI_HOMEPAGE)
    statement_send.enqueue(statement)
    row = _run_next_due_job()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "quizzes.xapi.tasks.LrsRefused"
    assert DBTaskResult.objects.count() == 1
    assert lrs.statement(statement["id"]) is None


def test_a_backend_that_cannot_defer_ends_the_job_failed_as_before(xapi_site):
    # The suite's immediate backend: no retry is queued, the error is the job's.
    xapi_site.XAPI_ENDPOINT = _closed_endpoint()
    statement = attempt_statement(xapi_site.XAPI_HOMEPAGE)
    result = statement_send.enqueue(statement)
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path == "quizzes.xapi.tasks.LrsUnavailable"
    with pytest.raises(LrsUnavailable):
        statement_send.call(statement, attempt=1)
    assert DBTaskResult.objects.count() == 0
