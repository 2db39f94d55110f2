"""Quizzes: the question bank, quizzes drawing from it, and trainees' attempts.

An attempt freezes its *paper* (the drawn questions, in order, with their text,
choices and correctness) when it starts; display, scoring and review read the
paper only, so editing a question never changes a past attempt.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from quizzes.question_images import validate_question_image
from trainingsite.publication import PublicationStatus, PublishableQuerySet


class QuestionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Question.Status.ACTIVE)

    def get_by_natural_key(self, key):
        return self.get(key=key)


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple response (select all that apply)"
        TRUE_FALSE = "true_false", "True / false"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    key = models.SlugField(
        max_length=100,
        unique=True,
        help_text="A short stable name, e.g. 'managing-07'. Used to load and match content.",
    )
    kind = models.CharField(max_length=12, choices=Kind, default=Kind.SINGLE)
    prompt = models.TextField(help_text="The question as trainees read it.")
    explanation = models.TextField(
        blank=True,
        help_text="Shown in the review after submission: why the right answer is right.",
    )
    points = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1)], help_text="Marks for a fully correct answer."
    )
    critical = models.BooleanField(
        default=False,
        help_text="A safety point: answering it wrong fails the attempt whatever the total.",
    )
    topic = models.ForeignKey(
        "lessons.Topic",
        on_delete=models.PROTECT,
        related_name="questions",
        help_text="The topic this question tests; used for per-topic scores.",
    )
    lesson = models.ForeignKey(
        "lessons.Lesson",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        help_text="The lesson that teaches this point; the review links to it.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.ACTIVE,
        help_text="Retired questions are never drawn into new attempts; past attempts keep them.",
    )
    image = models.ImageField(
        upload_to="questions/%Y/%m/",
        blank=True,
        validators=[validate_question_image],
        help_text="Optional picture shown with the question: PNG, JPEG, WebP or GIF, at most 2 MB.",
    )
    image_alt = models.CharField(
        "image description (alt text)",
        max_length=300,
        blank=True,
        help_text="Required with an image: what it shows, for trainees who cannot see it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=1), name="question_points_positive"),
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""), name="question_image_has_alt"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.prompt[:60]}"

    def natural_key(self) -> tuple[str]:
        return (self.key,)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField("correct", default=False)
    feedback = models.TextField(
        blank=True, help_text="Optional; shown in the review next to this choice."
    )
    order = models.PositiveSmallIntegerField(default=0)
    image = models.ImageField(
        upload_to="choices/%Y/%m/",
        blank=True,
        validators=[validate_question_image],
        help_text="Optional picture for this choice: PNG, JPEG, WebP or GIF, at most 2 MB.",
    )
    image_alt = models.CharField(
        "image description (alt text)",
        max_length=300,
        blank=True,
        help_text="Required with an image: what it shows.",
    )

    class Meta:
        ordering = ["question_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""), name="choice_image_has_alt"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class QuizQuerySet(PublishableQuerySet):
    pass


class Quiz(models.Model):
    Status = PublicationStatus

    class FeedbackPolicy(models.TextChoices):
        FULL = "full", "Full review: answers, correct answers and explanations"
        WRONG_ONLY = "wrong_only", "Which questions were wrong, without the answers"
        SCORE_ONLY = "score_only", "Score only"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    topic = models.ForeignKey(
        "lessons.Topic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quizzes",
        help_text="The topic this quiz assesses; blank for an assessment across topics.",
    )
    lessons = models.ManyToManyField(
        "lessons.Lesson",
        blank=True,
        related_name="quizzes",
        help_text="The lessons this quiz assesses.",
    )
    prerequisite_lessons = models.ManyToManyField(
        "lessons.Lesson",
        blank=True,
        related_name="prerequisite_for_quizzes",
        help_text="Lessons a trainee must complete before starting this quiz.",
    )
    questions = models.ManyToManyField(
        Question,
        through="QuizQuestion",
        related_name="quizzes",
        blank=True,
    )
    pass_mark = models.PositiveSmallIntegerField(
        default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent of the points needed to pass.",
    )
    max_attempts = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Graded attempts allowed per trainee. Blank for unlimited.",
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Blank for no time limit. The attempt is closed and scored when time runs out.",
    )
    questions_per_attempt = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Questions drawn at random from the pool for each attempt. Blank for all.",
    )
    questions_per_page = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=(
            "Long papers are split into pages of this many questions, with Previous/Next. "
            "0 shows every question on one page."
        ),
    )
    shuffle_questions = models.BooleanField(default=True)
    shuffle_choices = models.BooleanField(default=True)
    feedback_policy = models.CharField(
        max_length=12,
        choices=FeedbackPolicy,
        default=FeedbackPolicy.FULL,
        help_text="What trainees see after submitting.",
    )
    retake_wait_minutes = models.PositiveIntegerField(
        default=0, help_text="Minutes a trainee must wait after an attempt before the next one."
    )
    topic_minimum_percent = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="If set, every topic on the paper must reach this percent to pass.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    order = models.PositiveIntegerField(default=0, help_text="Quizzes are listed in this order.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuizQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name_plural = "quizzes"
        constraints = [
            models.CheckConstraint(condition=Q(pass_mark__lte=100), name="quiz_pass_mark_percent"),
            models.CheckConstraint(
                condition=Q(topic_minimum_percent__isnull=True) | Q(topic_minimum_percent__lte=100),
                name="quiz_topic_minimum_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("quizzes:detail", kwargs={"slug": self.slug})

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class QuizQuestion(models.Model):
    """A question in a quiz's pool, at a position."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="pool")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="pool_entries")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["quiz_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "question"], name="one_pool_entry_per_question")
        ]
        verbose_name = "question in pool"
        verbose_name_plural = "questions in pool"

    def __str__(self) -> str:
        return f"{self.quiz} #{self.order}: {self.question.key}"


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


class Attempt(models.Model):
    class Kind(models.TextChoices):
        GRADED = "graded", "Graded"
        PRACTICE = "practice", "Practice"

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
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

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "quiz"],
                condition=Q(state="in_progress", kind="graded"),
                name="one_open_graded_attempt_per_user_quiz",
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
        if self.state == self.State.SUBMITTED:
            return reverse("quizzes:result", kwargs={"uuid": self.uuid})
        return reverse("quizzes:attempt", kwargs={"uuid": self.uuid})

    @property
    def is_open(self) -> bool:
        return self.state == self.State.IN_PROGRESS

    @property
    def is_practice(self) -> bool:
        return self.kind == self.Kind.PRACTICE


class AttemptAnswer(models.Model):
    """One question of an attempt's paper and what the trainee chose for it."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    selected = models.JSONField(default=list, blank=True, help_text="Selected choice ids.")
    saved_at = models.DateTimeField(null=True, blank=True)
    awarded = models.FloatField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["attempt_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="one_answer_per_attempt_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id}: {self.selected}"


from quizzes.certification_models import *  # noqa: E402,F401,F403
from quizzes.cohort_models import *  # noqa: E402,F401,F403
