"""Writes for webhooks: endpoints, events recorded as deliveries, replays.

`event_emit` is called inside the transaction of the change it reports (from the receivers
of certification's and the engine's signals, or the daily command): it records one delivery
per subscribed endpoint whose owner may see the trainee (cohorts/scope.py: a manager's
cohorts, a superuser's all), in a fixed number of queries however many endpoints there
are, and queues the jobs on commit. An event's id is derived from what it is about, so
recording it again changes nothing.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router, transaction
from django.utils import timezone

from quizzes.cohorts.scope import managers_seeing_trainee
from quizzes.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from quizzes.webhooks import signing, transport
from quizzes.webhooks.delivery import delivery_enqueue
from trainingsite.audit import audit_record
from trainingsite.models import AuditEvent
from trainingsite.roles import user_is_manager

NOT_AN_OWNER = "Only managers and superusers register webhook endpoints."
NO_EVENTS = "Choose at least one event."
UNKNOWN_EVENT = "Unknown event type: {event}."
ENDPOINT_LIMIT = 20
TOO_MANY_ENDPOINTS = f"You have {ENDPOINT_LIMIT} endpoints already; delete one first."
REPLAY_NOT_ALLOWED = "Only superusers replay deliveries."
# uuid5 namespace of the site's event ids (fixed: changing it would resend every event).
EVENT_NAMESPACE = uuid.UUID("6f1d8a52-31a4-4c57-9d59-6f0a4be8c0d1")
SUBSCRIBABLE = [event for event in WebhookEvent.values if event != WebhookEvent.TEST]


def endpoint_url_check(url: str) -> None:
    """Raise ValidationError when deliveries could never be posted to `url`."""
    try:
        transport.destination_check(url, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES)
    except ValueError as error:
        raise ValidationError(str(error)) from error


@transaction.atomic
def endpoint_create(*, owner, url: str, events: list[str]) -> WebhookEndpoint:
    """Register an endpoint with a new signing secret (audited)."""
    if not user_is_manager(owner):
        raise PermissionDenied(NOT_AN_OWNER)
    if not events:
        raise ValidationError(NO_EVENTS)
    for event in events:
        if event not in SUBSCRIBABLE:
            raise ValidationError(UNKNOWN_EVENT.format(event=event))
    endpoint_url_check(url)
    if WebhookEndpoint.objects.filter(owner=owner).count() >= ENDPOINT_LIMIT:
        raise ValidationError(TOO_MANY_ENDPOINTS)
    endpoint = WebhookEndpoint.objects.create(
        owner=owner, url=url, events=sorted(set(events)), secret=signing.secret_new()
    )
    audit_record(
        actor=owner,
        action=AuditEvent.Action.WEBHOOK_ENDPOINT_CREATED,
        target=endpoint,
        summary=url,
        details={"events": endpoint.events},
    )
    return endpoint


@transaction.atomic
def endpoint_disable(*, endpoint: WebhookEndpoint, by) -> bool:
    """Stop deliveries to an endpoint; False when it was already disabled."""
    updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).update(active=False)
    if updated:
        endpoint.active = False
        audit_record(
            actor=by,
            action=AuditEvent.Action.WEBHOOK_ENDPOINT_CHANGED,
            target=endpoint,
            summary=f"{endpoint.url} · disabled",
        )
    return bool(updated)


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, by) -> None:
    """Delete an endpoint and its delivery records (audited with its address)."""
    audit_record(
        actor=by,
        action=AuditEvent.Action.WEBHOOK_ENDPOINT_CHANGED,
        target=endpoint,
        summary=f"{endpoint.url} · deleted",
    )
    endpoint.delete()


def event_id_for(*, event_type: str, key: str) -> uuid.UUID:
    """The event's id: the same for the same event type and subject, whoever records it."""
    return uuid.uuid5(EVENT_NAMESPACE, f"{event_type}:{key}")


def endpoints_seeing(endpoints: list[WebhookEndpoint], trainee_id: int | None) -> list:
    """The endpoints whose owner sees the trainee, in one query whatever their number.

    An active superuser's endpoint receives every event (also a trainee in no cohort);
    a manager's, events about the trainees of their cohorts (cohorts/scope.py).
    """
    superusers = {e.owner_id for e in endpoints if e.owner.is_active and e.owner.is_superuser}
    others = {e.owner_id for e in endpoints if not e.owner.is_superuser}
    seeing = managers_seeing_trainee(user_ids=others, trainee_id=trainee_id) if others else set()
    visible = superusers | seeing
    return [e for e in endpoints if e.owner_id in visible]


def _any_subscribed(event_type: str) -> bool:
    """Whether any active endpoint takes `event_type`: one plain read of the events column.

    Every submitted attempt emits an event, and most sites have no endpoint for it;
    building the endpoints query (with their owners) cost more than the rest of the
    emit. Read each time, never cached: a new or disabled endpoint counts at once.
    """
    meta = WebhookEndpoint._meta
    connection = connections[router.db_for_read(WebhookEndpoint)]
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote(meta.get_field('events').column)} FROM {quote(meta.db_table)}"
        f" WHERE {quote(meta.get_field('active').column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [True])
        rows = cursor.fetchall()
    return any(
        event_type in (json.loads(events) if isinstance(events, str | bytes) else events)
        for (events,) in rows
    )


def event_emit(
    *, event_type: str, key: str, trainee_id: int | None, data: dict, now: datetime | None = None
) -> list[WebhookDelivery]:
    """Record the event for every subscribed endpoint in scope; queue them on commit."""
    if not _any_subscribed(event_type):
        return []
    now = now or timezone.now()
    event_id = event_id_for(event_type=event_type, key=key)
    endpoints = endpoints_seeing(WebhookEndpoint.objects.for_event(event_type), trainee_id)
    if not endpoints:
        return []
    held = set(
        WebhookDelivery.objects.filter(event_id=event_id, endpoint__in=endpoints).values_list(
            "endpoint_id", flat=True
        )
    )
    new = [endpoint.pk for endpoint in endpoints if endpoint.pk not in held]
    if not new:
        return []  # recorded before: the event id makes a second emit a no-op
    payload = {
        "id": str(event_id),
        "type": event_type,
        "timestamp": now.isoformat(),
        "data": data,
    }
    # One INSERT for every endpoint; a concurrent emit's rows are skipped by the unique
    # (endpoint, event_id) constraint instead of failing this transaction.
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint_id=endpoint_id, event_type=event_type, event_id=event_id, payload=payload
            )
            for endpoint_id in new
        ],
        ignore_conflicts=True,
    )
    recorded = list(
        WebhookDelivery.objects.filter(event_id=event_id, endpoint_id__in=new).order_by("pk")
    )
    for delivery in recorded:
        delivery_enqueue(delivery_id=delivery.pk)
    return recorded


@transaction.atomic
def endpoint_send_test(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Record and queue a test event for one endpoint (a new event id each time)."""
    now = timezone.now()
    event_id = uuid.uuid4()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type=WebhookEvent.TEST,
        event_id=event_id,
        payload={
            "id": str(event_id),
            "type": WebhookEvent.TEST.value,
            "timestamp": now.isoformat(),
            "data": {"message": "A test event from the training site."},
        },
    )
    delivery_enqueue(delivery_id=delivery.pk)
    return delivery


@transaction.atomic
def delivery_replay(*, delivery: WebhookDelivery, by) -> None:
    """Queue a delivery again, whatever its state (same event id; audited)."""
    if not by.is_superuser:
        raise PermissionDenied(REPLAY_NOT_ALLOWED)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING, next_attempt_at=None
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.WEBHOOK_REPLAYED,
        target=delivery,
        summary=f"{delivery.event_type} → {delivery.endpoint.url}",
        details={"event_id": str(delivery.event_id), "previous_status": delivery.status},
    )
    delivery_enqueue(delivery_id=delivery.pk)


def deliveries_enqueue_due(*, now: datetime | None = None) -> int:
    """Queue the pending deliveries whose next try is due (a lost or undeferred retry)."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        for delivery_id in due:
            delivery_enqueue(delivery_id=delivery_id)
    return len(due)
