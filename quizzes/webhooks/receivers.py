"""Webhook events from other concerns' signals (connected by QuizzesConfig.ready).

Each runs inside the sender's transaction, so the deliveries commit with the change and the
jobs are queued on commit. Events are keyed by values no other database hands out again (a
certificate's random code, an attempt's uuid), never a primary key, which a fresh or
restored database reuses.
"""

from django.dispatch import receiver

from quizzes.certification.signals import certificate_issued, certificate_revoked
from quizzes.models import WebhookEvent
from quizzes.signals import attempt_graded
from quizzes.webhooks.selectors import attempt_event_data, certificate_event_data
from quizzes.webhooks.services import event_emit


@receiver(certificate_issued, dispatch_uid="webhooks_certificate_issued")
def webhooks_certificate_issued(sender, *, certificate, **kwargs) -> None:
    event_emit(
        event_type=WebhookEvent.CERTIFICATE_ISSUED,
        key=f"certificate:{certificate.code}",
        trainee_id=certificate.user_id,
        data=certificate_event_data(certificate),
    )


@receiver(certificate_revoked, dispatch_uid="webhooks_certificate_revoked")
def webhooks_certificate_revoked(sender, *, certificate, **kwargs) -> None:
    event_emit(
        event_type=WebhookEvent.CERTIFICATE_REVOKED,
        key=f"certificate:{certificate.code}",
        trainee_id=certificate.user_id,
        data=certificate_event_data(certificate),
    )


@receiver(attempt_graded, dispatch_uid="webhooks_attempt_submitted")
def webhooks_attempt_submitted(sender, *, attempt, **kwargs) -> None:
    # A regrade that turns a fail into a pass sends the signal again: a new event then.
    event_emit(
        event_type=WebhookEvent.ATTEMPT_SUBMITTED,
        key=f"attempt:{attempt.uuid}:{attempt.passed}",
        trainee_id=attempt.user_id,
        data=attempt_event_data(attempt),
    )
