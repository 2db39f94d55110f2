"""Authoring forms: they validate and normalise uploads and admin inlines, nothing more."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst

from lessons.models import Topic
from quizzes.authoring import formats
from quizzes.authoring.formats.common import MAX_UPLOAD_BYTES, FileRejected, decode_upload
from quizzes.authoring.validation import (
    blueprint_length_problems,
    blueprint_pool_problems,
    pool_bank_problem,
    pool_written_problem,
    question_bank_problem,
    question_choice_problems,
    question_written_problem,
    quiz_publish_problem,
    written_question_problems,
)
from quizzes.drawing import Candidate
from quizzes.models import Question, Quiz
from quizzes.question_images import IMAGE_ALT_REQUIRED, IMAGE_WRONG_TYPE

IMPORT_FORMAT_UNKNOWN = "Choose the file's format: its name does not say (.csv, .gift, .aiken)."


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        help_text="A CSV template, GIFT or Aiken file in UTF-8, at most 1 MB.",
    )
    file_format = forms.ChoiceField(
        label="Format",
        required=False,
        choices=[("", "From the file name"), *formats.FORMATS.items()],
    )
    default_topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(),
        required=False,
        help_text="For questions that name no topic. Blank: the quiz's own topic.",
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(formats.common.ERROR_TOO_LARGE)
        file_format = cleaned.get("file_format") or formats.guess_format(upload.name)
        if not file_format:
            raise forms.ValidationError(IMPORT_FORMAT_UNKNOWN)
        try:
            cleaned["text"] = decode_upload(upload.read())
        except FileRejected as exc:
            raise forms.ValidationError(exc.message) from exc
        cleaned["file_format"] = file_format
        return cleaned


# The admin's question and quiz forms and inlines ---------------------------------------


def _live_forms(formset):
    return [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE", False)]


class LabelledInlineFormSet(forms.BaseInlineFormSet):
    """Name every input of a tabular inline after its column.

    A tabular inline's column headers are no <label>s, so screen readers (and axe's "label"
    rule) find the inputs nameless. Set here, after the formset adds its own fields (delete,
    order), so those are named too.
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, field in form.fields.items():
            if not field.widget.is_hidden:
                field.widget.attrs.setdefault("aria-label", capfirst(str(field.label or name)))


class ChoiceInlineFormSet(LabelledInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kind = self.instance.kind
        flags = [bool(f.cleaned_data.get("is_correct")) for f in _live_forms(self)]
        problems = question_choice_problems(kind=kind, correct_flags=flags)
        if problems:
            raise forms.ValidationError(problems)


class ImageAltMixin:
    """Require alternative text whenever an image is attached; name the allowed types."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "image" in self.fields:
            self.fields["image"].error_messages["invalid_image"] = IMAGE_WRONG_TYPE

    def clean(self):
        cleaned = super().clean()
        image = cleaned.get("image")
        if image and not (cleaned.get("image_alt") or "").strip():
            self.add_error("image_alt", IMAGE_ALT_REQUIRED)
        return cleaned


class ChoiceImageForm(ImageAltMixin, forms.ModelForm):
    class Meta:
        # Sized so that a choice fits the admin's content column at 1,280 px.
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2, "cols": 60, "class": "vLargeTextField"}),
            "feedback": forms.Textarea(attrs={"rows": 2, "cols": 60, "class": "vLargeTextField"}),
            "order": forms.NumberInput(attrs={"class": "vIntegerField"}),
        }


class QuestionImageForm(ImageAltMixin, forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        bank = cleaned.get("bank")
        if self.instance.pk and bank and bank != self.instance.bank:
            quizzes = Quiz.objects.filter(pool__question=self.instance).values_list("title", "bank")
            problem = question_bank_problem(new_bank=bank, quizzes=list(quizzes))
            if problem:
                self.add_error("bank", problem)
        kind = cleaned.get("kind")
        if kind and "model_answer" in self.fields:
            for problem in written_question_problems(
                kind=kind, model_answer=cleaned.get("model_answer") or ""
            ):
                self.add_error("model_answer", problem)
        if kind and self.instance.pk:
            quizzes = Quiz.objects.filter(pool__question=self.instance)
            problem = question_written_problem(
                kind=kind, quizzes=list(quizzes.values_list("title", "hand_marked"))
            )
            if problem:
                self.add_error("kind", problem)
        return cleaned


class PoolInlineFormSet(LabelledInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        quiz = self.instance
        questions = [
            f.cleaned_data["question"]
            for f in _live_forms(self)
            if f.cleaned_data.get("question") is not None
        ]
        problem = pool_bank_problem(
            quiz_bank=quiz.bank, questions=[(q.key, q.bank) for q in questions]
        ) or pool_written_problem(
            hand_marked=quiz.hand_marked, questions=[(q.key, q.kind) for q in questions]
        )
        if problem:
            raise forms.ValidationError(problem)
        active_questions = [
            f.cleaned_data["question"]
            for f in _live_forms(self)
            if f.cleaned_data.get("question") is not None
            and f.cleaned_data["question"].status == Question.Status.ACTIVE
        ]
        # The blueprint inline, validated next, checks the pool as submitted.
        quiz.submitted_active_questions = active_questions
        active = len(active_questions)
        problem = quiz_publish_problem(
            published=quiz.status == Quiz.Status.PUBLISHED,
            questions_per_attempt=quiz.questions_per_attempt,
            active=active,
        )
        if problem:
            raise forms.ValidationError(problem)


class BlueprintInlineFormSet(LabelledInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        quiz = self.instance
        rows = [f.cleaned_data for f in _live_forms(self) if f.cleaned_data.get("topic")]
        counts = {row["topic"].pk: row["count"] for row in rows}
        problems = blueprint_length_problems(
            counts=counts,
            questions_per_attempt=quiz.questions_per_attempt,
            min_critical=quiz.min_critical_per_paper,
        )
        questions = getattr(quiz, "submitted_active_questions", None)
        if questions is None:
            questions = Question.objects.active().filter(pool_entries__quiz=quiz) if quiz.pk else []
        problems += blueprint_pool_problems(
            published=quiz.status == Quiz.Status.PUBLISHED,
            candidates=[
                Candidate(q.pk, q.topic_id, q.critical, q.variant_group) for q in questions
            ],
            counts=counts,
            min_critical=quiz.min_critical_per_paper,
            topic_names={row["topic"].pk: row["topic"].title for row in rows},
        )
        if problems:
            raise forms.ValidationError(problems)


class BlankIsZeroField(forms.IntegerField):
    """An optional number whose empty value means 0 (e.g. 0 questions per page = all)."""

    def clean(self, value):
        cleaned = super().clean(value)
        return 0 if cleaned is None else cleaned
