"""Webhooks: the endpoints managers register and each signed delivery of an event to them.

A delivery is one event for one endpoint; its `event_id` is the `webhook-id` header and is
the same on every try and replay, and unique per endpoint, so an event recorded twice
(a signal sent again, the daily command run twice) is delivered once.
"""

from django.conf import settings
from django.db import models

__all__ = ["WebhookDelivery", "WebhookEndpoint", "WebhookEvent"]


class WebhookEvent(models.TextChoices):
    CERTIFICATE_ISSUED = "certificate.issued", "Certificate issued"
    CERTIFICATE_REVOKED = "certificate.revoked", "Certificate revoked"
    CERTIFICATE_EXPIRING_SOON = "certificate.expiring_soon", "Certificate expiring soon"
    CERTIFICATE_EXPIRED = "certificate.expired", "Certificate expired"
    TRAINEE_OVERDUE = "trainee.overdue", "Trainee overdue"
    ATTEMPT_SUBMITTED = "attempt.submitted", "Attempt submitted"
    # Sent only by the endpoint page's "Send a test event" button.
    TEST = "webhook.test", "Test event"


class WebhookEndpointQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def for_event(self, event_type: str) -> list:
        """Active endpoints subscribed to `event_type` (read in Python: SQLite has no JSON
        containment; a site has a handful of endpoints)."""
        return [e for e in self.active().select_related("owner") if event_type in e.events]


class WebhookEndpoint(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(
        max_length=2000, help_text="Where the events are posted: an https:// address."
    )
    events = models.JSONField(default=list, help_text="The event types this endpoint receives.")
    secret = models.CharField(
        max_length=80, help_text="The signing secret (whsec_…), shown to the endpoint's owner."
    )
    active = models.BooleanField(default=True, help_text="Disabled endpoints receive nothing.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "webhook endpoint"
        indexes = [models.Index(fields=["owner", "created_at"], name="webhook_endpoint_owner")]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(max_length=40, choices=WebhookEvent)
    event_id = models.UUIDField(help_text="The webhook-id header: the same on every try.")
    payload = models.JSONField(help_text="The event as posted (the body's JSON).")
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhook_delivery_once_per_endpoint"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="succeeded") | models.Q(delivered_at__isnull=False),
                name="webhook_delivery_succeeded_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self):
        return f"{self.event_type} → {self.endpoint.url} ({self.status})"
