"""Competence beyond the quizzes: observed practice, marked written answers and attestations.

Observations and attestations are append-only records: an observation is corrected by a
new one that supersedes it (the old one is kept), and an attestation is never edited. A
written answer's marks are kept in full: re-marking adds a mark, the latest one counts.
Evidence files are private (quizzes.observations.evidence.py).
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from quizzes.cpd.evidence import evidence_storage
from quizzes.models.attempts import AttemptAnswer
from quizzes.models.certification import Program
from quizzes.observations.evidence import observation_evidence_path
from trainingsite.publication import PublicationStatus, PublishableQuerySet

__all__ = [
    "AttestationStatement",
    "Attestation",
    "ChecklistCriterion",
    "Observation",
    "ObservationEvidence",
    "ObservationResult",
    "PracticalChecklist",
    "WrittenAnswerMark",
]


class PracticalChecklistQuerySet(PublishableQuerySet):
    pass


class PracticalChecklist(models.Model):
    """What an assessor watches a trainee do, criterion by criterion."""

    Status = PublicationStatus

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(
        blank=True, help_text="Shown to trainees and assessors: what is observed, and where."
    )
    programs = models.ManyToManyField(
        Program,
        blank=True,
        related_name="required_checklists",
        help_text="Programs whose certificate needs this checklist signed off.",
    )
    observations_required = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1)],
        help_text="How many separate observations judged competent are needed.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        help_text="Assessors record observations on published checklists only.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PracticalChecklistQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        verbose_name = "practical checklist"
        constraints = [
            models.CheckConstraint(
                condition=Q(observations_required__gte=1),
                name="checklist_observations_required_positive",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """The trainee's own observations, where sign-offs of this checklist appear."""
        return reverse("observations:mine")

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ChecklistCriterion(models.Model):
    checklist = models.ForeignKey(
        PracticalChecklist, on_delete=models.CASCADE, related_name="criteria"
    )
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300, help_text="What the trainee does, as observed.")
    guidance = models.TextField(
        blank=True, help_text="For the assessor: what to look for, what counts as met."
    )
    critical = models.BooleanField(
        default=False,
        help_text="A critical criterion not met makes the observation 'not yet competent'.",
    )

    class Meta:
        ordering = ["checklist_id", "order", "id"]
        verbose_name_plural = "checklist criteria"

    def __str__(self) -> str:
        return self.text


class Observation(models.Model):
    """One observed session: who watched whom do what, criterion by criterion, and the outcome."""

    class Setting(models.TextChoices):
        CLINIC = "clinic", "Supervised clinic"
        SIMULATION = "simulation", "Simulation"
        OTHER = "other", "Other"

    class Outcome(models.TextChoices):
        COMPETENT = "competent", "Competent"
        NOT_YET = "not_yet", "Not yet competent"

    checklist = models.ForeignKey(
        PracticalChecklist, on_delete=models.PROTECT, related_name="observations"
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="observations"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="observations_made"
    )
    assessor_name = models.CharField(max_length=300, help_text="The assessor's name when signed.")
    observed_on = models.DateField()
    setting = models.CharField(max_length=12, choices=Setting)
    outcome = models.CharField(max_length=10, choices=Outcome)
    feedback = models.TextField(
        blank=True, help_text="For the trainee: what went well and what to practise."
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        help_text="The earlier observation this one corrects (kept, no longer counted).",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-observed_on", "-recorded_at", "-id"]
        constraints = [
            # Nobody signs off their own practice: held by the database as well as the service.
            models.CheckConstraint(
                condition=~Q(assessor=F("trainee")), name="observation_not_self_assessed"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["competent", "not_yet"]),
                name="observation_outcome_known",
            ),
        ]
        indexes = [
            models.Index(fields=["trainee", "checklist"], name="observation_trainee_checklist")
        ]

    def __str__(self) -> str:
        return f"{self.checklist} · {self.trainee} · {self.observed_on}"

    @property
    def is_competent(self) -> bool:
        return self.outcome == self.Outcome.COMPETENT


class ObservationResult(models.Model):
    """One criterion of an observation: met or not yet, as the criterion read when observed."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="results")
    criterion = models.ForeignKey(ChecklistCriterion, on_delete=models.PROTECT, related_name="+")
    criterion_text = models.CharField(max_length=300)
    critical = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)
    met = models.BooleanField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["observation_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["observation", "criterion"], name="one_result_per_observation_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion_text}: {'met' if self.met else 'not yet'}"


class ObservationEvidence(models.Model):
    """A photo or document kept with an observation; private to those who may see it."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(
        upload_to=observation_evidence_path, storage=evidence_storage, max_length=200
    )
    original_name = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=10, help_text="pdf, png or jpeg.")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["observation_id", "id"]
        verbose_name_plural = "observation evidence"

    def __str__(self) -> str:
        return self.original_name or self.file.name


class AttestationStatementQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class AttestationStatement(models.Model):
    """A statement trainees confirm by typing their name; a new wording is a new version."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    text = models.TextField(help_text="The exact words the trainee confirms.")
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised whenever the text changes; attestations of an older version no "
        "longer count.",
    )
    programs = models.ManyToManyField(
        Program,
        blank=True,
        related_name="required_attestations",
        help_text="Programs whose certificate needs this statement attested.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AttestationStatementQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        verbose_name = "attestation statement"

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    def get_absolute_url(self) -> str:
        return reverse("attestations:detail", kwargs={"slug": self.slug})

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class Attestation(models.Model):
    """A trainee's signed confirmation of one version of a statement. Never edited."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attestations"
    )
    statement = models.ForeignKey(
        AttestationStatement, on_delete=models.PROTECT, related_name="attestations"
    )
    version = models.PositiveIntegerField()
    text = models.TextField(help_text="The statement's exact words as confirmed.")
    typed_name = models.CharField(max_length=300)
    attested_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-attested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "statement", "version"], name="one_attestation_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.statement.title} v{self.version} by {self.typed_name}"


class WrittenAnswerMark(models.Model):
    """An assessor's mark for one written answer; the latest counts, earlier ones are history."""

    answer = models.ForeignKey(AttemptAnswer, on_delete=models.CASCADE, related_name="marks")
    marker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marker_name = models.CharField(max_length=300)
    points = models.FloatField()
    feedback = models.TextField(blank=True)
    marked_at = models.DateTimeField()

    class Meta:
        ordering = ["answer_id", "marked_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=0), name="written_mark_points_positive")
        ]

    def __str__(self) -> str:
        return f"{self.points} for answer {self.answer_id}"
