from django import forms

CONFIRM_REQUIRED = "Tick the box to confirm you have read the statement."
MAX_NAME_LENGTH = 300


class SignForm(forms.Form):
    typed_name = forms.CharField(
        label="Type your full name",
        max_length=MAX_NAME_LENGTH,
        help_text="As it appears on your account. Typing it signs the statement above.",
    )
    confirm = forms.BooleanField(
        label="I have read this statement and I confirm it.",
        error_messages={"required": CONFIRM_REQUIRED},
    )
