"""The observation form (one met / not yet choice and note per criterion): validate, no writes."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from quizzes.cpd.evidence import validate_evidence
from quizzes.models import Observation
from quizzes.observations.rules import CriterionResult
from quizzes.observations.services import (
    MAX_EVIDENCE_FILES,
    OBSERVED_IN_FUTURE,
    TOO_MANY_EVIDENCE_FILES,
)

NOTE_MAX_LENGTH = 1000
FEEDBACK_MAX_LENGTH = 4000
MAX_ID = 2**31 - 1
MET, NOT_MET = "met", "not_yet"
RESULT_CHOICES = [(MET, "Met"), (NOT_MET, "Not yet")]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each is checked as CPD evidence is."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        if len(uploads) > MAX_EVIDENCE_FILES:
            raise ValidationError(TOO_MANY_EVIDENCE_FILES)
        cleaned = [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]
        for upload in cleaned:
            validate_evidence(upload)
        return cleaned


class SupersedesForm(forms.Form):
    """The `?supersedes=<id>` of a correction."""

    supersedes = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class ObservationForm(forms.Form):
    observed_on = forms.DateField(
        label="Date observed", widget=forms.DateInput(attrs={"type": "date"})
    )
    setting = forms.ChoiceField(choices=Observation.Setting.choices, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(
        choices=Observation.Outcome.choices,
        widget=forms.RadioSelect,
        help_text="A critical criterion not met is never competent.",
    )
    feedback = forms.CharField(
        required=False,
        max_length=FEEDBACK_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For the trainee: what went well and what to practise.",
    )
    evidence = MultipleFileField(
        required=False,
        help_text=f"Optional: up to {MAX_EVIDENCE_FILES} PDF, PNG or JPEG files of at most 5 MB.",
    )
    supersedes = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"met_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.text, choices=RESULT_CHOICES, widget=forms.RadioSelect
            )
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=f"Note on “{criterion.text}”", required=False, max_length=NOTE_MAX_LENGTH
            )

    def criterion_rows(self):
        """Each criterion with its two fields, for the template."""
        return [
            (criterion, self[f"met_{criterion.pk}"], self[f"note_{criterion.pk}"])
            for criterion in self.criteria
        ]

    def clean_observed_on(self):
        value = self.cleaned_data["observed_on"]
        if value > timezone.localdate():
            raise ValidationError(OBSERVED_IN_FUTURE)
        return value

    def results(self) -> list[CriterionResult]:
        data = self.cleaned_data
        return [
            CriterionResult(
                criterion_id=criterion.pk,
                met=data[f"met_{criterion.pk}"] == MET,
                note=data.get(f"note_{criterion.pk}", ""),
            )
            for criterion in self.criteria
        ]
