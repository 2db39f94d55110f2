"""The lesson preview's form: the change page's current fields, read without saving."""

from django import forms

from lessons.models import Lesson, Topic

# A lesson longer than this is not previewed (the shipped ones are under 15,000 characters).
LESSON_PREVIEW_MAX_CHARS = 60_000
LESSON_PREVIEW_TOO_LONG = (
    "This lesson is too long to preview: keep the body under {limit:,} characters."
)
LESSON_PREVIEW_REFUSED = "This preview could not be shown: {problems}"


class LessonPreviewForm(forms.Form):
    """Normalise what the lesson's change or add page holds now; nothing is required."""

    topic = forms.ModelChoiceField(queryset=Topic.objects.all(), required=False)
    title = forms.CharField(max_length=200, required=False)
    summary = forms.CharField(max_length=2_000, required=False)
    objectives = forms.CharField(max_length=5_000, required=False)
    reading_minutes = forms.IntegerField(min_value=0, max_value=32_767, required=False)
    status = forms.ChoiceField(choices=Lesson.Status.choices, required=False)
    body_markdown = forms.CharField(
        required=False,
        strip=False,
        max_length=LESSON_PREVIEW_MAX_CHARS,
        error_messages={
            "max_length": LESSON_PREVIEW_TOO_LONG.format(limit=LESSON_PREVIEW_MAX_CHARS)
        },
    )

    def lesson(self) -> Lesson:
        """An unsaved lesson holding the form's values, for the lesson template."""
        data = self.cleaned_data
        return Lesson(
            topic=data["topic"] or Topic(title="No topic chosen yet"),
            title=data["title"] or "Untitled lesson",
            summary=data["summary"],
            objectives=data["objectives"],
            reading_minutes=data["reading_minutes"] or 0,
            status=data["status"] or Lesson.Status.DRAFT,
            body_markdown=data["body_markdown"],
        )
