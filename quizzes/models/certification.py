"""Certification: programs, assignments, certificates and the reminders already sent.

Registered with the quizzes app by the import at the end of quizzes/models.py.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from quizzes.certification.codes import code_format
from trainingsite.publication import PublicationStatus, PublishableQuerySet

__all__ = ["Certificate", "Program", "ProgramAssignment", "ReminderSent"]

# CPD hours a program's certificate earns: one decimal place, from 0.1 to 999.9.
CPD_HOURS_MIN = Decimal("0.1")
CPD_HOURS_MAX = Decimal("999.9")


class ProgramQuerySet(PublishableQuerySet):
    pass


class Program(models.Model):
    Status = PublicationStatus

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True, help_text="Shown to trainees on their dashboard.")
    required_lessons = models.ManyToManyField(
        "lessons.Lesson",
        blank=True,
        related_name="programs",
        help_text="Lessons a trainee must complete to be certified.",
    )
    required_quizzes = models.ManyToManyField(
        "quizzes.Quiz",
        blank=True,
        related_name="programs",
        help_text="Quizzes a trainee must pass (graded attempts; practice never counts).",
    )
    validity_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How long a certificate stays valid. Blank: it never expires.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        help_text="Trainees see and earn only published programs.",
    )
    cpd_hours = models.DecimalField(
        "CPD hours",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(CPD_HOURS_MIN), MaxValueValidator(CPD_HOURS_MAX)],
        help_text=(
            "Continuing professional development hours a certificate earns, e.g. 3.0. "
            "Blank: none. Certificates already issued keep the hours they were issued with."
        ),
    )
    cpd_awarding_body = models.CharField(
        "CPD awarding body",
        max_length=200,
        blank=True,
        help_text="Who accredits the CPD hours, if anyone; shown on certificates and credentials.",
    )
    renewal_supersedes = models.BooleanField(
        "a renewal supersedes the previous certificate",
        default=False,
        help_text=(
            "On: renewing revokes the previous certificate and its credential at once "
            "(“superseded”). Off: the previous one stays valid until its own expiry."
        ),
    )
    update_window_days = models.PositiveSmallIntegerField(
        default=60,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text=(
            "After a material change to a lesson, exam item or checklist of this program, "
            "certified trainees have this many days to complete the update; past it, their "
            "certificate expires early."
        ),
    )
    update_quiz_questions = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Questions in an update quiz, drawn from the changed points.",
    )
    update_pass_mark = models.PositiveSmallIntegerField(
        default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent an update quiz needs to pass.",
    )
    renewal_by_review = models.BooleanField(
        "renewal can count review",
        default=False,
        help_text=(
            "On: a trainee who kept every critical topic above the retention threshold "
            "through the last six months renews with the renewal quiz below instead of the "
            "program's quizzes."
        ),
    )
    renewal_quiz = models.ForeignKey(
        "quizzes.Quiz",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The shorter quiz that renewal by review asks for.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "certification program"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cpd_hours__isnull=True) | models.Q(cpd_hours__gt=0),
                name="program_cpd_hours_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(renewal_by_review=False) | models.Q(renewal_quiz__isnull=False),
                name="renewal_by_review_has_quiz",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ProgramAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_assignments"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="assignments")
    due_date = models.DateField(
        null=True, blank=True, help_text="Certified by this date; blank for no deadline."
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "program"], name="one_assignment_per_program")
        ]
        indexes = [models.Index(fields=["due_date"], name="assignment_due_date")]

    def __str__(self) -> str:
        return f"{self.program} for {self.user}"


class CertificateQuerySet(models.QuerySet):
    def latest_cycles(self):
        """Each trainee's latest certificate per program: one a renewal followed is left out."""
        later = Certificate.objects.filter(
            user_id=models.OuterRef("user_id"),
            program_id=models.OuterRef("program_id"),
            cycle__gt=models.OuterRef("cycle"),
        )
        return self.filter(~models.Exists(later))


class Certificate(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates"
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="certificates")
    holder_name = models.CharField(max_length=300, help_text="The trainee's name when issued.")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    code = models.CharField(max_length=20, unique=True, editable=False)
    cycle = models.PositiveIntegerField(
        help_text="1 for the first certificate in this program, 2 for the first renewal, ..."
    )
    quiz_scores = models.JSONField(
        default=list, blank=True, help_text="The quizzes and best scores that earned it."
    )
    # What else it certifies, copied when issued (titles, assessors' names, dates), so the
    # page, the PDF and the verification page say what was certified whatever changes later.
    lessons_completed = models.JSONField(default=list, blank=True, editable=False)
    observations = models.JSONField(default=list, blank=True, editable=False)
    attestations = models.JSONField(default=list, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoke_reason = models.TextField(blank=True)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="The renewal that superseded (and so revoked) this certificate, if any.",
    )
    # Copied from the program when issued, so a later edit of the program never changes
    # what an issued certificate, its PDF and its credential say.
    cpd_hours = models.DecimalField(
        "CPD hours", max_digits=4, decimal_places=1, null=True, blank=True, editable=False
    )
    cpd_awarding_body = models.CharField(
        "CPD awarding body", max_length=200, blank=True, editable=False
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            # Concurrent completions cannot issue two certificates for one cycle.
            models.UniqueConstraint(
                fields=["user", "program", "cycle"], name="one_certificate_per_cycle"
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revoke_reason=""),
                name="certificate_revocation_has_reason",
            ),
        ]
        permissions = [("revoke_certificate", "Can revoke a certificate")]

    def __str__(self) -> str:
        return f"{self.program} · {self.holder_name} · {self.display_code}"

    def get_absolute_url(self) -> str:
        return reverse("certificates:detail", kwargs={"code": self.display_code})

    @property
    def display_code(self) -> str:
        return code_format(self.code)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def verify_path(self) -> str:
        return reverse("certificates:verify", kwargs={"code": self.display_code})


class ReminderSent(models.Model):
    """One reminder e-mail sent, so that a daily command sends each at most once."""

    class Event(models.TextChoices):
        DUE_SOON = "due_soon", "Due date near"
        OVERDUE = "overdue", "Due date passed"
        EXPIRING_SOON = "expiring_soon", "Certificate expiring soon"
        EXPIRED = "expired", "Certificate expired"
        UPDATE_REQUIRED = "update_required", "Update required after a material change"
        UPDATE_DUE_SOON = "update_due_soon", "Update due soon"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=20, choices=Event)
    event_date = models.DateField(help_text="The due date or expiry date the reminder is about.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program", "event", "event_date"], name="one_reminder_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} to {self.user} for {self.program}"
