"""Reminder e-mails through the database queue: queued by the command, sent by a worker."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from quizzes.models.certification import ReminderSent
from tests.builders import assign, make_program

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _worker() -> None:
    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, verbosity=0, stdout=StringIO()
    )


# A real committed database: the worker runs as it does in production, in this process.
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_the_command_queues_one_job_per_email_and_the_worker_sends_each_once(trainee):
    program = make_program(slug="late")
    assign(trainee, program, due_date=timezone.localdate() - timezone.timedelta(days=1))
    out = StringIO()
    call_command("send_certification_reminders", stdout=out)
    assert "1 reminder queued." in out.getvalue()
    assert mail.outbox == []
    (job,) = DBTaskResult.objects.all()
    assert job.task_path == "quizzes.certification.reminders.reminder_email"
    assert job.status == TaskResultStatus.READY

    # The command run again before the worker: the job is queued twice, mailed once.
    call_command("send_certification_reminders", stdout=StringIO())
    assert DBTaskResult.objects.count() == 2
    _worker()
    assert [m.subject for m in mail.outbox] == [f"Overdue: {program.name}"]
    assert ReminderSent.objects.count() == 1
    assert sorted(DBTaskResult.objects.values_list("return_value", flat=True)) == [False, True]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {
        TaskResultStatus.SUCCESSFUL
    }
