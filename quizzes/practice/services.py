"""Writes for immediate-feedback practice: check one question's answer, try it again.

A check locks the answer (`checked_at`) and counts a try, in one conditional UPDATE
whose row count is checked, so a double click or a second tab never checks twice:
the same answer again gets the same feedback, another answer a 409. The attempt row
is bumped first, which serialises a check with the attempt's submission on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from quizzes import services as engine
from quizzes import signals
from quizzes.models import Attempt, AttemptAnswer, Question
from quizzes.practice.rules import answer_score, feedback_is_immediate, tries_allowed
from quizzes.written import SAVE_UNKNOWN_QUESTION

CHECK_NOT_IMMEDIATE = (
    "This attempt does not give immediate feedback: its answers are reviewed after you submit."
)
CHECK_NOTHING_CHOSEN = "Choose an answer before pressing Check."
CHECK_WRITTEN = "A written answer is marked by an assessor; it cannot be checked here."
CHECK_LOCKED = (
    "This question is already checked, so its answer is locked. "
    "Reload the page to see the feedback."
)
RETRY_NO_TRIES_LEFT = "This question has no tries left."
RETRY_ALREADY_RIGHT = "This answer is already right: go on to the next question."
PRACTICE_SAVE_LOCKED = (
    "This attempt gives immediate feedback: answers are stored by pressing Check on each "
    "question. Reload the page to see your checked answers."
)
RETRY_NOT_CHECKED = "This question is not checked yet: choose an answer and press Check."


class PracticeRefused(Exception):
    """The check or try again is not allowed now (409); the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckOutcome:
    question_id: int
    is_correct: bool
    tries: int
    tries_left: int
    repeated: bool  # the same answer was already checked (a double click, another tab)


def attempt_is_immediate(attempt: Attempt) -> bool:
    """Whether this attempt checks each question as the trainee goes (quizzes.practice.rules)."""
    return feedback_is_immediate(
        quiz_bank=attempt.quiz.bank,
        behaviour=attempt.quiz.practice_behaviour,
        attempt_kind=attempt.kind,
        paper=attempt.paper,
    )


def attempt_tries_allowed(attempt: Attempt) -> int:
    return tries_allowed(attempt_kind=attempt.kind, quiz_tries=attempt.quiz.practice_tries)


def _paper_question(attempt: Attempt, question_id: int) -> dict:
    for question in attempt.paper.get("questions", []):
        if question["id"] == question_id:
            return question
    raise ValidationError(SAVE_UNKNOWN_QUESTION, code="unknown_question")


def _refuse_unless_open(attempt: Attempt, now: datetime) -> None:
    """Refuse unless the attempt is immediate and open; close it first if its time ran out.

    Called outside the check's transaction: the close commits on its own before the refusal.
    """
    if not attempt_is_immediate(attempt):
        raise PracticeRefused(CHECK_NOT_IMMEDIATE)
    if engine.attempt_close_if_expired(attempt=attempt, now=now) or not attempt.is_open:
        raise engine.AttemptClosed


def _open_for_practice(attempt: Attempt) -> None:
    """Bump the open attempt's row (a lock on PostgreSQL until the check commits)."""
    bumped = Attempt.objects.filter(pk=attempt.pk, state=Attempt.State.IN_PROGRESS).update(
        sequence=F("sequence") + 1
    )
    if not bumped:
        raise engine.AttemptClosed
    attempt.sequence += 1


def practice_answer_check(
    *,
    attempt: Attempt,
    question_id: int,
    choice_ids: Sequence[int],
    now: datetime | None = None,
) -> CheckOutcome:
    """Check one question's answer: store it, lock it, count the try; return the outcome.

    Raises ValidationError (400) for a question or choice not on the paper, a written
    question or no choice; PracticeRefused (409) for an attempt without immediate
    feedback or another answer to a checked question; AttemptClosed (409) once submitted.
    """
    now = now or timezone.now()
    question = _paper_question(attempt, question_id)
    if question["kind"] == Question.Kind.WRITTEN:
        raise ValidationError(CHECK_WRITTEN, code="written")
    clean = engine.attempt_answers_validate(paper=attempt.paper, answers={question_id: choice_ids})
    selected = clean[question_id]
    if not selected:
        raise ValidationError(CHECK_NOTHING_CHOSEN, code="nothing_chosen")
    _refuse_unless_open(attempt, now)
    return _answer_check(attempt=attempt, question_id=question_id, selected=selected, now=now)


@transaction.atomic
def _answer_check(
    *, attempt: Attempt, question_id: int, selected: list[int], now: datetime
) -> CheckOutcome:
    _open_for_practice(attempt)
    allowed = attempt_tries_allowed(attempt)
    rows = AttemptAnswer.objects.filter(attempt=attempt, question_id=question_id)
    checked = rows.filter(checked_at__isnull=True, tries__lt=allowed).update(
        selected=selected, saved_at=now, checked_at=now, tries=F("tries") + 1
    )
    row = rows.only("selected", "checked_at", "tries").get()
    if not checked and (row.checked_at is None or sorted(row.selected) != selected):
        raise PracticeRefused(CHECK_LOCKED if row.checked_at else RETRY_NO_TRIES_LEFT)
    score = answer_score(paper=attempt.paper, question_id=question_id, selected=selected)
    if checked and row.tries == 1:
        # The first answer is the one that says what the trainee remembered.
        signals.answer_checked.send(
            sender=Attempt,
            attempt=attempt,
            question=_paper_question(attempt, question_id),
            is_correct=score.is_correct,
            checked_at=now,
        )
    return CheckOutcome(
        question_id=question_id,
        is_correct=score.is_correct,
        tries=row.tries,
        tries_left=max(allowed - row.tries, 0),
        repeated=not checked,
    )


def practice_answer_retry(
    *, attempt: Attempt, question_id: int, now: datetime | None = None
) -> None:
    """Unlock a wrongly checked answer for another try, where the quiz allows one.

    Pressing it twice unlocks once (the second finds it unlocked); a try is counted
    only by the next check, so two tabs can never get an extra try.
    """
    now = now or timezone.now()
    question = _paper_question(attempt, question_id)
    if question["kind"] == Question.Kind.WRITTEN:
        raise ValidationError(CHECK_WRITTEN, code="written")
    _refuse_unless_open(attempt, now)
    _answer_unlock(attempt=attempt, question_id=question_id)


@transaction.atomic
def _answer_unlock(*, attempt: Attempt, question_id: int) -> None:
    _open_for_practice(attempt)
    rows = AttemptAnswer.objects.filter(attempt=attempt, question_id=question_id)
    row = rows.only("selected", "checked_at", "tries").get()
    if row.checked_at is None:
        if row.tries == 0:
            raise PracticeRefused(RETRY_NOT_CHECKED)
        return  # already unlocked: the same answer as the first press
    score = answer_score(paper=attempt.paper, question_id=question_id, selected=row.selected)
    if score.is_correct:
        raise PracticeRefused(RETRY_ALREADY_RIGHT)
    unlocked = rows.filter(
        checked_at=row.checked_at, tries__lt=attempt_tries_allowed(attempt)
    ).update(checked_at=None)
    if not unlocked:
        raise PracticeRefused(RETRY_NO_TRIES_LEFT)
