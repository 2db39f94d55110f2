"""Cohorts: groups of trainees (a clinic, an intake) with managers and assigned programs.

Registered with the quizzes app by the import at the end of quizzes/models.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

__all__ = ["Cohort", "CohortMembership", "CohortProgram"]


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
    programs = models.ManyToManyField(
        "quizzes.Program", through="CohortProgram", related_name="cohorts", blank=True
    )
    join_code = models.CharField(
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text="Optional. Anyone with the sign-up link containing this code joins the cohort.",
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
