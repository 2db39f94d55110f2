"""The question bank: questions with their choices, and quizzes drawing from them."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from quizzes.authoring.validation import PRACTICE_TRIES_MAX, quiz_practice_problems
from quizzes.question_images import (
    ORIGINAL_NAME_MAX_LENGTH,
    choice_image_path,
    image_original_name,
    question_image_path,
    validate_question_image,
)
from trainingsite.publication import PublicationStatus, PublishableQuerySet

__all__ = [
    "REVIEW_QUIZ_SLUG",
    "UPDATE_QUIZ_SLUG_PREFIX",
    "Bank",
    "Choice",
    "Question",
    "Quiz",
    "QuizBlueprintRow",
    "QuizQuestion",
]

# The draft quiz that spaced-review sessions belong to (quizzes/spaced_review/services.py):
# an attempt needs a quiz, but nobody authors, lists or reports on this one.
REVIEW_QUIZ_SLUG = "spaced-review"
# Each program's update quiz (quizzes/updates/services.py) is a draft quiz of this slug
# plus the program's: it holds certified trainees' update quizzes, drawn from what changed.
UPDATE_QUIZ_SLUG_PREFIX = "program-update-"


class Bank(models.TextChoices):
    """The two banks: practice questions are for learning, exam questions for certifying.

    A quiz draws from one bank only, so a trainee never practises an exam's questions.
    """

    PRACTICE = "practice", "Practice"
    EXAM = "exam", "Exam"


def _remember_image_name(obj, save_kwargs: dict) -> None:
    """Record a new upload's own file name before it is stored under a random one."""
    update_fields = save_kwargs.get("update_fields")
    if update_fields is not None and "image" not in update_fields:
        return
    original = image_original_name(obj)
    if original is None or original == obj.image_original_name:
        return
    obj.image_original_name = original
    if update_fields is not None:
        save_kwargs["update_fields"] = {*update_fields, "image_original_name"}


class QuestionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Question.Status.ACTIVE)

    def drawable(self):
        """Questions that new graded papers may hold: active and not held for review."""
        return self.active().filter(needs_review=False)

    def practice(self):
        return self.filter(bank=Bank.PRACTICE)

    def get_by_natural_key(self, key):
        return self.get(key=key)


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple response (select all that apply)"
        TRUE_FALSE = "true_false", "True / false"
        WRITTEN = "written", "Written answer (marked by an assessor)"

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
    bank = models.CharField(
        max_length=10,
        choices=Bank,
        default=Bank.PRACTICE,
        help_text=(
            "Practice questions are for topic quizzes and practice rounds, with full review; "
            "exam questions only for exams, shown only under the exam's feedback policy."
        ),
    )
    needs_review = models.BooleanField(
        default=False,
        help_text=(
            "Held for review (e.g. a doubtful key or poor statistics): not drawn into new "
            "attempts until cleared; past attempts keep it."
        ),
    )
    variant_group = models.SlugField(
        max_length=50,
        blank=True,
        help_text=(
            "Questions that test the same point share a group name, e.g. 'pressure-after'; "
            "a paper never holds two questions of one group. Blank for none."
        ),
    )
    model_answer = models.TextField(
        blank=True,
        help_text="Written answers only: a full-marks answer, shown to the assessor when marking "
        "and to the trainee after marking.",
    )
    marking_guide = models.TextField(
        blank=True,
        help_text="Written answers only: for the assessor, what earns each point.",
    )
    image = models.ImageField(
        upload_to=question_image_path,
        blank=True,
        validators=[validate_question_image],
        help_text="Optional picture shown with the question: PNG, JPEG, WebP or GIF, at most 2 MB.",
    )
    image_original_name = models.CharField(
        "image's original file name",
        max_length=ORIGINAL_NAME_MAX_LENGTH,
        blank=True,
        editable=False,
        help_text="What the file was called when uploaded; it is stored under a random name.",
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
            models.CheckConstraint(condition=Q(bank__in=Bank.values), name="question_bank_known"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.prompt[:60]}"

    def save(self, *args, **kwargs):
        _remember_image_name(self, kwargs)
        super().save(*args, **kwargs)

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
        upload_to=choice_image_path,
        blank=True,
        validators=[validate_question_image],
        help_text="Optional picture for this choice: PNG, JPEG, WebP or GIF, at most 2 MB.",
    )
    image_original_name = models.CharField(
        "image's original file name",
        max_length=ORIGINAL_NAME_MAX_LENGTH,
        blank=True,
        editable=False,
        help_text="What the file was called when uploaded; it is stored under a random name.",
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

    def save(self, *args, **kwargs):
        _remember_image_name(self, kwargs)
        super().save(*args, **kwargs)


class QuizQuerySet(PublishableQuerySet):
    def authored(self):
        """Every quiz but those holding review sessions and update quizzes: what educators list."""
        return self.exclude(slug=REVIEW_QUIZ_SLUG).exclude(slug__startswith=UPDATE_QUIZ_SLUG_PREFIX)


class Quiz(models.Model):
    Status = PublicationStatus

    class FeedbackPolicy(models.TextChoices):
        FULL = "full", "Full review: answers, correct answers and explanations"
        WRONG_ONLY = "wrong_only", "Which questions were wrong, without the answers"
        SCORE_ONLY = "score_only", "Score only"

    class PracticeBehaviour(models.TextChoices):
        DEFERRED = "deferred", "Deferred feedback: answers reviewed after submitting"
        IMMEDIATE = "immediate", "Immediate feedback: check each question as you go"

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
    min_critical_per_paper = models.PositiveSmallIntegerField(
        "at least this many critical questions per paper",
        default=0,
        help_text="With a blueprint: every paper holds at least this many critical questions.",
    )
    bank = models.CharField(
        max_length=10,
        choices=Bank,
        default=Bank.PRACTICE,
        help_text=(
            "A practice quiz draws practice questions; an exam draws exam questions. "
            "Its pool holds questions of this bank only."
        ),
    )
    hand_marked = models.BooleanField(
        default=False,
        help_text=(
            "On: the pool may hold written answers, marked by an assessor; the attempt waits "
            "in 'awaiting marking' and its pass is decided when every written answer is marked."
        ),
    )
    blind_marking = models.BooleanField(
        default=True,
        help_text="Hand-marked quizzes: the marker does not see the trainee's name until the "
        "mark is saved.",
    )
    practice_behaviour = models.CharField(
        "feedback while answering",
        max_length=10,
        choices=PracticeBehaviour,
        default=PracticeBehaviour.DEFERRED,
        help_text=(
            "Practice quizzes only (never exams): with immediate feedback the trainee presses "
            "Check on each question and at once sees right or wrong, the explanation and each "
            "choice's feedback; a checked answer is locked. Needs the full review policy. "
            "Review-my-mistakes rounds always check as they go, whatever this says."
        ),
    )
    practice_tries = models.PositiveSmallIntegerField(
        "tries per question in practice",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(PRACTICE_TRIES_MAX)],
        help_text=(
            "Immediate feedback only: how often a wrong answer may be checked in a "
            "review-my-mistakes round (1: no Try again). Extra tries carry no penalty, so "
            "graded attempts always check each question once and score the first answer."
        ),
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
            models.CheckConstraint(condition=Q(bank__in=Bank.values), name="quiz_bank_known"),
            models.CheckConstraint(
                condition=Q(bank=Bank.PRACTICE) | Q(practice_behaviour="deferred"),
                name="quiz_exam_never_immediate_feedback",
            ),
            models.CheckConstraint(
                condition=Q(practice_tries__gte=1, practice_tries__lte=PRACTICE_TRIES_MAX),
                name="quiz_practice_tries_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("quizzes:detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        problems = quiz_practice_problems(
            bank=self.bank,
            behaviour=self.practice_behaviour,
            feedback_policy=self.feedback_policy,
            hand_marked=self.hand_marked,
        )
        if problems:
            raise ValidationError({"practice_behaviour": problems})

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


class QuizBlueprintRow(models.Model):
    """How many questions of one topic every paper of a quiz holds."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="blueprint_rows")
    topic = models.ForeignKey("lessons.Topic", on_delete=models.PROTECT, related_name="+")
    count = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)],
        help_text="Questions of this topic drawn at random from the pool for every paper.",
    )

    class Meta:
        ordering = ["quiz_id", "topic__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "topic"], name="one_blueprint_row_per_topic"),
            models.CheckConstraint(condition=Q(count__gte=1), name="blueprint_count_positive"),
        ]
        verbose_name = "blueprint row"

    def __str__(self) -> str:
        return f"{self.quiz}: {self.count} × {self.topic}"
