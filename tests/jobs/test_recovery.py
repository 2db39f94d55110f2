"""`recover_stale_jobs`: jobs a dead database worker left RUNNING go back to the queue."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from trainingsite.jobs import jobs_recover_stale

pytestmark = pytest.mark.django_db


def _job(status, *, started_minutes_ago=None):
    started = (
        timezone.now() - timedelta(minutes=started_minutes_ago)
        if started_minutes_ago is not None
        else None
    )
    return DBTaskResult.objects.create(
        status=status,
        task_path="tests.jobs.tasks.write_marker",
        args_kwargs={"args": [], "kwargs": {"path": "/dev/null", "text": "x"}},
        backend_name="default",
        run_after=get_date_max(),
        started_at=started,
    )


def run(*args) -> str:
    out = StringIO()
    call_command("recover_stale_jobs", *args, stdout=out)
    return out.getvalue()


def test_only_jobs_running_longer_than_the_limit_are_queued_again():
    stale = _job(TaskResultStatus.RUNNING, started_minutes_ago=30)
    recent = _job(TaskResultStatus.RUNNING, started_minutes_ago=1)
    done = _job(TaskResultStatus.SUCCESSFUL, started_minutes_ago=60)
    waiting = _job(TaskResultStatus.READY)
    assert "1 stale job queued again." in run()
    statuses = {job.pk: job.status for job in DBTaskResult.objects.all()}
    assert statuses == {
        stale.pk: TaskResultStatus.READY,
        recent.pk: TaskResultStatus.RUNNING,
        done.pk: TaskResultStatus.SUCCESSFUL,
        waiting.pk: TaskResultStatus.READY,
    }
    assert DBTaskResult.objects.ready().filter(pk=stale.pk).exists()
    assert "0 stale jobs queued again." in run()


def test_recover_after_zero_takes_every_running_job():
    _job(TaskResultStatus.RUNNING, started_minutes_ago=0)
    _job(TaskResultStatus.RUNNING, started_minutes_ago=5)
    assert "2 stale jobs queued again." in run("--recover-after", "0")


def test_dry_run_counts_and_changes_nothing():
    job = _job(TaskResultStatus.RUNNING, started_minutes_ago=30)
    assert "Dry run: 1 stale job, none changed." in run("--dry-run")
    job.refresh_from_db()
    assert job.status == TaskResultStatus.RUNNING


def test_a_negative_limit_is_refused():
    with pytest.raises(CommandError, match="--recover-after must be zero or more seconds."):
        run("--recover-after", "-1")


def test_the_service_returns_how_many_it_recovered():
    _job(TaskResultStatus.RUNNING, started_minutes_ago=30)
    assert jobs_recover_stale(older_than=timedelta(minutes=10)) == 1
    assert jobs_recover_stale(older_than=timedelta(minutes=10)) == 0
