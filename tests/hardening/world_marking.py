"""Hand marking in the hardening world: a published hand-marked quiz (one written case answer,
not required by the world's program) and the trainee's submitted attempt awaiting marking."""

from django.utils import timezone

from quizzes.models import Question, Quiz, QuizQuestion
from quizzes.services import attempt_save_answers, attempt_start, attempt_submit

MODEL_ANSWER = "MODEL-ANSWER-written-case-secret"
MARKING_GUIDE = "MARKING-GUIDE-written-case-secret"


def build_marking_world(*, trainee, topic) -> dict:
    question = Question.objects.create(
        key="written-case",
        kind=Question.Kind.WRITTEN,
        prompt="A client bleeds for longer than expected. What do you do?",
        points=4,
        topic=topic,
        model_answer=MODEL_ANSWER,
        marking_guide=MARKING_GUIDE,
    )
    quiz = Quiz.objects.create(
        title="Written cases",
        slug="written-cases",
        topic=topic,
        status=Quiz.Status.PUBLISHED,
        hand_marked=True,
        shuffle_questions=False,
        shuffle_choices=False,
    )
    QuizQuestion.objects.create(quiz=quiz, question=question, order=0)
    attempt = attempt_start(user=trainee, quiz=quiz)
    attempt_save_answers(
        attempt=attempt,
        answers={},
        sequence=attempt.sequence,
        texts={question.pk: "Stop, apply pressure, follow the protocol."},
        now=timezone.now(),
    )
    attempt.refresh_from_db()
    attempt = attempt_submit(attempt=attempt)
    return {
        "hand_quiz": quiz,
        "marking_attempt": attempt,
        "written_answer": attempt.answers.get(question=question),
    }
