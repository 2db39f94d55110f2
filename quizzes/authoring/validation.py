"""The authoring rules for questions and quizzes, shared by the admin and the loader."""

from __future__ import annotations

from collections.abc import Sequence

CHOICES_AT_LEAST_TWO = "Every question needs at least two choices."
SINGLE_ONE_CORRECT = "A single-choice question needs exactly one correct choice."
TRUE_FALSE_ONE_CORRECT = "A true/false question needs exactly one correct choice."
TRUE_FALSE_TWO_CHOICES = "A true/false question has exactly two choices: True and False."
MULTIPLE_ONE_CORRECT = "A multiple-response question needs at least one correct choice."
QUIZ_TOO_FEW_ACTIVE = (
    "A published quiz needs at least {needed} active question(s) in its pool "
    "(it draws {needed}); it has {active}. Add questions or keep the quiz as a draft."
)


def question_choice_problems(*, kind: str, correct_flags: Sequence[bool]) -> list[str]:
    """Return what is wrong with a question's choices (empty when valid)."""
    problems = []
    count = len(correct_flags)
    correct = sum(1 for flag in correct_flags if flag)
    if count < 2:
        problems.append(CHOICES_AT_LEAST_TWO)
    if kind == "single" and correct != 1:
        problems.append(SINGLE_ONE_CORRECT)
    if kind == "true_false":
        if count != 2:
            problems.append(TRUE_FALSE_TWO_CHOICES)
        if correct != 1:
            problems.append(TRUE_FALSE_ONE_CORRECT)
    if kind == "multiple" and correct < 1:
        problems.append(MULTIPLE_ONE_CORRECT)
    return problems


def quiz_publish_problem(
    *, published: bool, questions_per_attempt: int | None, active: int
) -> str | None:
    """Return why a quiz cannot be published with this many active questions, or None."""
    if not published:
        return None
    needed = questions_per_attempt or 1
    if active < needed:
        return QUIZ_TOO_FEW_ACTIVE.format(needed=needed, active=active)
    return None
