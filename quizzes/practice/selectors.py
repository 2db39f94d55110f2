"""Reads for the immediate-feedback page: each question, its state, and feedback once checked.

The answer key of a question (correctness, explanation, per-choice feedback) is read
from the frozen paper only for a checked question, in the result page's own shapes
(quizzes.review.ReviewQuestion, rendered by `{% review_choices %}`); an unchecked
question is the attempt page's ShownQuestion, which carries no key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quizzes.models import Attempt, AttemptAnswer
from quizzes.practice.rules import answer_score
from quizzes.practice.services import attempt_tries_allowed
from quizzes.review import ReviewQuestion, lesson_url, review_question
from quizzes.selectors import ShownQuestion, attempt_page_from_paper


@dataclass(frozen=True)
class PracticeQuestion:
    shown: ShownQuestion
    checked: bool
    tries: int
    tries_left: int
    feedback: ReviewQuestion | None  # only once checked
    next_number: int | None

    @property
    def can_retry(self) -> bool:
        return self.checked and self.tries_left > 0 and not self.feedback.is_correct


@dataclass(frozen=True)
class PracticeRound:
    attempt: Attempt
    questions: tuple[PracticeQuestion, ...]
    tries_allowed: int
    checked_count: int  # of the whole round, also when `questions` keeps one
    question_count: int

    @property
    def unchecked_count(self) -> int:
        return self.question_count - self.checked_count


def _feedback(*, number: int, q: dict[str, Any], selected: list[int]) -> ReviewQuestion:
    """A checked question as the result page reviews it under the full review policy."""
    score = answer_score(paper={"questions": [q]}, question_id=q["id"], selected=selected)
    return review_question(
        number=number,
        q=q,
        chosen=set(selected),
        awarded=score.awarded,
        is_correct=score.is_correct,
        answered=bool(selected),
        show_answers=True,
        lesson_url=lesson_url(q.get("lesson_slug")),
    )


def practice_round_data(*, attempt: Attempt, only: int | None = None) -> PracticeRound:
    """Every question of the round with its state (one query); `only` keeps one question."""
    rows = {
        question_id: (selected, checked_at, tries)
        for question_id, selected, checked_at, tries in AttemptAnswer.objects.filter(
            attempt=attempt
        ).values_list("question_id", "selected", "checked_at", "tries")
    }
    saved = {question_id: row[0] for question_id, row in rows.items()}
    page = attempt_page_from_paper(attempt=attempt, saved=saved)
    allowed = attempt_tries_allowed(attempt)
    entries = attempt.paper.get("questions", [])
    questions = []
    for shown, q in zip(page.questions, entries, strict=True):
        if only is not None and shown.id != only:
            continue
        selected, checked_at, tries = rows.get(shown.id, ([], None, 0))
        checked = checked_at is not None
        questions.append(
            PracticeQuestion(
                shown=shown,
                checked=checked,
                tries=tries,
                tries_left=max(allowed - tries, 0),
                feedback=_feedback(number=shown.number, q=q, selected=selected)
                if checked
                else None,
                next_number=shown.number + 1 if shown.number < len(entries) else None,
            )
        )
    paper_ids = {q["id"] for q in entries}
    return PracticeRound(
        attempt=attempt,
        questions=tuple(questions),
        tries_allowed=allowed,
        checked_count=sum(
            1 for question_id, row in rows.items() if question_id in paper_ids and row[1]
        ),
        question_count=len(entries),
    )
