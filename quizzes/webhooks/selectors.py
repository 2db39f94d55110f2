"""Reads for webhooks: the events' data, the events due today, and the owners' pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from quizzes.certification.rules import ProgressStatus
from quizzes.certification.selectors import programs_progress_bulk
from quizzes.models import (
    Attempt,
    Certificate,
    CohortMembership,
    Program,
    ProgramAssignment,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from trainingsite.links import public_url

ENDPOINT_NOT_FOUND = "No such webhook endpoint."
RECENT_DELIVERIES = 50


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def person_key(user) -> str:
    """The person's id with the moment they joined, to the microsecond in UTC.

    Another database (fresh or restored) gives its people the same ids again, never the
    same join moments, so an event keyed by this is never taken for another's.
    """
    joined = user.date_joined.astimezone(UTC).isoformat(timespec="microseconds")
    return f"{user.pk}@{joined}"


def trainee_data(user) -> dict:
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": user.get_full_name().strip(),
        "email": user.email,
    }


def certificate_event_data(certificate: Certificate) -> dict:
    return {
        "certificate": {
            "code": certificate.display_code,
            "program": certificate.program.slug,
            "program_name": certificate.program.name,
            "cycle": certificate.cycle,
            "holder_name": certificate.holder_name,
            "issued_at": _iso(certificate.issued_at),
            "expires_at": _iso(certificate.expires_at),
            "revoked_at": _iso(certificate.revoked_at),
            # Read only when revoked: the due events' certificates come without it, and
            # reading it would cost a query each.
            "revoke_reason": certificate.revoke_reason if certificate.revoked_at else "",
            # Absolute: the receiver is another system. The holder's page needs a sign-in;
            # the verification page is public.
            "url": public_url(certificate.get_absolute_url()),
            "verification_url": public_url(certificate.verify_path()),
        },
        "trainee": trainee_data(certificate.user),
    }


def attempt_event_data(attempt: Attempt) -> dict:
    return {
        "attempt": {
            "id": str(attempt.uuid),
            "quiz": attempt.quiz.slug,
            "quiz_title": attempt.quiz.title,
            "started_at": _iso(attempt.started_at),
            "submitted_at": _iso(attempt.submitted_at),
            "percent": attempt.percent,
            "passed": attempt.passed,
        },
        "trainee": trainee_data(attempt.user),
    }


@dataclass(frozen=True)
class DueEvent:
    event_type: str
    key: str
    trainee_id: int
    data: dict


def due_events(*, now: datetime | None = None) -> list[DueEvent]:
    """Expiring-soon, expired and overdue states now, as events (each keyed by its state)."""
    now = now or timezone.now()
    programs = Program.objects.published()
    assigned = ProgramAssignment.objects.filter(program__in=programs).values("user_id")
    via_cohort = CohortMembership.objects.filter(
        cohort__cohort_programs__program__in=programs
    ).values("user_id")
    certified = Certificate.objects.filter(program__in=programs).values("user_id")
    users = get_user_model().objects.filter(
        Q(pk__in=assigned) | Q(pk__in=via_cohort) | Q(pk__in=certified), is_active=True
    )
    people = {user.pk: user for user in users}
    progress = programs_progress_bulk(users=users, programs=programs, now=now)
    events = []
    for (user_id, _program_id), item in progress.items():
        status = item.progress.status
        certificate = item.certificate
        if status in (ProgressStatus.EXPIRING_SOON, ProgressStatus.EXPIRED):
            event_type = (
                WebhookEvent.CERTIFICATE_EXPIRING_SOON
                if status == ProgressStatus.EXPIRING_SOON
                else WebhookEvent.CERTIFICATE_EXPIRED
            )
            certificate.user, certificate.program = people[user_id], item.program
            events.append(
                DueEvent(
                    event_type=event_type,
                    key=f"certificate:{certificate.code}:{certificate.expires_at.date()}",
                    trainee_id=user_id,
                    data=certificate_event_data(certificate),
                )
            )
        elif status == ProgressStatus.OVERDUE and item.assignment is not None:
            due = item.assignment.due_date
            events.append(
                DueEvent(
                    event_type=WebhookEvent.TRAINEE_OVERDUE,
                    key=f"overdue:{person_key(people[user_id])}:{item.program.slug}:{due}",
                    trainee_id=user_id,
                    data={
                        "program": item.program.slug,
                        "program_name": item.program.name,
                        "due_date": due.isoformat() if due else None,
                        "trainee": trainee_data(people[user_id]),
                    },
                )
            )
    return events


@dataclass(frozen=True)
class EventName:
    """An event type as the pages show it: its label, with the value receivers see."""

    value: str
    label: str


def event_names(events: list[str]) -> list[EventName]:
    """The endpoint's event types with their labels (the value for one no longer sent)."""
    known = dict(WebhookEvent.choices)
    return [EventName(value=value, label=known.get(value, value)) for value in events]


def endpoints_listed(user) -> list[WebhookEndpoint]:
    """The owner's endpoints for their list page, each with its `event_names`."""
    endpoints = list(endpoints_for_owner(user))
    for endpoint in endpoints:
        endpoint.event_names = event_names(endpoint.events)
    return endpoints


def endpoints_for_owner(user):
    """The endpoints a manager or superuser registered (their own only)."""
    return WebhookEndpoint.objects.filter(owner=user).order_by("-created_at", "-id")


def webhook_endpoint_for_owner_or_404(user, pk: int) -> WebhookEndpoint:
    """The one way a page reaches an endpoint: its owner's, else 404."""
    endpoint = endpoints_for_owner(user).filter(pk=pk).first()
    if endpoint is None:
        raise Http404(ENDPOINT_NOT_FOUND)
    return endpoint


def endpoint_deliveries(endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    return list(endpoint.deliveries.order_by("-created_at", "-id")[:RECENT_DELIVERIES])
