"""Enqueue and inspect jobs in a process of its own, with the worker's settings.

Run as `python -m tests.jobs.jobs_script <command> [options]` with DJANGO_SETTINGS_MODULE,
DATABASE_URL and DJANGO_TASKS_BACKEND set as for the worker under test, so that the job is
enqueued exactly as the site would enqueue it. Prints one JSON line after RESULT_MARKER.
"""

from __future__ import annotations

import argparse
import json

import django

RESULT_MARKER = "JOBS-RESULT "


def enqueue_marker(*, path: str, text: str) -> dict:
    from tests.jobs.tasks import write_marker

    result = write_marker.enqueue(path=path, text=text)
    return {"id": result.id, "backend": result.backend}


def status(*, result_id: str) -> dict:
    from tests.jobs.tasks import write_marker

    result = write_marker.get_result(result_id)
    return {"id": result.id, "status": str(result.status)}


def enqueue_webhook(*, url: str) -> dict:
    """A superuser's endpoint at `url` and a test event for it, queued as the page would."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from quizzes.webhooks.services import endpoint_create, endpoint_send_test

    owner, _ = get_user_model().objects.get_or_create(
        username="jobs-root", defaults={"is_staff": True, "is_superuser": True}
    )
    with transaction.atomic():
        endpoint = endpoint_create(owner=owner, url=url, events=["certificate.issued"])
        delivery = endpoint_send_test(endpoint=endpoint)
    return {"delivery": delivery.pk, "event_id": str(delivery.event_id)}


def report() -> dict:
    from django_tasks_db.models import DBTaskResult

    from quizzes.models import WebhookDelivery

    return {
        "deliveries": list(
            WebhookDelivery.objects.order_by("pk").values(
                "pk", "status", "attempts", "last_status_code"
            )
        ),
        "jobs": [
            {"status": job.status, "workers": job.worker_ids}
            for job in DBTaskResult.objects.order_by("enqueued_at")
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    marker = commands.add_parser("enqueue-marker")
    marker.add_argument("--path", required=True)
    marker.add_argument("--text", required=True)
    show = commands.add_parser("status")
    show.add_argument("--id", required=True)
    webhook = commands.add_parser("enqueue-webhook")
    webhook.add_argument("--url", required=True)
    commands.add_parser("report")
    args = parser.parse_args()
    django.setup()
    if args.command == "enqueue-marker":
        result = enqueue_marker(path=args.path, text=args.text)
    elif args.command == "enqueue-webhook":
        result = enqueue_webhook(url=args.url)
    elif args.command == "report":
        result = report()
    else:
        result = status(result_id=args.id)
    print(RESULT_MARKER + json.dumps(result))


if __name__ == "__main__":
    main()
