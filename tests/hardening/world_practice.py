"""Immediate-feedback practice in the hardening world (issue 18).

`practice_quiz`: a published practice quiz with immediate feedback and two tries per
question in practice rounds. `practice_attempt`: the trainee's open graded attempt at it
(made by the real service). `practice_round`: the trainee's open review-my-mistakes round
of it, after a submitted attempt with every answer wrong. `exam_quiz` and
`exam_attempt`: an exam (always deferred feedback) and the trainee's open attempt at it.
"""

from quizzes import services
from quizzes.models import Bank, Choice, Question, Quiz, QuizQuestion


def _question(*, key: str, topic, bank: str) -> Question:
    question = Question.objects.create(
        key=key,
        kind=Question.Kind.SINGLE,
        prompt=f"Practice {key}?",
        explanation=f"EXPLAINED-{key}-why-this-is-right",
        topic=topic,
        bank=bank,
    )
    for order, (text, correct) in enumerate(
        [(f"Right {key}", True), (f"Wrong {key} A", False), (f"Wrong {key} B", False)]
    ):
        Choice.objects.create(
            question=question,
            text=text,
            is_correct=correct,
            feedback=f"FEEDBACK-{key}-{order}-per-choice",
            order=order,
        )
    return question


def _quiz(*, slug: str, topic, bank: str, **fields) -> Quiz:
    quiz = Quiz.objects.create(
        title=f"Quiz {slug}",
        slug=slug,
        topic=topic,
        bank=bank,
        status=Quiz.Status.PUBLISHED,
        shuffle_questions=False,
        shuffle_choices=False,
        **fields,
    )
    for order in range(2):
        question = _question(key=f"{slug}-{order}", topic=topic, bank=bank)
        QuizQuestion.objects.create(quiz=quiz, question=question, order=order)
    return quiz


def build_practice_world(*, trainee, topic) -> dict:
    practice_quiz = _quiz(
        slug="practice-immediate",
        topic=topic,
        bank=Bank.PRACTICE,
        practice_behaviour=Quiz.PracticeBehaviour.IMMEDIATE,
        practice_tries=2,
    )
    failed = services.attempt_start(user=trainee, quiz=practice_quiz)
    wrong = {q["id"]: [q["choices"][1]["id"]] for q in failed.paper["questions"]}
    services.attempt_save_answers(attempt=failed, answers=wrong, sequence=failed.sequence)
    services.attempt_submit(attempt=failed)
    practice_round = services.practice_start_from_mistakes(
        user=trainee, quiz=practice_quiz, source=failed
    )
    practice_attempt = services.attempt_start(user=trainee, quiz=practice_quiz)
    exam_quiz = _quiz(slug="practice-exam", topic=topic, bank=Bank.EXAM)
    exam_attempt = services.attempt_start(user=trainee, quiz=exam_quiz)
    return {
        "practice_quiz": practice_quiz,
        "practice_attempt": practice_attempt,
        "practice_round": practice_round,
        "exam_quiz": exam_quiz,
        "exam_attempt": exam_attempt,
    }
