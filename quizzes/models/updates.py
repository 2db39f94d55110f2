"""Renewal that follows what changed: material changes, the updates they ask of certificates,
and the trainees' stored retention figures.

A *program update* is one material change (a lesson, an exam item or a practical
checklist that an educator marked as material) recorded against every program that
depends on it, numbered per program: version 1, 2, ... Every certificate of the program
that was valid when the change was made is asked for that update (`CertificateUpdate`),
due within the program's window; until it is done the certificate's expiry is brought
forward to the window's end (the expiry it had is kept here and given back on completion).

`TraineeRetention` is one trainee's retention figures on one day, written by the
`record_retention` job from the review cards' memory states: the managers' reports read
today's rows instead of aggregating every card, and renewal by review reads six months of
them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from quizzes.models.attempts import Attempt
from quizzes.models.bank import Question
from quizzes.models.certification import Certificate, Program
from quizzes.models.competence import PracticalChecklist

__all__ = ["CertificateUpdate", "ProgramUpdate", "TraineeRetention"]


class ProgramUpdate(models.Model):
    """One material change to what a program certifies: its version N."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="updates")
    version = models.PositiveIntegerField(
        help_text="1 for the program's first update, 2 for the next, ..."
    )
    summary = models.CharField(
        max_length=300, help_text="What changed, as certified trainees will read it."
    )
    changed_at = models.DateTimeField(
        help_text="Certificates issued before this moment are asked for the update."
    )
    due_at = models.DateTimeField(help_text="The end of the program's window for this update.")
    lessons = models.ManyToManyField(
        "lessons.Lesson", blank=True, related_name="+", help_text="Lessons to re-read."
    )
    questions = models.ManyToManyField(
        Question,
        blank=True,
        related_name="+",
        help_text="Exam items that changed: the update quiz is drawn from their points.",
    )
    checklists = models.ManyToManyField(
        PracticalChecklist,
        blank=True,
        related_name="+",
        help_text="Practical checklists to be observed again.",
    )
    quiz_candidates = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text=(
            "The exam questions the update quiz may ask, fixed at the change: each changed "
            "item's point (its variant group) and the program's questions on changed lessons."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["program_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["program", "version"], name="one_update_per_version"),
            models.CheckConstraint(
                condition=Q(due_at__gt=models.F("changed_at")), name="update_due_after_change"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} version {self.version}"


class CertificateUpdate(models.Model):
    """One update asked of one certificate, and when the trainee completed it."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="content_updates"
    )
    update = models.ForeignKey(
        ProgramUpdate, on_delete=models.CASCADE, related_name="certificate_updates"
    )
    due_at = models.DateTimeField()
    expires_at_before = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The certificate's expiry when the update was asked (empty: it had none).",
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    attempt = models.ForeignKey(
        Attempt,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The passed update quiz that completed it, if it asked for one.",
    )

    class Meta:
        ordering = ["certificate_id", "update_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "update"], name="one_update_per_certificate"
            )
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(completed_at__isnull=True),
                name="certificate_update_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate} · {self.update}"

    @property
    def is_pending(self) -> bool:
        return self.completed_at is None


class TraineeRetention(models.Model):
    """One trainee's retention figures on one day (recall as a share, 0 to 1)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="retention_days"
    )
    taken_on = models.DateField()
    cards = models.PositiveIntegerField(default=0)
    recall = models.FloatField(null=True, blank=True)
    critical_recall = models.FloatField(
        null=True, blank=True, help_text="Empty when the trainee holds no critical card."
    )
    reviews_due = models.PositiveIntegerField(default=0)
    reviews_done = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["user_id", "-taken_on"]
        constraints = [
            models.UniqueConstraint(fields=["user", "taken_on"], name="one_retention_per_day"),
            models.CheckConstraint(
                condition=Q(reviews_done__lte=models.F("reviews_due")),
                name="retention_done_within_due",
            ),
        ]
        indexes = [models.Index(fields=["taken_on", "user"], name="retention_day_user")]

    def __str__(self) -> str:
        return f"{self.user} on {self.taken_on}"
