"""Trainees' attempts, their answers, and the accommodations that change a quiz's limits.

An attempt freezes its *paper* (the drawn questions, in order, with their text,
choices and correctness) when it starts; display, scoring and review read the
paper only, so editing a question never changes a past attempt.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from quizzes.models.bank import Question, Quiz

__all__ = [
    "ACCOMMODATION_MAX_ATTEMPTS",
    "ACCOMMODATION_MAX_MINUTES",
    "Accommodation",
    "Attempt",
    "AttemptAnswer",
]


# Sane ceilings for one trainee's accommodation: a working day, and a handful of retakes.
ACCOMMODATION_MAX_MINUTES = 480
ACCOMMODATION_MAX_ATTEMPTS = 10


class Accommodation(models.Model):
    """Extra time or attempts granted to one trainee on one quiz."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_accommodations"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="accommodations")
    extra_minutes = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(ACCOMMODATION_MAX_MINUTES)],
        help_text="Added to the quiz's time limit (no effect on untimed quizzes).",
    )
    extra_attempts = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(ACCOMMODATION_MAX_ATTEMPTS)],
        help_text="Added to the quiz's attempt limit.",
    )
    note = models.CharField(max_length=300, blank=True, help_text="Why it was granted.")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "quiz"], name="one_accommodation_per_user_quiz")
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.quiz}: +{self.extra_minutes} min, +{self.extra_attempts}"


class AttemptQuerySet(models.QuerySet):
    """Which attempts count: the one home of that rule (limits, scores, certificates, reports)."""

    def graded(self):
        """Graded attempts, open or scored: what the attempt limit and the waiting time count."""
        return self.filter(kind=Attempt.Kind.GRADED)

    def counted(self):
        """Graded attempts that were scored: what best scores, passes and certificates count.

        Practice rounds never count; an open attempt has no score yet.
        """
        return self.filter(kind=Attempt.Kind.GRADED, state=Attempt.State.SUBMITTED)

    def open_graded(self):
        """The graded attempt in progress (a constraint allows one per trainee and quiz)."""
        return self.filter(kind=Attempt.Kind.GRADED, state=Attempt.State.IN_PROGRESS)


class Attempt(models.Model):
    class Kind(models.TextChoices):
        GRADED = "graded", "Graded"
        PRACTICE = "practice", "Practice"
        # A spaced-review session (quizzes/spaced_review/): practice-bank questions only.
        REVIEW = "review", "Review"
        # A certified trainee's update quiz after a material change (quizzes/updates/):
        # scored and passed or not, but never counted toward exam scores or limits.
        UPDATE = "update", "Update"

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        # Written answers wait for an assessor; the score and pass are decided when marked.
        MARKING = "marking", "Awaiting marking"
        SUBMITTED = "submitted", "Submitted"

    class CloseReason(models.TextChoices):
        SUBMITTED = "submitted", "Submitted by the trainee"
        TIME_LIMIT = "time_limit", "Closed at the time limit"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.GRADED)
    source_attempt = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practice_rounds",
        help_text="For a practice round: the attempt whose mistakes it revisits.",
    )
    state = models.CharField(max_length=12, choices=State, default=State.IN_PROGRESS)
    close_reason = models.CharField(max_length=12, choices=CloseReason, blank=True)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(
        null=True, blank=True, help_text="Includes any extra time granted; empty when untimed."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    sequence = models.PositiveIntegerField(
        default=0, help_text="Increases with every save, so a stale page cannot overwrite."
    )
    paper = models.JSONField(
        default=dict, help_text="The questions exactly as drawn at the start (frozen)."
    )
    points = models.FloatField(null=True, blank=True)
    max_points = models.FloatField(null=True, blank=True)
    percent = models.FloatField(null=True, blank=True)
    passed = models.BooleanField(
        null=True, blank=True, help_text="Empty until scored, and always empty for practice."
    )
    fail_reasons = models.JSONField(default=list, blank=True)
    topic_scores = models.JSONField(default=list, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "quiz"],
                condition=Q(state="in_progress", kind="graded"),
                name="one_open_graded_attempt_per_user_quiz",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(state="in_progress", kind="review"),
                name="one_open_review_session_per_user",
            ),
            models.UniqueConstraint(
                fields=["user", "quiz"],
                condition=Q(state="in_progress", kind="update"),
                name="one_open_update_quiz_per_user",
            ),
            models.CheckConstraint(
                condition=Q(state="in_progress") | Q(submitted_at__isnull=False),
                name="attempt_submitted_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "quiz", "kind", "state"], name="attempt_user_quiz_state"),
            models.Index(fields=["state", "deadline"], name="attempt_state_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.quiz} · {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        if self.kind == self.Kind.REVIEW:
            name = "review:session" if self.is_open else "review:summary"
            return reverse(name, kwargs={"uuid": self.uuid})
        if self.state != self.State.IN_PROGRESS:
            return reverse("quizzes:result", kwargs={"uuid": self.uuid})
        return reverse("quizzes:attempt", kwargs={"uuid": self.uuid})

    @property
    def is_open(self) -> bool:
        return self.state == self.State.IN_PROGRESS

    @property
    def is_practice(self) -> bool:
        """A practice round or a review session: never scored as passed or failed."""
        return self.kind in (self.Kind.PRACTICE, self.Kind.REVIEW)

    @property
    def is_update(self) -> bool:
        """An update quiz: passed or not, it counts toward its certificate's update only."""
        return self.kind == self.Kind.UPDATE


class AttemptAnswer(models.Model):
    """One question of an attempt's paper and what the trainee chose for it."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    selected = models.JSONField(default=list, blank=True, help_text="Selected choice ids.")
    text = models.TextField(blank=True, help_text="A written answer's response.")
    saved_at = models.DateTimeField(null=True, blank=True)
    awarded = models.FloatField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)
    # Immediate-feedback practice (quizzes/practice/): when the answer was last checked
    # (a checked answer is locked until Try again) and how often it was checked.
    checked_at = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["attempt_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="one_answer_per_attempt_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id}: {self.selected}"
