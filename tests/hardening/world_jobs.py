"""The job queue and webhooks in the hardening world (issue 20).

`job_result`: a finished reminder job as `db_worker` leaves it (the suite itself runs jobs
with the immediate backend, which stores none). `webhook_endpoint`: the trainee's manager's
endpoint (cohort A), with one failed `webhook_delivery`.
"""

import uuid

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from quizzes.models import WebhookDelivery, WebhookEndpoint
from quizzes.webhooks.signing import secret_new


def build_jobs_world(*, trainee, program, manager) -> dict:
    now = timezone.now()
    job_result = DBTaskResult.objects.create(
        status=TaskResultStatus.SUCCESSFUL,
        task_path="quizzes.certification.reminders.reminder_email",
        args_kwargs={
            "args": [],
            "kwargs": {
                "user_id": trainee.pk,
                "program_id": program.pk,
                "event": "overdue",
                "event_date": "2026-12-01",
                "awaiting_sign_off": False,
                "site_url": "",
            },
        },
        backend_name="default",
        run_after=get_date_max(),
        started_at=now,
        finished_at=now,
        return_value=True,
        worker_ids=["hardening-world"],
    )
    webhook_endpoint = WebhookEndpoint.objects.create(
        owner=manager,
        url="https://hooks.example.org/training",
        events=["certificate.issued"],
        secret=secret_new(),
    )
    event_id = uuid.uuid4()
    webhook_delivery = WebhookDelivery.objects.create(
        endpoint=webhook_endpoint,
        event_type="certificate.issued",
        event_id=event_id,
        payload={"id": str(event_id), "type": "certificate.issued", "data": {}},
        status=WebhookDelivery.Status.FAILED,
        attempts=6,
        last_status_code=500,
        last_error="HTTP 500: down",
    )
    return {
        "job_result": job_result,
        "webhook_endpoint": webhook_endpoint,
        "webhook_delivery": webhook_delivery,
    }
