"""The review page's one setting: review e-mails on or off."""

from django import forms


class ReviewPreferenceForm(forms.Form):
    nudges = forms.BooleanField(
        label="E-mail me when questions are due for review (at most once a week)",
        required=False,
    )
