"""Certificate updates in the hardening world (issue 19, renewal that follows what changed).

`update_program`: a published program of its own (a lesson and an exam only it requires),
in which the trainee holds a certificate with an open update after a material change to
that lesson; the update asks for the update quiz. Nobody else holds an update, and the
world's main program is untouched.
"""

from datetime import timedelta

from django.utils import timezone

from lessons.models import Lesson
from quizzes.certification.codes import code_generate
from quizzes.models import Bank, Certificate, Choice, Program, Question, Quiz, QuizQuestion
from quizzes.updates.services import program_updates_record


def build_updates_world(*, trainee, topic, educator) -> dict:
    now = timezone.now()
    lesson = Lesson.objects.create(
        topic=topic,
        title="Refresher on pressure",
        slug="refresher-pressure",
        body_markdown="Apply firm pressure with sterile gauze.",
        status=Lesson.Status.PUBLISHED,
    )
    question = Question.objects.create(
        key="update-q",
        prompt="How long is pressure held first?",
        explanation="Why pressure first",
        topic=topic,
        lesson=lesson,
        bank=Bank.EXAM,
    )
    for order, correct in enumerate([True, False, False]):
        Choice.objects.create(question=question, text=f"update {order}", is_correct=correct)
    exam = Quiz.objects.create(
        title="Refresher exam", slug="refresher-exam", bank=Bank.EXAM, status=Quiz.Status.PUBLISHED
    )
    QuizQuestion.objects.create(quiz=exam, question=question, order=0)
    program = Program.objects.create(
        name="Refresher", slug="refresher", status=Program.Status.PUBLISHED, validity_months=24
    )
    program.required_lessons.add(lesson)
    program.required_quizzes.add(exam)
    Certificate.objects.create(
        user=trainee,
        program=program,
        holder_name=trainee.get_full_name(),
        issued_at=now - timedelta(days=30),
        expires_at=now + timedelta(days=700),
        code=code_generate(),
        cycle=1,
    )
    program_updates_record(summary="Pressure first", by=educator, lessons=[lesson], now=now)
    return {"update_program": program}
