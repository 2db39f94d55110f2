"""The job queue's own upkeep: jobs whose worker died are given back to the queue.

django-tasks-db's `db_worker` claims a job by marking its row RUNNING and only ever picks
READY rows, so a worker killed mid-job (kill -9, a lost machine) leaves its job RUNNING
for ever. Every job of this site is idempotent, so running it again is safe: a row RUNNING
for longer than any job takes is made READY again.
"""

from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

# Longer than any job of the site runs (a webhook delivery gives up after 5 s).
RECOVER_AFTER_DEFAULT = timedelta(minutes=10)


def jobs_stale(*, older_than: timedelta):
    """The database backend's jobs claimed more than `older_than` ago and never finished."""
    cutoff = timezone.now() - older_than
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lte=cutoff)


def jobs_recover_stale(*, older_than: timedelta) -> int:
    """Make stale RUNNING jobs READY again (one conditional update); return how many."""
    return jobs_stale(older_than=older_than).update(status=TaskResultStatus.READY, started_at=None)
