from django.conf import settings
from django.db import models

APPEND_ONLY_CHANGE = "Audit events are append-only and cannot be changed."
APPEND_ONLY_DELETE = "Audit events are append-only and cannot be deleted."


class AuditEventQuerySet(models.QuerySet):
    """Reads and inserts only: bulk update() and delete() are refused.

    Deleting a user still works: Django's deletion collector clears `actor`
    through the plain base manager, and `actor_name` keeps the name.
    """

    def update(self, **kwargs):
        raise ValueError(APPEND_ONLY_CHANGE)

    def delete(self):
        raise ValueError(APPEND_ONLY_DELETE)

    delete.queryset_only = True

    def bulk_update(self, objs, fields, batch_size=None):
        raise ValueError(APPEND_ONLY_CHANGE)

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise ValueError(APPEND_ONLY_CHANGE)


class AuditEvent(models.Model):
    """An append-only record of something that matters for trust: who, what, when."""

    class Action(models.TextChoices):
        ATTEMPT_SUBMITTED = "attempt.submitted", "Attempt submitted"
        ATTEMPT_EXPIRED = "attempt.expired", "Attempt closed at its time limit"
        ATTEMPT_REGRADED = "attempt.regraded", "Attempt regraded"
        CERTIFICATE_ISSUED = "certificate.issued", "Certificate issued"
        CERTIFICATE_REVOKED = "certificate.revoked", "Certificate revoked"
        CONTENT_PUBLISHED = "content.published", "Content published"
        CONTENT_UNPUBLISHED = "content.unpublished", "Content unpublished"
        CONTENT_REREAD_REQUIRED = "content.reread_required", "Content changed: re-read required"
        PROGRAM_UPDATE_RECORDED = (
            "program.update_recorded",
            "Material change: certified trainees must update",
        )
        CERTIFICATE_UPDATED = "certificate.updated", "Certificate updated to a new version"
        ROLE_CHANGED = "role.changed", "Role changed"
        COHORT_MEMBERSHIP_CHANGED = "cohort.membership_changed", "Cohort membership changed"
        COHORT_INVITATION_SENT = "cohort.invitation_sent", "Cohort invitation sent"
        COHORT_INVITATION_CLOSED = (
            "cohort.invitation_closed",
            "Cohort invitation declined or withdrawn",
        )
        JOIN_CODE_CHANGED = "cohort.join_code_changed", "Join code changed"
        EMAIL_CONFIRMED = "account.email_confirmed", "E-mail address confirmed"
        CSV_IMPORTED = "import.csv", "CSV import"
        QUESTIONS_IMPORTED = "import.questions", "Questions imported"
        ACCOMMODATION_GRANTED = "accommodation.granted", "Accommodation granted"
        CPD_ENTRY_APPROVED = "cpd.entry_approved", "CPD entry approved"
        CPD_ENTRY_REJECTED = "cpd.entry_rejected", "CPD entry rejected"
        OBSERVATION_RECORDED = "observation.recorded", "Observed practice recorded"
        OBSERVATION_ACKNOWLEDGED = "observation.acknowledged", "Observation acknowledged"
        ANSWER_MARKED = "answer.marked", "Written answer marked"
        ATTEMPT_MARKED = "attempt.marked", "Attempt marked and scored"
        ATTESTATION_SIGNED = "attestation.signed", "Attestation signed"
        API_TOKEN_CREATED = "api.token_created", "API token created"
        API_TOKEN_REVOKED = "api.token_revoked", "API token revoked"
        WEBHOOK_ENDPOINT_CREATED = "webhook.endpoint_created", "Webhook endpoint created"
        WEBHOOK_ENDPOINT_CHANGED = (
            "webhook.endpoint_changed",
            "Webhook endpoint disabled or deleted",
        )
        WEBHOOK_REPLAYED = "webhook.replayed", "Webhook delivery replayed"

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who did it; empty for the system (for example a time limit running out).",
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="The username at the time.")
    action = models.CharField(max_length=40, choices=Action, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        # Nobody can be granted the right to add, change or delete events.
        default_permissions = ("view",)
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(APPEND_ONLY_CHANGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(APPEND_ONLY_DELETE)
