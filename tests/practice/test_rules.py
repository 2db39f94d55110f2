"""The pure rules of immediate feedback: which attempts check as they go, tries, one score."""

from quizzes.authoring.validation import (
    IMMEDIATE_NEEDS_FULL_REVIEW,
    IMMEDIATE_NEVER_EXAM,
    IMMEDIATE_NOT_HAND_MARKED,
    quiz_practice_problems,
)
from quizzes.practice.rules import answer_score, feedback_is_immediate, tries_allowed

PAPER = {
    "feedback_policy": "full",
    "questions": [
        {
            "id": 1,
            "kind": "single",
            "points": 2,
            "choices": [{"id": 10, "is_correct": True}, {"id": 11, "is_correct": False}],
        },
        {
            "id": 2,
            "kind": "multiple",
            "points": 2,
            "choices": [
                {"id": 20, "is_correct": True},
                {"id": 21, "is_correct": True},
                {"id": 22, "is_correct": False},
            ],
        },
    ],
}


def immediate(*, bank="practice", behaviour="immediate", kind="graded", paper=PAPER):
    return feedback_is_immediate(
        quiz_bank=bank, behaviour=behaviour, attempt_kind=kind, paper=paper
    )


def test_a_practice_quiz_set_to_immediate_checks_as_you_go():
    assert immediate() is True


def test_a_graded_exam_attempt_never_gives_immediate_feedback_whatever_its_setting():
    assert immediate(bank="exam") is False
    assert immediate(bank="exam", behaviour="deferred") is False


def test_a_deferred_practice_quiz_s_graded_attempt_does_not_check_as_you_go():
    assert immediate(behaviour="deferred") is False


def test_a_mistakes_round_always_checks_as_you_go_also_from_an_exam_or_a_deferred_quiz():
    assert immediate(kind="practice", behaviour="deferred") is True
    assert immediate(kind="practice", bank="exam", behaviour="deferred") is True


def test_a_paper_without_full_review_never_checks_as_you_go_not_even_a_mistakes_round():
    wrong_only = {**PAPER, "feedback_policy": "wrong_only"}
    for kind in ("graded", "practice"):
        assert immediate(kind=kind, paper=wrong_only) is False
        assert immediate(kind=kind, paper={**PAPER, "feedback_policy": "score_only"}) is False


def test_a_paper_with_a_written_answer_is_never_checked_as_you_go():
    written = {**PAPER, "questions": [*PAPER["questions"], {"id": 3, "kind": "written"}]}
    for kind in ("graded", "practice"):
        assert immediate(kind=kind, paper=written) is False


def test_graded_attempts_have_one_try_and_practice_rounds_the_quiz_s_tries():
    assert tries_allowed(attempt_kind="graded", quiz_tries=3) == 1
    assert tries_allowed(attempt_kind="practice", quiz_tries=3) == 3
    assert tries_allowed(attempt_kind="practice", quiz_tries=0) == 1


def test_one_answer_scores_as_the_whole_attempt_would():
    assert answer_score(paper=PAPER, question_id=1, selected=[10]).is_correct is True
    partly = answer_score(paper=PAPER, question_id=2, selected=[20])
    assert (partly.awarded, partly.points, partly.is_correct) == (1.0, 2, False)


def test_the_admin_rule_refuses_immediate_feedback_for_an_exam_and_names_what_is_missing():
    def problems(**overrides):
        values = {
            "bank": "practice",
            "behaviour": "immediate",
            "feedback_policy": "full",
            "hand_marked": False,
        }
        return quiz_practice_problems(**{**values, **overrides})

    assert problems() == []
    assert problems(bank="exam") == [IMMEDIATE_NEVER_EXAM]
    assert problems(feedback_policy="score_only", hand_marked=True) == [
        IMMEDIATE_NEEDS_FULL_REVIEW,
        IMMEDIATE_NOT_HAND_MARKED,
    ]
    assert problems(bank="exam", behaviour="deferred") == []
