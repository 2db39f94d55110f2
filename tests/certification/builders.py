"""Small builders for certification tests: programs over lessons and quizzes, and activity."""

from datetime import datetime

from django.utils import timezone

from lessons.models import LessonCompletion
from quizzes.models import Attempt
from quizzes.models.certification import Certificate, Program, ProgramAssignment
from tests.quizzes.builders import make_lesson, make_quiz, make_topic


def make_program(
    *, slug="foundation", lessons=2, quizzes=2, validity_months=24, status="published", name=None
) -> Program:
    """A program requiring `lessons` lessons and `quizzes` quizzes (counts or lists)."""
    program = Program.objects.create(
        name=name or f"Program {slug}",
        slug=slug,
        validity_months=validity_months,
        status=status,
    )
    topic = make_topic()
    if isinstance(lessons, int):
        lessons = [
            make_lesson(slug=f"{slug}-lesson-{i}", topic=topic, title=f"Lesson {i} of {slug}")
            for i in range(1, lessons + 1)
        ]
    if isinstance(quizzes, int):
        quizzes = [make_quiz(questions=1, slug=f"{slug}-quiz-{i}") for i in range(1, quizzes + 1)]
    for order, lesson in enumerate(lessons):
        lesson.order = order
        lesson.save(update_fields=["order"])
    for order, quiz in enumerate(quizzes):
        quiz.order = order
        quiz.save(update_fields=["order"])
    program.required_lessons.set(lessons)
    program.required_quizzes.set(quizzes)
    return program


def complete_lesson(user, lesson, at: datetime | None = None) -> LessonCompletion:
    completion, _ = LessonCompletion.objects.update_or_create(
        user=user, lesson=lesson, defaults={"completed_at": at or timezone.now()}
    )
    return completion


def graded_attempt(user, quiz, *, passed=True, percent=None, at: datetime | None = None):
    """A submitted graded attempt, written directly (the quiz engine has its own tests)."""
    at = at or timezone.now()
    percent = percent if percent is not None else (90.0 if passed else 40.0)
    return Attempt.objects.create(
        user=user,
        quiz=quiz,
        kind=Attempt.Kind.GRADED,
        state=Attempt.State.SUBMITTED,
        close_reason=Attempt.CloseReason.SUBMITTED,
        started_at=at,
        submitted_at=at,
        points=percent,
        max_points=100,
        percent=percent,
        passed=passed,
    )


def practice_attempt(user, quiz, *, at=None):
    at = at or timezone.now()
    return Attempt.objects.create(
        user=user,
        quiz=quiz,
        kind=Attempt.Kind.PRACTICE,
        state=Attempt.State.SUBMITTED,
        started_at=at,
        submitted_at=at,
        percent=100.0,
        passed=None,
    )


def do_everything(user, program, at: datetime | None = None) -> None:
    for lesson in program.required_lessons.all():
        complete_lesson(user, lesson, at)
    for quiz in program.required_quizzes.all():
        graded_attempt(user, quiz, at=at)


def make_certificate(
    user, program, *, issued_at, expires_at=None, cycle=1, revoked=False, code=None
) -> Certificate:
    from quizzes.certification.codes import code_generate

    return Certificate.objects.create(
        user=user,
        program=program,
        holder_name=user.get_full_name() or user.username,
        issued_at=issued_at,
        expires_at=expires_at,
        cycle=cycle,
        code=code or code_generate(),
        revoked_at=issued_at if revoked else None,
        revoke_reason="Issued in error." if revoked else "",
    )


def assign(user, program, due_date=None) -> ProgramAssignment:
    return ProgramAssignment.objects.create(user=user, program=program, due_date=due_date)
