"""Forms for the manager reports and cohort pages: validate and normalise, nothing else."""

from django import forms
from django.contrib.auth import get_user_model, password_validation

from quizzes.certification.rules import STATUS_LABELS
from quizzes.cohorts.csv_import import ERROR_EMPTY, ERROR_TOO_LARGE, MAX_BYTES
from quizzes.models import Program
from quizzes.reports.selectors import SORTS

SORT_CHOICES = [(key, label) for key, label in SORTS.items()] + [
    (f"-{key}", f"{label} (descending)") for key, label in SORTS.items()
]
STATUS_CHOICES = [("", "Any status")] + [(s.value, label) for s, label in STATUS_LABELS.items()]
ERROR_PASSWORDS_DIFFER = "The two passwords differ."


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


class AddTraineeForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    first_name = forms.CharField(
        max_length=150, required=False, help_text="Needed only for a new account."
    )
    last_name = forms.CharField(max_length=150, required=False)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        error_messages={"empty": ERROR_EMPTY},
        help_text=(
            "UTF-8 CSV with a header line: 'name' (or 'first_name' and 'last_name') and "
            "'email'. At most 1 MB and 5,000 trainees."
        ),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(ERROR_TOO_LARGE)
        data = upload.read(MAX_BYTES + 1)
        if not data:
            raise forms.ValidationError(ERROR_EMPTY)
        return data


class ImportConfirmForm(forms.Form):
    # The previewed file travels back with the confirmation and is checked again.
    csv_text = forms.CharField(widget=forms.HiddenInput, strip=False, max_length=MAX_BYTES)

    def clean_csv_text(self) -> bytes:
        return self.cleaned_data["csv_text"].encode("utf-8")


class JoinForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(label="E-mail address")
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", ERROR_PASSWORDS_DIFFER)
        elif first:
            # The similarity check compares the password with the name and e-mail.
            person = get_user_model()(
                username=cleaned.get("email", ""),
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, user=person)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
