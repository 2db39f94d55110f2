"""CPD: training a trainee did elsewhere, recorded beside the certificates issued here.

The hours of certificates live on the certificates (copied when issued); this module
holds only the external entries. Evidence files are private (quizzes/cpd/evidence.py).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from quizzes.cpd.evidence import evidence_path, evidence_storage
from quizzes.cpd.rules import ENTRY_HOURS_MAX, ENTRY_HOURS_MIN

__all__ = ["CpdEntry"]


class CpdEntryQuerySet(models.QuerySet):
    def counted(self):
        """The entries whose hours count: recorded (no approval needed) or approved."""
        return self.filter(status__in=[CpdEntry.Status.RECORDED, CpdEntry.Status.APPROVED])


class CpdEntry(models.Model):
    class Status(models.TextChoices):
        RECORDED = "recorded", "Recorded"
        PENDING = "pending", "Pending approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cpd_entries"
    )
    title = models.CharField(max_length=200, help_text="The course, workshop or conference.")
    provider = models.CharField(max_length=200, help_text="Who ran it.")
    completed_on = models.DateField("date", help_text="The day it was completed.")
    hours = models.DecimalField(
        "CPD hours",
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(ENTRY_HOURS_MIN), MaxValueValidator(ENTRY_HOURS_MAX)],
    )
    evidence = models.FileField(
        upload_to=evidence_path, storage=evidence_storage, max_length=200, blank=True
    )
    evidence_original_name = models.CharField(
        max_length=255,
        blank=True,
        help_text="The uploader's file name (stored under a random one).",
    )
    evidence_kind = models.CharField(max_length=10, blank=True, help_text="pdf, png or jpeg.")
    status = models.CharField(max_length=10, choices=Status, default=Status.RECORDED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CpdEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on", "-id"]
        verbose_name = "CPD entry"
        verbose_name_plural = "CPD entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gte=ENTRY_HOURS_MIN, hours__lte=ENTRY_HOURS_MAX),
                name="cpd_entry_hours_in_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "rejected"])
                | models.Q(reviewed_at__isnull=False),
                name="cpd_entry_review_has_time",
            ),
        ]
        indexes = [models.Index(fields=["user", "completed_on"], name="cpd_entry_user_date")]

    def __str__(self) -> str:
        return f"{self.title} ({self.hours} h) for {self.user}"

    @property
    def is_locked(self) -> bool:
        """Approved entries are fixed: the trainee may no longer edit or delete them."""
        return self.status == self.Status.APPROVED
