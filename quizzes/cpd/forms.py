"""The CPD entry form and the manager's decision: validate and normalise, nothing else."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from quizzes.cpd.evidence import validate_evidence
from quizzes.cpd.rules import ENTRY_HOURS_MAX, ENTRY_HOURS_MIN

DATE_IN_FUTURE = "The date cannot be in the future: record training once it is done."
EVIDENCE_BOTH = "Choose a new file or remove the current one, not both."


class CpdEntryForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="The course, workshop or conference.")
    provider = forms.CharField(max_length=200, help_text="Who ran it.")
    completed_on = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day you completed it.",
    )
    hours = forms.DecimalField(
        label="CPD hours",
        min_value=ENTRY_HOURS_MIN,
        max_value=ENTRY_HOURS_MAX,
        max_digits=4,
        decimal_places=1,
        help_text="As on the provider's certificate, e.g. 1.5.",
    )
    evidence = forms.FileField(
        required=False,
        help_text="Optional: a PDF, PNG or JPEG of at most 5 MB (a certificate or letter).",
    )
    evidence_clear = forms.BooleanField(label="Remove the current evidence file", required=False)

    def clean_completed_on(self):
        value = self.cleaned_data["completed_on"]
        if value > timezone.localdate():
            raise ValidationError(DATE_IN_FUTURE)
        return value

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload:
            validate_evidence(upload)
        return upload or None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("evidence") and cleaned.get("evidence_clear"):
            raise ValidationError(EVIDENCE_BOTH)
        return cleaned


class CpdReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
