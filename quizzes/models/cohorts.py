"""Cohorts: groups of trainees (a clinic, an intake) with managers and assigned programs.

Registered with the quizzes app by the import at the end of quizzes/models.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

__all__ = [
    "Cohort",
    "CohortInvitation",
    "CohortMembership",
    "CohortProgram",
    "SignupConfirmation",
]


class CohortQuerySet(models.QuerySet):
    def managed_by(self, user):
        """Return the cohorts the user manages; superusers manage every cohort."""
        if user.is_superuser:
            return self.all()
        return self.filter(managers=user)


class Cohort(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    trainees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CohortMembership",
        related_name="cohorts",
        blank=True,
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="managed_cohorts",
        blank=True,
        help_text="Managers who see this cohort's reports and add its trainees.",
    )
    assessors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="assessed_cohorts",
        blank=True,
        help_text="Assessors who observe this cohort's trainees and mark their written answers.",
    )
    programs = models.ManyToManyField(
        "quizzes.Program", through="CohortProgram", related_name="cohorts", blank=True
    )
    join_code = models.CharField(
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=(
            "Anyone with the sign-up link containing this code joins the cohort. Random; "
            "the cohort's managers make a new one or switch it off on the cohort page."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(join_code__isnull=True) | ~Q(join_code=""),
                name="cohort_join_code_not_blank",
            )
        ]

    def __str__(self) -> str:
        return self.name


class CohortMembership(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cohort_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="one_membership_per_cohort")
        ]
        # The unique constraint serves lookups by cohort; reports also go from user to cohorts.
        indexes = [models.Index(fields=["user", "cohort"], name="membership_user_cohort")]

    def __str__(self) -> str:
        return f"{self.user} in {self.cohort}"


class CohortProgram(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="cohort_programs")
    program = models.ForeignKey(
        "quizzes.Program", on_delete=models.CASCADE, related_name="cohort_programs"
    )
    due_date = models.DateField(
        null=True,
        blank=True,
        help_text="Trainees of the cohort must be certified by this date; blank for no deadline.",
    )

    class Meta:
        ordering = ["cohort_id", "program_id"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "program"], name="one_program_per_cohort")
        ]
        verbose_name = "program assigned to a cohort"

    def __str__(self) -> str:
        return f"{self.program} for {self.cohort}"


class CohortInvitationQuerySet(models.QuerySet):
    def open(self):
        """Invitations still waiting for an answer and not yet expired."""
        return self.filter(status=CohortInvitation.Status.PENDING, expires_at__gt=timezone.now())


class CohortInvitation(models.Model):
    """An existing account asked to join a cohort: it joins only if its owner accepts."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_invitations"
    )
    email = models.EmailField(
        max_length=254, help_text="The address as the manager typed it; all they see."
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # SHA-256 of the token in the e-mailed link (quizzes/cohorts/tokens.py).
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was accepted, declined, withdrawn or expired."
    )

    objects = CohortInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user"],
                condition=Q(status="pending"),
                name="one_open_invitation_per_cohort_user",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="pending", closed_at__isnull=True)
                    | (~Q(status="pending") & Q(closed_at__isnull=False))
                ),
                name="invitation_closed_unless_pending",
            ),
        ]
        indexes = [models.Index(fields=["user", "status"], name="invitation_user_status")]

    def __str__(self) -> str:
        return f"{self.email} invited to {self.cohort}"


class SignupConfirmation(models.Model):
    """The e-mail check of an account made with a join code.

    Until `confirmed_at` is set the account is never matched by its e-mail
    address (quizzes.cohorts.selectors.users_by_email): whoever signed up has
    not shown that the address is theirs.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signup_confirmation"
    )
    email = models.EmailField(max_length=254, help_text="The address the link was sent to.")
    # SHA-256 of the token in the e-mailed link; cleared once used.
    token_digest = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(token_digest__isnull=True),
                name="signup_confirmation_used_once",
            )
        ]

    def __str__(self) -> str:
        state = "confirmed" if self.confirmed_at else "not confirmed"
        return f"{self.email} ({state})"
