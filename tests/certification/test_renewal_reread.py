"""Renewal when a required lesson changed: the whole path through the services.

The clock is the services' `now` argument, anchored on the real time at the
start of each test: the quiz engine's grading hook looks at the real time, so
the story runs up to "now" and ends there.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lessons.models import LessonCompletion
from lessons.services import CompletionOutcome, lesson_complete, lesson_save
from quizzes.certification.rules import NextStep, ProgressStatus, StepKind
from quizzes.certification.selectors import program_progress
from quizzes.certification.services import certificate_issue_if_complete
from quizzes.models.certification import Certificate
from quizzes.services import attempt_save_answers, attempt_start, attempt_submit
from tests.builders import graded_attempt, make_program

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
CHANGED_BADGE = "Changed: read again"


def pass_quiz(user, quiz, *, now):
    """Take and pass a graded attempt through the quiz engine at `now`."""
    attempt = attempt_start(user=user, quiz=quiz, now=now)
    answers = {
        q["id"]: [c["id"] for c in q["choices"] if c["is_correct"]]
        for q in attempt.paper["questions"]
    }
    attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence, now=now)
    attempt.refresh_from_db()
    attempt_submit(attempt=attempt, now=now)
    assert attempt.passed is True
    return attempt


def certify(user, program, *, now) -> Certificate:
    """Pass the quizzes, then read the lessons: the last lesson issues the certificate at `now`."""
    for quiz in program.required_quiz_list:
        pass_quiz(user, quiz, now=now)
    for lesson in program.required_lesson_list:
        lesson_complete(user=user, lesson=lesson, now=now)
    return Certificate.objects.get(user=user, program=program)


def flag_changed(lesson, *, by, now) -> None:
    """Edit the lesson's body as an educator would and flag that trainees must re-read it."""
    lesson.body_markdown += "\n\nStop and refer when bleeding does not slow with pressure."
    lesson_save(lesson=lesson, by=by, reread_required=True, now=now)
    assert lesson.content_changed_at == now


@pytest.fixture
def program():
    program = make_program(lessons=2, quizzes=2, validity_months=12)
    # A window long enough that a change 100 days ago falls due after the certificate's
    # own expiry: renewal covers it, so no update is asked (tests/updates/ for those).
    program.update_window_days = 120
    program.save(update_fields=["update_window_days"])
    # The lists the helpers walk, in order.
    program.required_lesson_list = list(program.required_lessons.order_by("order"))
    program.required_quiz_list = list(program.required_quizzes.order_by("order"))
    return program


def test_renewal_waits_for_the_changed_lesson_then_issues_a_new_certificate(
    trainee, educator, program
):
    now = timezone.now()
    changed, unchanged = program.required_lesson_list

    # Certified 350 days ago for 12 months: the certificate expires in about two weeks.
    first = certify(trainee, program, now=now - 350 * DAY)
    assert first.cycle == 1
    assert first.issued_at == now - 350 * DAY

    # An educator flags the first lesson: trainees must re-read it.
    flag_changed(changed, by=educator, now=now - 100 * DAY)

    # Expiring soon: renewal is open, and the changed lesson is the next step.
    progress = program_progress(user=trainee, program=program, now=now - DAY).progress
    assert progress.status is ProgressStatus.EXPIRING_SOON
    assert progress.can_renew is True
    assert progress.lessons_done_ids == frozenset({unchanged.pk})
    assert progress.next_step == NextStep(StepKind.LESSON, changed.pk)

    # The quizzes are passed again; the renewal is NOT issued: the lesson is unread.
    for quiz in program.required_quiz_list:
        pass_quiz(trainee, quiz, now=now - DAY)
    assert Certificate.objects.filter(user=trainee, program=program).count() == 1
    assert certificate_issue_if_complete(user=trainee, program=program, now=now) is None
    progress = program_progress(user=trainee, program=program, now=now).progress
    assert (progress.quizzes_passed, progress.lessons_done) == (2, 1)
    assert progress.next_step == NextStep(StepKind.LESSON, changed.pk)

    # The re-read completes the renewal, in the same call.
    result = lesson_complete(user=trainee, lesson=changed, now=now)
    assert result.outcome is CompletionOutcome.READ_AGAIN
    certificates = list(Certificate.objects.filter(user=trainee, program=program).order_by("cycle"))
    assert [c.cycle for c in certificates] == [1, 2]
    old, renewed = certificates
    assert renewed.issued_at == now
    assert renewed.code != old.code
    # The old certificate stays in history with its own dates.
    assert (old.pk, old.issued_at, old.expires_at) == (first.pk, first.issued_at, first.expires_at)
    assert old.revoked_at is None
    assert renewed.expires_at > old.expires_at
    progress = program_progress(user=trainee, program=program, now=now).progress
    assert progress.status is ProgressStatus.CERTIFIED


def test_double_click_on_the_reread_records_one_reread_and_one_renewal(trainee, educator, program):
    now = timezone.now()
    changed = program.required_lesson_list[0]
    certify(trainee, program, now=now - 350 * DAY)
    flag_changed(changed, by=educator, now=now - 100 * DAY)
    for quiz in program.required_quiz_list:
        pass_quiz(trainee, quiz, now=now - DAY)

    first = lesson_complete(user=trainee, lesson=changed, now=now)
    second = lesson_complete(user=trainee, lesson=changed, now=now + MINUTE)

    assert (first.outcome, second.outcome) == (
        CompletionOutcome.READ_AGAIN,
        CompletionOutcome.ALREADY_COMPLETE,
    )
    assert LessonCompletion.objects.get(user=trainee, lesson=changed).completed_at == now
    assert Certificate.objects.filter(user=trainee, program=program).count() == 2


def test_reread_alone_does_not_renew_until_the_quizzes_are_passed_again(trainee, educator, program):
    now = timezone.now()
    changed = program.required_lesson_list[0]
    certify(trainee, program, now=now - 350 * DAY)
    flag_changed(changed, by=educator, now=now - 100 * DAY)

    assert lesson_complete(user=trainee, lesson=changed, now=now - 2 * DAY).outcome is (
        CompletionOutcome.READ_AGAIN
    )
    assert Certificate.objects.filter(user=trainee, program=program).count() == 1

    # Passing the quizzes again then renews (the grading hook issues it at the real time).
    for quiz in program.required_quiz_list:
        pass_quiz(trainee, quiz, now=now - DAY)
    assert Certificate.objects.filter(user=trainee, program=program).count() == 2


def test_reread_while_certified_does_not_renew_early(trainee, educator, program):
    now = timezone.now()
    changed = program.required_lesson_list[0]
    certify(trainee, program, now=now - 30 * DAY)  # valid for another eleven months
    flag_changed(changed, by=educator, now=now - 10 * DAY)
    for quiz in program.required_quiz_list:
        # Written straight: the engine offers no retake of a passed final before renewal.
        graded_attempt(trainee, quiz, at=now - DAY)

    assert lesson_complete(user=trainee, lesson=changed, now=now).outcome is (
        CompletionOutcome.READ_AGAIN
    )
    assert Certificate.objects.filter(user=trainee, program=program).count() == 1


def test_change_flagged_before_the_first_certificate_needs_no_reread(trainee, educator, program):
    now = timezone.now()
    changed = program.required_lesson_list[0]
    lesson_complete(user=trainee, lesson=changed, now=now - 10 * DAY)
    flag_changed(changed, by=educator, now=now - 5 * DAY)

    certify(trainee, program, now=now - DAY)

    assert Certificate.objects.filter(user=trainee, program=program).count() == 1


def test_program_page_shows_the_changed_lesson_as_a_pending_step_until_reread(
    trainee_client, trainee, educator, program
):
    now = timezone.now()
    changed = program.required_lesson_list[0]
    certify(trainee, program, now=now - 350 * DAY)
    flag_changed(changed, by=educator, now=now - 100 * DAY)
    url = reverse("certificates:program", args=[program.slug])

    html = trainee_client.get(url).content.decode()
    assert html.count(CHANGED_BADGE) == 1

    # The lessons page still counts it as completed, with its own badge.
    overview = trainee_client.get(reverse("lessons:index")).context["overview"]
    assert (overview.done, overview.total) == (2, 2)

    trainee_client.post(reverse("lessons:complete", args=[changed.slug]))
    assert CHANGED_BADGE not in trainee_client.get(url).content.decode()
