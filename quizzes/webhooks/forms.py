"""The endpoint form: an address and the events; the address is checked as deliveries are."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from quizzes.models import WebhookEvent
from quizzes.webhooks.services import SUBSCRIBABLE, endpoint_url_check


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label="Address",
        max_length=2000,
        assume_scheme="https",
        help_text="Where the events are posted, for example https://hr.example.org/hooks/training.",
    )
    events = forms.MultipleChoiceField(
        # The label, and the value the receiver finds in the payload's "type".
        choices=[
            (value, format_html("{} <code>{}</code>", WebhookEvent(value).label, value))
            for value in SUBSCRIBABLE
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text="The events this address receives.",
    )

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            endpoint_url_check(url)
        except ValidationError as error:
            raise ValidationError(error.messages) from error
        return url
