"""Read the attempt page's POST: the save number and the answers, by position on the paper."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from quizzes.models import ACCOMMODATION_MAX_ATTEMPTS, ACCOMMODATION_MAX_MINUTES
from quizzes.services import (
    ACCOMMODATION_ATTEMPTS_RANGE,
    ACCOMMODATION_MINUTES_RANGE,
    SAVE_UNKNOWN_CHOICE,
    SAVE_UNKNOWN_QUESTION,
)
from quizzes.written import written_text_clean

FIELD_PREFIX = "q-"
BASE_PREFIX = "base-"
WRITTEN = "written"
SEQUENCE_MISSING = "The page is missing its save number. Reload the page and try again."


def sequence_from_post(data: QueryDict) -> int:
    try:
        value = int(data.get("sequence", ""))
    except ValueError:
        raise ValidationError(SEQUENCE_MISSING, code="sequence") from None
    if value < 0:
        raise ValidationError(SEQUENCE_MISSING, code="sequence")
    return value


def shown_from_post(*, paper: Mapping[str, Any], data: QueryDict) -> set[int] | None:
    """The ids of the questions the posted page showed, or None when it showed all of them.

    A page of a long paper lists its questions in `shown` fields, so saving it
    leaves the answers on the other pages alone.
    """
    raw = data.getlist("shown")
    if not raw:
        return None
    on_paper = {q["id"] for q in paper.get("questions", [])}
    shown = set()
    for value in raw:
        try:
            question_id = int(value)
        except ValueError:
            raise ValidationError(SAVE_UNKNOWN_QUESTION, code="unknown_question") from None
        if question_id not in on_paper:
            raise ValidationError(SAVE_UNKNOWN_QUESTION, code="unknown_question")
        shown.add(question_id)
    return shown


def answers_from_post(*, paper: Mapping[str, Any], data: QueryDict) -> dict[int, list[int]]:
    """Turn `q-<question id>` = <choice position> fields into question id -> choice ids.

    Choices are named by their position on the attempt's paper, never by their
    database id, so the page reveals nothing about which choice was written first.
    """
    by_id = {q["id"]: q for q in paper.get("questions", [])}
    answers: dict[int, list[int]] = {}
    for key in data:
        if not key.startswith(FIELD_PREFIX):
            continue
        try:
            question = by_id[int(key[len(FIELD_PREFIX) :])]
        except (ValueError, KeyError):
            raise ValidationError(SAVE_UNKNOWN_QUESTION, code="unknown_question") from None
        if question["kind"] == WRITTEN:
            continue  # texts_from_post reads it
        choices = question["choices"]
        selected = []
        for raw in data.getlist(key):
            try:
                position = int(raw)
            except ValueError:
                raise ValidationError(SAVE_UNKNOWN_CHOICE, code="unknown_choice") from None
            if not 0 <= position < len(choices):
                raise ValidationError(SAVE_UNKNOWN_CHOICE, code="unknown_choice")
            selected.append(choices[position]["id"])
        answers[question["id"]] = selected
    return answers


def texts_from_post(*, paper: Mapping[str, Any], data: QueryDict) -> dict[int, str]:
    """The written answers posted as `q-<question id>` = text, for the written questions.

    Line ends are normalised to "\n"; a text over the limit or holding a control
    character is refused (ValidationError) so nothing of the page is saved.
    """
    texts: dict[int, str] = {}
    for q in paper.get("questions", []):
        if q["kind"] != WRITTEN:
            continue
        key = f"{FIELD_PREFIX}{q['id']}"
        if key in data:
            texts[q["id"]] = written_text_clean(data.get(key, ""))
    return texts


def bases_from_post(*, paper: Mapping[str, Any], data: QueryDict) -> dict[int, list[int] | str]:
    """The page's bases: `base-<question id>` = the answer it last knew the server held.

    A choice question's base is its choice positions joined by commas ("" when
    unanswered), a written question's base its text. Unknown questions or
    positions are refused like the answers themselves.
    """
    by_id = {q["id"]: q for q in paper.get("questions", [])}
    bases: dict[int, list[int] | str] = {}
    for key in data:
        if not key.startswith(BASE_PREFIX):
            continue
        try:
            question = by_id[int(key[len(BASE_PREFIX) :])]
        except (ValueError, KeyError):
            raise ValidationError(SAVE_UNKNOWN_QUESTION, code="unknown_question") from None
        raw = data.get(key, "")
        if question["kind"] == WRITTEN:
            bases[question["id"]] = written_text_clean(raw)
            continue
        choices = question["choices"]
        selected = []
        for part in raw.split(",") if raw else []:
            try:
                position = int(part)
            except ValueError:
                raise ValidationError(SAVE_UNKNOWN_CHOICE, code="unknown_choice") from None
            if not 0 <= position < len(choices):
                raise ValidationError(SAVE_UNKNOWN_CHOICE, code="unknown_choice")
            selected.append(choices[position]["id"])
        bases[question["id"]] = selected
    return bases


class AccommodationForm(forms.Form):
    """Extra time and attempts for one trainee; the view scopes the trainee to the manager."""

    trainee = forms.IntegerField(min_value=1, error_messages={"required": "Choose a trainee."})
    extra_minutes = forms.IntegerField(
        min_value=0,
        max_value=ACCOMMODATION_MAX_MINUTES,
        initial=0,
        error_messages={
            "min_value": ACCOMMODATION_MINUTES_RANGE,
            "max_value": ACCOMMODATION_MINUTES_RANGE,
            "invalid": ACCOMMODATION_MINUTES_RANGE,
            "required": ACCOMMODATION_MINUTES_RANGE,
        },
    )
    extra_attempts = forms.IntegerField(
        min_value=0,
        max_value=ACCOMMODATION_MAX_ATTEMPTS,
        initial=0,
        error_messages={
            "min_value": ACCOMMODATION_ATTEMPTS_RANGE,
            "max_value": ACCOMMODATION_ATTEMPTS_RANGE,
            "invalid": ACCOMMODATION_ATTEMPTS_RANGE,
            "required": ACCOMMODATION_ATTEMPTS_RANGE,
        },
    )
    note = forms.CharField(max_length=300, required=False, strip=True)
