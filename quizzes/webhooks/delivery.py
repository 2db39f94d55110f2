"""The delivery job: post one delivery, record the try, and queue the next one on failure.

Idempotent: a delivery that is no longer pending is left alone, and the outcome is recorded
with a conditional update on the pending state, so a job run twice (a recovered worker, a
replay racing a retry) records one success. The receiver may see the same `webhook-id`
again (at-least-once delivery), never a different id for the same event.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from quizzes.models import WebhookDelivery
from quizzes.webhooks import rules, signing, transport

ENDPOINT_DISABLED = "The endpoint is disabled."


def delivery_body(delivery: WebhookDelivery) -> bytes:
    """The exact bytes posted (and signed): compact JSON with sorted keys."""
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def delivery_enqueue(*, delivery_id: int, run_after: datetime | None = None) -> None:
    """Queue the job on commit; a backend that cannot defer leaves a retry to the sweep."""
    if run_after is not None and not webhook_deliver.get_backend().supports_defer:
        return  # `send_webhook_due_events` queues it once next_attempt_at has passed
    job = webhook_deliver.using(run_after=run_after) if run_after else webhook_deliver
    transaction.on_commit(lambda: job.enqueue(delivery_id=delivery_id))


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> str:
    """Try one delivery now; return what happened (succeeded, retry, failed or skipped)."""
    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .first()
    )
    if delivery is None:
        return "skipped"
    pending = WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.PENDING)
    endpoint = delivery.endpoint
    if not endpoint.active:
        pending.update(
            status=WebhookDelivery.Status.FAILED, last_error=ENDPOINT_DISABLED, next_attempt_at=None
        )
        return "failed"
    body = delivery_body(delivery)
    now = now or timezone.now()
    headers = signing.signed_headers(
        secret=endpoint.secret,
        msg_id=str(delivery.event_id),
        timestamp=int(now.timestamp()),
        body=body,
    )
    # No transaction is open during the request: a slow receiver holds no lock.
    outcome = transport.post(
        endpoint.url,
        body=body,
        headers=headers,
        timeout=rules.REQUEST_TIMEOUT_SECONDS,
        allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES,
    )
    finished = timezone.now()
    if rules.is_delivered(outcome.status_code):
        pending.update(
            status=WebhookDelivery.Status.SUCCEEDED,
            attempts=F("attempts") + 1,
            last_status_code=outcome.status_code,
            last_error="",
            next_attempt_at=None,
            delivered_at=finished,
        )
        return "succeeded"
    error = outcome.error or f"HTTP {outcome.status_code}: {outcome.body}"
    wait = rules.retry_after(delivery.attempts + 1)
    with transaction.atomic():
        updated = pending.update(
            status=WebhookDelivery.Status.PENDING if wait else WebhookDelivery.Status.FAILED,
            attempts=F("attempts") + 1,
            last_status_code=outcome.status_code,
            last_error=error[: rules.ERROR_TEXT_LIMIT],
            next_attempt_at=finished + wait if wait else None,
        )
        if updated and wait:
            delivery_enqueue(delivery_id=delivery.pk, run_after=finished + wait)
    return "retry" if wait else "failed"


@task()
def webhook_deliver(*, delivery_id: int) -> str:
    """The job: one try of one delivery."""
    return delivery_attempt(delivery_id=delivery_id)
