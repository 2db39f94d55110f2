"""Written answers as a trainee saves them: the size limit, the characters refused (pure).

The attempt page and its autosave post the text; quizzes.services stores it in
AttemptAnswer.text through texts_validate, so the rule holds however it arrives.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError

from quizzes.scoring import WRITTEN

SAVE_UNKNOWN_QUESTION = "An answer names a question that is not on this attempt."
# A written answer's limit: a long case answer fits; a pasted document does not.
WRITTEN_ANSWER_MAX_CHARS = 5000
SAVE_TEXT_TOO_LONG = (
    f"A written answer can be at most {WRITTEN_ANSWER_MAX_CHARS} characters long. "
    "Shorten it and save again: your last saved answer is kept."
)
SAVE_TEXT_CONTROL = (
    "A written answer contains a character that cannot be saved (such as a NUL byte)."
)
SAVE_TEXT_NOT_WRITTEN = "A written answer names a question that is not a written-answer question."
# Control characters other than tab and line ends (NUL above all).
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def written_text_clean(text: str) -> str:
    """A written answer as stored: line ends normalised; too long or control characters refused."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _TEXT_CONTROL.search(text):
        raise ValidationError(SAVE_TEXT_CONTROL, code="text_control")
    if len(text) > WRITTEN_ANSWER_MAX_CHARS:
        raise ValidationError(SAVE_TEXT_TOO_LONG, code="text_too_long")
    return text


def texts_validate(*, paper: Mapping[str, Any], texts: Mapping[int, str]) -> dict[int, str]:
    kinds = {q["id"]: q["kind"] for q in paper.get("questions", [])}
    clean = {}
    for question_id, text in texts.items():
        if question_id not in kinds:
            raise ValidationError(SAVE_UNKNOWN_QUESTION, code="unknown_question")
        if kinds[question_id] != WRITTEN:
            raise ValidationError(SAVE_TEXT_NOT_WRITTEN, code="not_written")
        clean[question_id] = written_text_clean(text)
    return clean
