"""Forms for hand marking: the queue's filters and one mark (points and feedback)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator

from quizzes.marking.services import (
    MARK_FEEDBACK_MAX_CHARS,
    MARK_FEEDBACK_TOO_LONG,
    MARK_POINTS_RANGE,
)

FILTER_INVALID = "The filter names no quiz or cohort: choose one from the list."
POINTS_REQUIRED = "Enter the points for this answer."


class QueueFilterForm(forms.Form):
    quiz = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    cohort = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages = {
                key: FILTER_INVALID for key in ("invalid", "min_value", "max_value")
            }


class MarkForm(forms.Form):
    """Points (0 to the question's points, up to two decimals, e.g. 2.5) and feedback."""

    points = forms.DecimalField(min_value=Decimal(0), max_digits=7, decimal_places=2)
    feedback = forms.CharField(
        required=False,
        strip=True,
        max_length=MARK_FEEDBACK_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": MARK_FEEDBACK_TOO_LONG},
    )

    def __init__(self, *args, max_points: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_points = max_points
        message = MARK_POINTS_RANGE.format(points=max_points)
        field = self.fields["points"]
        field.max_value = Decimal(max_points)
        field.validators.append(MaxValueValidator(Decimal(max_points)))
        field.error_messages = {
            "required": POINTS_REQUIRED,
            "invalid": message,
            "min_value": message,
            "max_value": message,
            "max_digits": message,
            "max_decimal_places": message,
            "max_whole_digits": message,
        }
        field.widget.attrs.update({"min": "0", "max": str(max_points), "step": "0.01"})
