"""The updates tests' world: a certified trainee in a program whose exam asks about a lesson."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lessons.services import lesson_save
from quizzes.services import attempt_save_answers, attempt_submit
from quizzes.updates import services
from tests.builders import complete_lesson, make_certificate, make_program, make_question, make_quiz

DAY = timedelta(days=1)


@pytest.fixture
def world(trainee):
    """A program of two lessons and an exam whose pool asks about the first lesson."""
    now = timezone.now()
    program = make_program(lessons=2, quizzes=0, validity_months=24)
    first, second = program.required_lessons.order_by("order")
    questions = [
        make_question(f"exam-{i}", bank="exam", lesson=first, critical=i == 0) for i in range(3)
    ]
    other = make_question("exam-other", bank="exam", lesson=second)
    final = make_quiz(questions=[*questions, other], slug="final", bank="exam")
    program.required_quizzes.set([final])
    issued = now - 100 * DAY
    certificate = make_certificate(
        trainee, program, issued_at=issued, expires_at=issued + 730 * DAY
    )
    for lesson in (first, second):
        complete_lesson(trainee, lesson, issued - DAY)
    return {
        "now": now,
        "program": program,
        "first": first,
        "second": second,
        "questions": questions,
        "other": other,
        "final": final,
        "certificate": certificate,
        "expires": certificate.expires_at,
    }


def change_lesson(lesson, *, by, now, summary="Pressure before referral"):
    lesson.body_markdown += "\n\nRefer when bleeding does not slow with firm pressure."
    lesson_save(lesson=lesson, by=by, reread_required=True, change_summary=summary, now=now)


def take_update_quiz(user, program, *, now, right=True):
    attempt = services.update_quiz_start(user=user, program=program, now=now)
    answers = {
        q["id"]: [c["id"] for c in q["choices"] if c["is_correct"] is right][:1]
        for q in attempt.paper["questions"]
    }
    attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence, now=now)
    attempt.refresh_from_db()
    attempt_submit(attempt=attempt, now=now)
    return attempt
