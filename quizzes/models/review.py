"""Spaced review: one card per trainee and point, its review log, the trainee's nudge setting.

A *point* is what a question tests: its variant group, else the question itself. Cards
hold practice-bank points only (an exam's questions are never shown in practice); the
memory state (FSRS's stability, difficulty, state and step) is stored with the point's
topic and criticality, so recall can be aggregated per topic in SQL.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from quizzes.models.attempts import Attempt
from quizzes.models.bank import Question

__all__ = ["ReviewCard", "ReviewLog", "ReviewPreference"]


class ReviewCard(models.Model):
    """What the scheduler remembers of one trainee and one point."""

    class State(models.IntegerChoices):
        LEARNING = 1, "Learning"
        REVIEW = 2, "Review"
        RELEARNING = 3, "Relearning"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_cards"
    )
    point = models.CharField(
        max_length=80, help_text="'group:<variant group>', or 'question:<id>' for a lone question."
    )
    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        related_name="review_cards",
        help_text="The practice question last shown for this point.",
    )
    topic = models.ForeignKey("lessons.Topic", on_delete=models.PROTECT, related_name="+")
    critical = models.BooleanField(
        default=False, help_text="A safety point: kept on the shorter critical interval."
    )
    state = models.PositiveSmallIntegerField(choices=State, default=State.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(
        null=True, blank=True, help_text="Days until recall falls to 90%."
    )
    difficulty = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id", "due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "point"], name="one_review_card_per_point"),
            models.CheckConstraint(
                condition=Q(stability__isnull=True) | Q(stability__gt=0),
                name="review_card_stability_positive",
            ),
            models.CheckConstraint(
                condition=Q(difficulty__isnull=True) | Q(difficulty__gte=1, difficulty__lte=10),
                name="review_card_difficulty_range",
            ),
        ]
        indexes = [models.Index(fields=["user", "due"], name="review_card_user_due")]

    def __str__(self) -> str:
        return f"{self.user} · {self.point} · due {self.due:%Y-%m-%d}"


class ReviewLog(models.Model):
    """One rating of a card: by a practice check, a review session or a missed exam answer."""

    class Source(models.TextChoices):
        PRACTICE = "practice", "Practice"
        REVIEW = "review", "Review session"
        EXAM = "exam", "Exam"

    class Rating(models.IntegerChoices):
        AGAIN = 1, "Again"
        HARD = 2, "Hard"
        GOOD = 3, "Good"
        EASY = 4, "Easy"

    card = models.ForeignKey(ReviewCard, on_delete=models.CASCADE, related_name="logs")
    rating = models.PositiveSmallIntegerField(choices=Rating)
    source = models.CharField(max_length=10, choices=Source)
    attempt = models.ForeignKey(
        Attempt, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    reviewed_at = models.DateTimeField()
    due_before = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the card was due just before this rating; empty for its first rating.",
    )
    due_after = models.DateTimeField(help_text="When the card became due again.")

    class Meta:
        ordering = ["card_id", "reviewed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=4), name="review_log_rating_range"
            ),
        ]
        indexes = [
            models.Index(fields=["card", "reviewed_at"], name="review_log_card_time"),
            # Whether a submitted attempt's question was rated already (the attempt_graded
            # receiver): without it SQLite reads every log of the question.
            models.Index(fields=["attempt", "question"], name="review_log_attempt_question"),
        ]

    def __str__(self) -> str:
        return f"{self.card_id} · {self.get_rating_display()} · {self.reviewed_at:%Y-%m-%d}"


class ReviewPreference(models.Model):
    """A trainee's choice about review e-mails, and when the last nudge went."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_preference"
    )
    nudges = models.BooleanField(
        "e-mail me when questions are due for review",
        default=True,
        help_text="At most once a week, with the reminders.",
    )
    nudged_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: nudges {'on' if self.nudges else 'off'}"
