"""The authoring rules for questions and quizzes, shared by the admin and the loader."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from quizzes.drawing import Candidate, blueprint_shortfall, draw_blueprint
from trainingsite.plurals import Plural

WRITTEN = "written"  # Question.Kind.WRITTEN: the rules sit below the models

CHOICES_AT_LEAST_TWO = "Every question needs at least two choices."
SINGLE_ONE_CORRECT = "A single-choice question needs exactly one correct choice."
TRUE_FALSE_ONE_CORRECT = "A true/false question needs exactly one correct choice."
TRUE_FALSE_TWO_CHOICES = "A true/false question has exactly two choices: True and False."
MULTIPLE_ONE_CORRECT = "A multiple-response question needs at least one correct choice."
WRITTEN_NO_CHOICES = (
    "A written-answer question has no choices: the trainee writes the answer and an "
    "assessor marks it. Delete the choices."
)
WRITTEN_NEEDS_MODEL_ANSWER = (
    "A written-answer question needs a model answer: the assessor marks against it."
)
POOL_WRITTEN_NOT_HAND_MARKED = (
    "Written-answer questions sit only in hand-marked quizzes, where an assessor marks them; "
    "{keys} {verb} written. Take {them} out of the pool, or make the quiz hand-marked."
)
QUESTION_WRITTEN_IN_POOLS = (
    "A written-answer question sits only in hand-marked quizzes; this one is in the pool of "
    "{quizzes}, which {are} not hand-marked. Take it out of {pools} or make {those} hand-marked."
)
QUIZ_TOO_FEW_ACTIVE = Plural(
    "A published quiz needs at least {needed} active question in its pool "
    "(it draws {needed}); it has {active}. Add questions or keep the quiz as a draft.",
    "A published quiz needs at least {needed} active questions in its pool "
    "(it draws {needed}); it has {active}. Add questions or keep the quiz as a draft.",
    count="needed",
)

POOL_WRONG_BANK = {
    "practice": (
        "A practice quiz's pool holds practice questions only, so that nobody practises an "
        "exam's questions; {keys} {verb} from the exam bank. Take {them} out of the pool, or "
        "make the quiz an exam."
    ),
    "exam": (
        "An exam's pool holds exam questions only, never ones trainees have practised with full "
        "review; {keys} {verb} from the practice bank. Take {them} out of the pool, or move "
        "{them} to the exam bank."
    ),
}
QUESTION_BANK_IN_POOLS = (
    "This question sits in the pool of {quizzes}, which {draw} {bank} questions only: take it "
    "out of {pools} before moving it to the {new_bank} bank."
)

BLUEPRINT_LENGTH = Plural(
    "With a blueprint every paper holds {total} question, the sum of its rows: leave "
    "questions per attempt blank or set it to {total}.",
    "With a blueprint every paper holds {total} questions, the sum of its rows: leave "
    "questions per attempt blank or set it to {total}.",
    count="total",
)
BLUEPRINT_CRITICAL_OVER_LENGTH = Plural(
    "At least {needed} critical question per paper cannot fit on a paper of {total}.",
    "At least {needed} critical questions per paper cannot fit on a paper of {total}.",
    count="needed",
)
BLUEPRINT_CRITICAL_WITHOUT_ROWS = (
    "A minimum of critical questions per paper needs a blueprint: add a row per topic."
)
BLUEPRINT_TOPIC_SHORT = Plural(
    "The blueprint draws {needed} question from {topic} but the pool holds {available} "
    "there (questions of one variant group count once). Add questions or lower the count.",
    "The blueprint draws {needed} questions from {topic} but the pool holds {available} "
    "there (questions of one variant group count once). Add questions or lower the count.",
    count="needed",
)
BLUEPRINT_CRITICAL_SHORT = Plural(
    "The blueprint asks for at least {needed} critical question per paper but the pool's "
    "blueprint topics hold {available} (questions of one variant group count once). Mark "
    "more questions critical, add some, or lower the minimum.",
    "The blueprint asks for at least {needed} critical questions per paper but the pool's "
    "blueprint topics hold {available} (questions of one variant group count once). Mark "
    "more questions critical, add some, or lower the minimum.",
    count="needed",
)
BLUEPRINT_UNFILLABLE = (
    "No paper could be drawn that meets the blueprint: the variant groups and critical "
    "questions leave too few to fill every topic's count. Add questions or lower the counts."
)


def question_choice_problems(*, kind: str, correct_flags: Sequence[bool]) -> list[str]:
    """Return what is wrong with a question's choices (empty when valid)."""
    if kind == WRITTEN:
        return [WRITTEN_NO_CHOICES] if correct_flags else []
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


def written_question_problems(*, kind: str, model_answer: str) -> list[str]:
    """Return what a written-answer question lacks (empty when valid, or another kind)."""
    if kind == WRITTEN and not model_answer.strip():
        return [WRITTEN_NEEDS_MODEL_ANSWER]
    return []


def pool_written_problem(*, hand_marked: bool, questions: Sequence[tuple[str, str]]) -> str | None:
    """Return why a pool of (key, kind) pairs holds written answers a quiz cannot mark, or None."""
    if hand_marked:
        return None
    written = [key for key, kind in questions if kind == WRITTEN]
    if not written:
        return None
    many = len(written) > 1
    return POOL_WRITTEN_NOT_HAND_MARKED.format(
        keys=", ".join(written), verb="are" if many else "is", them="them" if many else "it"
    )


def question_written_problem(*, kind: str, quizzes: Sequence[tuple[str, bool]]) -> str | None:
    """Return why a written question cannot sit in these (title, hand_marked) pools, or None."""
    if kind != WRITTEN:
        return None
    other = [title for title, hand_marked in quizzes if not hand_marked]
    if not other:
        return None
    many = len(other) > 1
    return QUESTION_WRITTEN_IN_POOLS.format(
        quizzes=", ".join(f"“{title}”" for title in other),
        are="are" if many else "is",
        pools="their pools" if many else "its pool",
        those="them" if many else "it",
    )


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


def pool_bank_problem(*, quiz_bank: str, questions: Sequence[tuple[str, str]]) -> str | None:
    """Return why a pool of (key, bank) pairs does not suit a quiz of `quiz_bank`, or None."""
    wrong = [key for key, bank in questions if bank != quiz_bank]
    if not wrong:
        return None
    many = len(wrong) > 1
    return POOL_WRONG_BANK[quiz_bank].format(
        keys=", ".join(wrong), verb="are" if many else "is", them="them" if many else "it"
    )


def question_bank_problem(*, new_bank: str, quizzes: Sequence[tuple[str, str]]) -> str | None:
    """Return why a question in these (title, bank) quizzes' pools cannot move banks, or None."""
    other = [title for title, bank in quizzes if bank != new_bank]
    if not other:
        return None
    many = len(other) > 1
    return QUESTION_BANK_IN_POOLS.format(
        quizzes=", ".join(f"“{title}”" for title in other),
        draw="draw" if many else "draws",
        bank="exam" if new_bank == "practice" else "practice",
        pools="their pools" if many else "its pool",
        new_bank=new_bank,
    )


def blueprint_length_problems(
    *, counts: Mapping[int, int], questions_per_attempt: int | None, min_critical: int
) -> list[str]:
    """Return what is wrong with a blueprint's shape, before looking at the pool."""
    if not counts:
        return [BLUEPRINT_CRITICAL_WITHOUT_ROWS] if min_critical else []
    total = sum(counts.values())
    problems = []
    if questions_per_attempt not in (None, total):
        problems.append(BLUEPRINT_LENGTH.format(total=total))
    if min_critical > total:
        problems.append(BLUEPRINT_CRITICAL_OVER_LENGTH.format(needed=min_critical, total=total))
    return problems


def blueprint_pool_problems(
    *,
    published: bool,
    candidates: Sequence[Candidate],
    counts: Mapping[int, int],
    min_critical: int,
    topic_names: Mapping[int, str],
) -> list[str]:
    """Return why a published quiz's pool cannot fill its blueprint (empty when it can).

    `candidates` are the pool's active questions. Each short topic and a short
    critical minimum are named; when the counts suffice but groups and topics
    still clash, a trial draw (seeded, so the answer is stable) says so.
    """
    if not published or not counts:
        return []
    shortfall = blueprint_shortfall(candidates, counts=counts, min_critical=min_critical)
    problems = [
        BLUEPRINT_TOPIC_SHORT.format(
            needed=needed, topic=topic_names.get(topic_id, topic_id), available=available
        )
        for topic_id, needed, available in shortfall.topics
    ]
    if shortfall.critical_available < shortfall.critical_needed:
        problems.append(
            BLUEPRINT_CRITICAL_SHORT.format(
                needed=min_critical, available=shortfall.critical_available
            )
        )
    if not problems and (
        draw_blueprint(candidates, counts=counts, min_critical=min_critical, rng=random.Random(0))
        is None
    ):
        problems.append(BLUEPRINT_UNFILLABLE)
    return problems


# Immediate-feedback practice (issue 18, quizzes/practice/).
PRACTICE_TRIES_MAX = 10
IMMEDIATE_NEVER_EXAM = (
    "An exam never gives immediate feedback: its answers are reviewed only after "
    "submitting. Keep deferred feedback, or make the quiz a practice quiz."
)
IMMEDIATE_NEEDS_FULL_REVIEW = (
    "Immediate feedback shows each question's answer and explanation once checked: it needs "
    "the full review feedback policy."
)
IMMEDIATE_NOT_HAND_MARKED = (
    "Immediate feedback cannot check written answers, which an assessor marks: keep a "
    "hand-marked quiz on deferred feedback."
)


def quiz_practice_problems(
    *, bank: str, behaviour: str, feedback_policy: str, hand_marked: bool
) -> list[str]:
    """Return why a quiz cannot give immediate feedback as set (empty when fine)."""
    if behaviour != "immediate":
        return []
    if bank == "exam":
        return [IMMEDIATE_NEVER_EXAM]
    problems = []
    if feedback_policy != "full":
        problems.append(IMMEDIATE_NEEDS_FULL_REVIEW)
    if hand_marked:
        problems.append(IMMEDIATE_NOT_HAND_MARKED)
    return problems
