"""Builders for immediate-feedback practice: a quiz that checks as you go, a mistakes round."""

from quizzes import services
from quizzes.models import Quiz
from tests.builders.attempts import wrong_ids
from tests.builders.bank import make_quiz


def make_immediate_quiz(questions=3, slug="immediate-quiz", tries=2, **fields) -> Quiz:
    """A published practice quiz with immediate feedback and `tries` tries in practice."""
    return make_quiz(
        questions,
        slug=slug,
        practice_behaviour=Quiz.PracticeBehaviour.IMMEDIATE,
        practice_tries=tries,
        **fields,
    )


def mistakes_round(user, quiz):
    """A review-my-mistakes round of `quiz`, after an attempt with every answer wrong."""
    attempt = services.attempt_start(user=user, quiz=quiz)
    answers = {q["id"]: wrong_ids(q) for q in attempt.paper["questions"]}
    services.attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence)
    source = services.attempt_submit(attempt=attempt)
    return services.practice_start_from_mistakes(user=user, quiz=quiz, source=source)
