"""The API token form: validate and normalise, nothing else."""

from django import forms

from quizzes.api.services import EXPIRY_DAYS_DEFAULT, EXPIRY_DAYS_MAX, NAME_MAX_LENGTH


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        help_text="What the token is for, e.g. “HR system” or “Rota sync”.",
    )
    days = forms.IntegerField(
        label="Expires after (days)",
        min_value=1,
        max_value=EXPIRY_DAYS_MAX,
        initial=EXPIRY_DAYS_DEFAULT,
        help_text=f"1 to {EXPIRY_DAYS_MAX} days; make a new token before it runs out.",
    )

    def clean_name(self):
        return self.cleaned_data["name"].strip()
