from django.conf import settings
from django.db import models
from django.urls import reverse


class Topic(models.Model):
    title = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(
        default=0, help_text="Topics are listed to trainees in this order, lowest first."
    )

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class LessonQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Lesson.Status.PUBLISHED)


class Lesson(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="lessons")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(help_text="One or two sentences shown on the lessons page.")
    objectives = models.TextField(
        blank=True, help_text="Learning objectives, one per line. Shown at the top of the lesson."
    )
    reading_minutes = models.PositiveSmallIntegerField(
        default=5, help_text="Estimated reading time in minutes."
    )
    body_markdown = models.TextField(
        "body",
        blank=True,
        help_text="Written in Markdown. HTML is cleaned before trainees see it.",
    )
    body_html = models.TextField(editable=False, blank=True)
    order = models.PositiveIntegerField(
        default=0, help_text="Position within the topic, lowest first."
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    content_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            "Set when the lesson changed in a way certified trainees must re-read; "
            "renewals then require completing it again."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["topic__order", "topic_id", "order", "id"]
        indexes = [
            models.Index(fields=["status", "topic", "order"], name="lesson_status_topic_order")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lessons:detail", kwargs={"slug": self.slug})

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def objective_list(self) -> list[str]:
        return [line.strip(" -*\t") for line in self.objectives.splitlines() if line.strip(" -*\t")]


class LessonCompletion(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_completions"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson"], name="one_completion_per_user_lesson"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} completed {self.lesson}"
