"""Forms for the manager reports' filters: validate and normalise, nothing else."""

from django import forms
from django.utils.text import Truncator

from quizzes.certification.rules import STATUS_LABELS
from quizzes.models import Program
from quizzes.reports.trainees import SORTS

SORT_CHOICES = [(key, label) for key, label in SORTS.items()] + [
    (f"-{key}", f"{label} (descending)") for key, label in SORTS.items()
]
STATUS_CHOICES = [("", "Any status")] + [(s.value, label) for s, label in STATUS_LABELS.items()]
RETENTION_BELOW = "below"
RETENTION_CHOICES = [("", "Any recall"), (RETENTION_BELOW, "Critical recall below threshold")]

# What a bad filter in a link is told (the 400 page shows it). "%(value)s" is the value sent,
# shortened to ECHO_CHARS.
ECHO_CHARS = 40
UNKNOWN_STATUS = "Unknown status '%(value)s'. Choose one of: " + (
    ", ".join(value for value, _ in STATUS_CHOICES if value) + "."
)
UNKNOWN_SORT = "Unknown sort '%(value)s'. Choose one of: " + (
    ", ".join(value for value, _ in SORT_CHOICES) + "."
)
UNKNOWN_RETENTION = f"Unknown retention filter '%(value)s'. Choose '{RETENTION_BELOW}' or none."
UNKNOWN_PROGRAM = "Unknown program '%(value)s'. Choose a program from the list on the page."
BAD_COHORT = "'%(value)s' is not a cohort's name in a link. Choose a cohort from the list."
BAD_PAGE = "The page must be a whole number from 1 to 100000."
SEARCH_TOO_LONG = "The search is too long: use at most 100 characters."


def _cohort_field() -> forms.SlugField:
    return forms.SlugField(
        required=False,
        max_length=200,
        error_messages={"invalid": BAD_COHORT, "max_length": BAD_COHORT},
    )


def filter_problems(form: forms.Form) -> list[str]:
    """The form's errors as sentences for the 400 page, each value sent shortened."""
    problems = []
    for errors in form.errors.as_data().values():
        for error in errors:
            params = dict(error.params or {})
            if "value" in params:
                params["value"] = Truncator(str(params["value"])).chars(ECHO_CHARS)
            problems.append(str(error.message % params if params else error.message))
    return problems


class TraineeFilterForm(forms.Form):
    cohort = _cohort_field()
    program = forms.ModelChoiceField(
        queryset=Program.objects.order_by("name"),
        required=False,
        empty_label="Any program",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": UNKNOWN_PROGRAM},
    )
    status = forms.ChoiceField(
        choices=STATUS_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": UNKNOWN_STATUS},
    )
    retention = forms.ChoiceField(
        choices=RETENTION_CHOICES,
        required=False,
        label="Recall",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": UNKNOWN_RETENTION},
    )
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search",
        strip=True,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
        error_messages={"max_length": SEARCH_TOO_LONG},
    )
    sort = forms.ChoiceField(
        choices=SORT_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": UNKNOWN_SORT},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100_000,
        error_messages={"invalid": BAD_PAGE, "min_value": BAD_PAGE, "max_value": BAD_PAGE},
    )

    def clean_sort(self) -> str:
        return self.cleaned_data.get("sort") or "name"

    def clean_page(self) -> int:
        return self.cleaned_data.get("page") or 1


class CohortFilterForm(forms.Form):
    cohort = _cohort_field()


class QuestionReviewForm(forms.Form):
    """Mark a question as needing review ("1") or clear the mark ("0")."""

    needs_review = forms.TypedChoiceField(
        choices=[("1", "Needs review"), ("0", "Cleared")], coerce=lambda v: v == "1"
    )
