"""When an attempt gives immediate feedback, how many tries a question has, one answer's score.

Pure: plain data in, plain data out. The attempt's quiz settings and frozen paper are
read by the callers; the score of one checked answer is quizzes.scoring's, run on a
one-question paper, so a check and the final result always agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from quizzes.scoring import Rules, paper_has_written, paper_questions, score_attempt

IMMEDIATE = "immediate"
PRACTICE_BANK = "practice"
PRACTICE_KIND = "practice"
REVIEW_KIND = "review"
FULL_REVIEW = "full"


def feedback_is_immediate(
    *, quiz_bank: str, behaviour: str, attempt_kind: str, paper: Mapping[str, Any]
) -> bool:
    """Whether the attempt checks each question as the trainee goes.

    A review-my-mistakes round (a practice attempt) always does, whatever its quiz's
    setting, also one from an exam: its paper holds practice-bank questions only (an
    exam's own questions are never practised) and is frozen with the full review
    policy, and the round never counts toward anything; a spaced-review session likewise
    (its paper holds practice-bank questions only). A graded attempt does only on
    a practice-bank quiz set to immediate feedback; a graded attempt of an exam never.
    Either way only on a paper frozen with the full review policy (a practice quiz's
    round keeps the quiz's policy) and without written answers (an assessor marks those).
    """
    if paper.get("feedback_policy", FULL_REVIEW) != FULL_REVIEW or paper_has_written(paper):
        return False
    if attempt_kind in (PRACTICE_KIND, REVIEW_KIND):
        return True
    return quiz_bank == PRACTICE_BANK and behaviour == IMMEDIATE


def tries_allowed(*, attempt_kind: str, quiz_tries: int) -> int:
    """How often one question may be checked: the quiz's tries in a practice round only.

    Extra tries carry no penalty, so a graded attempt (whose pass may count toward a
    certificate) checks each question once.
    """
    if attempt_kind != PRACTICE_KIND:
        return 1
    return max(int(quiz_tries), 1)


@dataclass(frozen=True)
class CheckedAnswer:
    awarded: float
    points: int
    is_correct: bool


def answer_score(
    *, paper: Mapping[str, Any], question_id: int, selected: Sequence[int]
) -> CheckedAnswer:
    """Score one question's answer exactly as submitting the attempt will."""
    question = next(q for q in paper_questions(paper) if q.id == question_id)
    score = score_attempt((question,), {question_id: list(selected)}, Rules(pass_mark=0))
    result = score.result_for(question_id)
    return CheckedAnswer(
        awarded=result.awarded, points=question.points, is_correct=result.is_correct
    )
