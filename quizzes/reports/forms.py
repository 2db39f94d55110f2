"""Forms for the manager reports' filters: validate and normalise, nothing else."""

from django import forms

from quizzes.certification.rules import STATUS_LABELS
from quizzes.models import Program
from quizzes.reports.trainees import SORTS

SORT_CHOICES = [(key, label) for key, label in SORTS.items()] + [
    (f"-{key}", f"{label} (descending)") for key, label in SORTS.items()
]
STATUS_CHOICES = [("", "Any status")] + [(s.value, label) for s, label in STATUS_LABELS.items()]


class TraineeFilterForm(forms.Form):
    cohort = forms.SlugField(required=False, max_length=200)
    program = forms.ModelChoiceField(
        queryset=Program.objects.order_by("name"),
        required=False,
        empty_label="Any program",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        choices=STATUS_CHOICES, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search",
        strip=True,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
    sort = forms.ChoiceField(
        choices=SORT_CHOICES, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def clean_sort(self) -> str:
        return self.cleaned_data.get("sort") or "name"

    def clean_page(self) -> int:
        return self.cleaned_data.get("page") or 1


class CohortFilterForm(forms.Form):
    cohort = forms.SlugField(required=False, max_length=200)


class QuestionReviewForm(forms.Form):
    """Mark a question as needing review ("1") or clear the mark ("0")."""

    needs_review = forms.TypedChoiceField(
        choices=[("1", "Needs review"), ("0", "Cleared")], coerce=lambda v: v == "1"
    )
