from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from lessons.markdown import lesson_markdown_problems, render_lesson_markdown
from trainingsite.publication import PublicationStatus, PublishableQuerySet
from trainingsite.roles import user_is_educator


class TopicManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Topic(models.Model):
    title = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(
        default=0, help_text="Topics are listed to trainees in this order, lowest first."
    )

    objects = TopicManager()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class LessonQuerySet(PublishableQuerySet):
    def visible_to(self, user):
        """Return the lessons the user may open: educators see drafts too."""
        if user_is_educator(user):
            return self.all()
        return self.published()


class Lesson(models.Model):
    Status = PublicationStatus

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

    def save(self, *args, **kwargs):
        # The body is rendered here, once per change of the Markdown, and never
        # per request: every write path (admin, services, loader) saves through this.
        update_fields = kwargs.get("update_fields")
        body_saved = update_fields is None or "body_markdown" in update_fields
        body_changed = self._state.adding or self.body_markdown != getattr(
            self, "_rendered_markdown", None
        )
        if body_saved and body_changed:
            self.body_html = render_lesson_markdown(self.body_markdown)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)
        if body_saved:
            self._rendered_markdown = self.body_markdown

    def get_absolute_url(self) -> str:
        return reverse("lessons:detail", kwargs={"slug": self.slug})

    def clean(self):
        # Raw HTML left open would hide the rest of the lesson; the renderer drops it,
        # but the author is told where it is rather than left to find the gap.
        problems = lesson_markdown_problems(self.body_markdown or "")
        if problems:
            raise ValidationError({"body_markdown": [problem.message for problem in problems]})

    @classmethod
    def from_db(cls, db, field_names, values):
        # Remember the Markdown as loaded, so save() re-renders only on a change.
        instance = super().from_db(db, field_names, values)
        instance._rendered_markdown = instance.__dict__.get("body_markdown")
        return instance

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
