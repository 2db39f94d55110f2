"""Read a Check or Try again POST: which question of the paper, and the chosen positions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict

from quizzes.forms import answers_from_post
from quizzes.written import SAVE_UNKNOWN_QUESTION

CHECK_OTHER_QUESTION = "Check one question at a time: the answers name another question."


def question_from_post(*, paper: Mapping[str, Any], data: QueryDict) -> int:
    """The id of the question being checked; it must be on the attempt's paper."""
    try:
        question_id = int(data.get("question", ""))
    except ValueError:
        raise ValidationError(SAVE_UNKNOWN_QUESTION, code="unknown_question") from None
    if question_id not in {q["id"] for q in paper.get("questions", [])}:
        raise ValidationError(SAVE_UNKNOWN_QUESTION, code="unknown_question")
    return question_id


def choices_from_post(*, paper: Mapping[str, Any], data: QueryDict, question_id: int) -> list[int]:
    """The choice ids chosen for `question_id` (by position, as on the attempt page)."""
    answers = answers_from_post(paper=paper, data=data)
    if not answers.keys() <= {question_id}:
        raise ValidationError(CHECK_OTHER_QUESTION, code="other_question")
    return answers.get(question_id, [])
