"""Forms for the cohort pages and the join-code sign-up: validate and normalise, nothing else."""

from django import forms
from django.contrib.auth import get_user_model, password_validation

from quizzes.cohorts.csv_import import ERROR_EMPTY, ERROR_TOO_LARGE, MAX_BYTES

ERROR_PASSWORDS_DIFFER = "The two passwords differ."


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
