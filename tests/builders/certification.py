"""Builders for certification: programs over lessons and quizzes, assignments and certificates."""

from datetime import datetime

from django.utils import timezone

from quizzes.certification.codes import code_generate
from quizzes.models import Certificate, Program, ProgramAssignment
from tests.builders.attempts import graded_attempt
from tests.builders.bank import make_quiz
from tests.builders.lessons import complete_lesson, make_bare_lesson, shared_topic


def make_program(
    *, slug="foundation", name=None, lessons=2, quizzes=2, validity_months=24, status="published"
) -> Program:
    """A program requiring `lessons` lessons and `quizzes` quizzes.

    A count makes that many bare lessons (in the shared topic) or one-question quizzes, numbered
    in order; a list is required as given, its own order untouched.
    """
    program = Program.objects.create(
        name=name or f"Program {slug}",
        slug=slug,
        validity_months=validity_months,
        status=status,
    )
    if isinstance(lessons, int):
        topic = shared_topic()
        lessons = [
            make_bare_lesson(f"{slug}-lesson-{i}", topic=topic, title=f"Lesson {i} of {slug}")
            for i in range(1, lessons + 1)
        ]
        _number(lessons)
    if isinstance(quizzes, int):
        quizzes = [make_quiz(questions=1, slug=f"{slug}-quiz-{i}") for i in range(1, quizzes + 1)]
        _number(quizzes)
    program.required_lessons.set(lessons)
    program.required_quizzes.set(quizzes)
    return program


def _number(items) -> None:
    for order, item in enumerate(items):
        item.order = order
        item.save(update_fields=["order"])


def do_everything(user, program, at: datetime | None = None) -> None:
    for lesson in program.required_lessons.all():
        complete_lesson(user, lesson, at)
    for quiz in program.required_quizzes.all():
        graded_attempt(user, quiz, at=at)


def make_certificate(
    user, program, *, issued_at, expires_at=None, cycle=1, revoked=False, code=None
) -> Certificate:
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


def make_certificate_in_the_same_slot(certificate) -> Certificate:
    """What a fresh or restored database issues next: the same pk again, another code."""
    pk, user, program = certificate.pk, certificate.user, certificate.program
    certificate.delete()
    return Certificate.objects.create(
        pk=pk,
        user=user,
        program=program,
        holder_name=user.username,
        issued_at=timezone.now(),
        cycle=1,
        code=code_generate(),
    )


def assign(user, program, due_date=None) -> ProgramAssignment:
    return ProgramAssignment.objects.create(user=user, program=program, due_date=due_date)
