"""Certification services: issue exactly once, renew, revoke, assign."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from lessons.services import lesson_complete
from quizzes.certification.services import (
    CERTIFICATE_ALREADY_REVOKED,
    PROGRAM_NOT_PUBLISHED,
    REVOKE_NOT_ALLOWED,
    REVOKE_OUT_OF_SCOPE,
    REVOKE_REASON_REQUIRED,
    certificate_issue_if_complete,
    certificate_revoke,
    certificates_check_after_activity,
    program_assign,
)
from quizzes.models.certification import Certificate, ProgramAssignment
from quizzes.services import attempt_save_answers, attempt_start, attempt_submit
from tests.builders import (
    complete_lesson,
    do_everything,
    graded_attempt,
    make_certificate,
    make_cohort,
    make_program,
    make_trainee,
    practice_attempt,
)
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def test_nothing_is_issued_while_requirements_remain(trainee):
    program = make_program()
    complete_lesson(trainee, program.required_lessons.first())
    assert certificate_issue_if_complete(user=trainee, program=program) is None
    assert Certificate.objects.count() == 0


def test_complete_program_issues_one_certificate_with_its_facts(trainee):
    program = make_program(validity_months=24)
    do_everything(trainee, program, at=timezone.now() - DAY)
    now = timezone.now()
    certificate = certificate_issue_if_complete(user=trainee, program=program, now=now)
    assert certificate is not None
    assert certificate.holder_name == "Tara Trainee"
    assert certificate.cycle == 1
    assert certificate.issued_at == now
    assert certificate.expires_at.date() == now.replace(year=now.year + 2).date()
    assert len(certificate.code) == 20
    assert [score["percent"] for score in certificate.quiz_scores] == [90.0, 90.0]
    event = AuditEvent.objects.get(action=AuditEvent.Action.CERTIFICATE_ISSUED)
    assert event.target_id == str(certificate.pk)
    assert event.details["code"] == certificate.display_code


def test_issue_twice_issues_once(trainee):
    program = make_program()
    do_everything(trainee, program, at=timezone.now() - DAY)
    first = certificate_issue_if_complete(user=trainee, program=program)
    second = certificate_issue_if_complete(user=trainee, program=program)
    assert first is not None
    assert second is None
    assert Certificate.objects.filter(user=trainee).count() == 1


def test_program_without_expiry_issues_certificate_without_expiry(trainee):
    program = make_program(validity_months=None)
    do_everything(trainee, program, at=timezone.now() - DAY)
    assert certificate_issue_if_complete(user=trainee, program=program).expires_at is None


def test_draft_program_issues_nothing(trainee):
    program = make_program(status="draft")
    do_everything(trainee, program, at=timezone.now() - DAY)
    assert certificate_issue_if_complete(user=trainee, program=program) is None


def test_practice_and_failed_attempts_do_not_count(trainee):
    program = make_program(lessons=0, quizzes=1)
    quiz = program.required_quizzes.get()
    practice_attempt(trainee, quiz)
    graded_attempt(trainee, quiz, passed=False)
    assert certificates_check_after_activity(user=trainee, quiz=quiz) == []


def test_holder_name_is_kept_as_it_was(trainee):
    program = make_program()
    do_everything(trainee, program, at=timezone.now() - DAY)
    certificate = certificate_issue_if_complete(user=trainee, program=program)
    trainee.first_name = "Renamed"
    trainee.save()
    certificate.refresh_from_db()
    assert certificate.holder_name == "Tara Trainee"


def test_last_lesson_completion_issues_the_certificate_in_its_transaction(trainee):
    program = make_program(lessons=2, quizzes=1)
    first, last = program.required_lessons.order_by("order")
    complete_lesson(trainee, first)
    graded_attempt(trainee, program.required_quizzes.get())
    lesson_complete(user=trainee, lesson=last)
    assert Certificate.objects.filter(user=trainee, program=program).count() == 1


def test_passing_the_last_quiz_through_the_quiz_engine_issues_the_certificate(trainee):
    program = make_program(lessons=1, quizzes=1)
    complete_lesson(trainee, program.required_lessons.get())
    attempt = attempt_start(user=trainee, quiz=program.required_quizzes.get())
    answers = {
        q["id"]: [c["id"] for c in q["choices"] if c["is_correct"]]
        for q in attempt.paper["questions"]
    }
    attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence)
    attempt.refresh_from_db()
    attempt_submit(attempt=attempt)
    assert attempt.passed is True
    certificate = Certificate.objects.get(user=trainee, program=program)
    assert certificate.quiz_scores[0]["percent"] == 100.0


def test_failing_the_last_quiz_through_the_quiz_engine_issues_nothing(trainee):
    program = make_program(lessons=0, quizzes=1)
    attempt = attempt_start(user=trainee, quiz=program.required_quizzes.get())
    attempt_submit(attempt=attempt)
    assert attempt.passed is False
    assert not Certificate.objects.exists()


# Renewal


def test_certified_trainee_is_not_recertified_early(trainee):
    program = make_program(validity_months=24)
    now = timezone.now()
    make_certificate(trainee, program, issued_at=now - 100 * DAY, expires_at=now + 600 * DAY)
    do_everything(trainee, program, at=now - DAY)
    assert certificate_issue_if_complete(user=trainee, program=program, now=now) is None


def test_renewal_needs_quizzes_passed_again_after_the_certificate(trainee):
    program = make_program(validity_months=24)
    now = timezone.now()
    do_everything(trainee, program, at=now - 800 * DAY)
    old = make_certificate(trainee, program, issued_at=now - 730 * DAY, expires_at=now + 10 * DAY)
    assert certificate_issue_if_complete(user=trainee, program=program, now=now) is None
    for quiz in program.required_quizzes.all():
        graded_attempt(trainee, quiz, at=now - DAY, percent=85.0)
    renewed = certificate_issue_if_complete(user=trainee, program=program, now=now)
    assert renewed.cycle == 2
    assert renewed.code != old.code
    assert [score["percent"] for score in renewed.quiz_scores] == [85.0, 85.0]
    old.refresh_from_db()
    assert old.revoked_at is None  # the old one stays in history with its dates


def test_renewal_after_expiry_requires_changed_lessons_reread(trainee):
    program = make_program(validity_months=12)
    now = timezone.now()
    do_everything(trainee, program, at=now - 500 * DAY)
    make_certificate(trainee, program, issued_at=now - 400 * DAY, expires_at=now - 35 * DAY)
    changed = program.required_lessons.order_by("order").first()
    changed.content_changed_at = now - 100 * DAY
    changed.save(update_fields=["content_changed_at"])
    for quiz in program.required_quizzes.all():
        graded_attempt(trainee, quiz, at=now - DAY)
    assert certificate_issue_if_complete(user=trainee, program=program, now=now) is None
    complete_lesson(trainee, changed, at=now - DAY)
    assert certificate_issue_if_complete(user=trainee, program=program, now=now).cycle == 2


# Concurrency


@pytest.mark.django_db(transaction=True)
def test_concurrent_completions_issue_one_certificate():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the race needs PostgreSQL.")
    trainee = make_trainee(username="racer")
    program = make_program()
    do_everything(trainee, program, at=timezone.now() - DAY)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def complete():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(certificate_issue_if_complete(user=trainee, program=program))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=complete) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len([r for r in results if r is not None]) == 1
    assert Certificate.objects.filter(user=trainee, program=program).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_last_quizzes_passed_at_once_still_issue_the_certificate():
    """Each request alone sees only its own pass; the per-trainee lock makes the second see both."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the race needs PostgreSQL.")
    trainee = make_trainee(username="racer")
    program = make_program(lessons=1, quizzes=2)
    complete_lesson(trainee, program.required_lessons.get(), at=timezone.now() - DAY)
    barrier = threading.Barrier(2)
    errors = []

    def pass_quiz(quiz):
        from django.db import connection as thread_connection

        try:
            with transaction.atomic():
                graded_attempt(trainee, quiz)
                barrier.wait()  # both passes are written before either checks
                certificates_check_after_activity(user=trainee, quiz=quiz)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=pass_quiz, args=(q,)) for q in program.required_quizzes.all()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Certificate.objects.filter(user=trainee, program=program).count() == 1


# Revocation


def _revoker(user):
    user.user_permissions.add(Permission.objects.get(codename="revoke_certificate"))
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


def test_revoke_records_who_why_and_audits(trainee, manager):
    program = make_program()
    certificate = make_certificate(trainee, program, issued_at=timezone.now())
    make_cohort(managers=[manager], trainees=[trainee])
    certificate_revoke(certificate=certificate, by=manager, reason="  Issued in error.  ")
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert certificate.revoked_by == manager
    assert certificate.revoke_reason == "Issued in error."
    event = AuditEvent.objects.get(action=AuditEvent.Action.CERTIFICATE_REVOKED)
    assert event.actor == manager
    assert event.details["reason"] == "Issued in error."


def test_revoke_needs_the_permission(trainee, other_trainee):
    certificate = make_certificate(trainee, make_program(), issued_at=timezone.now())
    with pytest.raises(PermissionDenied, match=REVOKE_NOT_ALLOWED):
        certificate_revoke(certificate=certificate, by=other_trainee, reason="No.")
    assert Certificate.objects.get().revoked_at is None


def test_manager_and_educator_roles_hold_the_revoke_permission(manager, educator, trainee):
    assert manager.has_perm("quizzes.revoke_certificate") is True
    assert educator.has_perm("quizzes.revoke_certificate") is True
    assert trainee.has_perm("quizzes.revoke_certificate") is False


def test_manager_revokes_only_in_their_cohorts(trainee, manager, other_manager):
    certificate = make_certificate(trainee, make_program(), issued_at=timezone.now())
    make_cohort(managers=[manager], trainees=[trainee])
    make_cohort(managers=[other_manager])
    with pytest.raises(PermissionDenied, match=REVOKE_OUT_OF_SCOPE):
        certificate_revoke(certificate=certificate, by=other_manager, reason="Not mine.")
    assert Certificate.objects.get().revoked_at is None


def test_educator_revokes_any_certificate(trainee, educator):
    certificate = make_certificate(trainee, make_program(), issued_at=timezone.now())
    certificate_revoke(certificate=certificate, by=educator, reason="Exam irregularity.")
    assert Certificate.objects.get().revoked_by == educator


def test_a_permission_without_a_role_reaches_no_certificate(trainee, other_trainee):
    certificate = make_certificate(trainee, make_program(), issued_at=timezone.now())
    holder = _revoker(other_trainee)
    with pytest.raises(PermissionDenied, match=REVOKE_OUT_OF_SCOPE):
        certificate_revoke(certificate=certificate, by=holder, reason="No.")


def test_revoke_needs_a_reason(trainee, superuser):
    certificate = make_certificate(trainee, make_program(), issued_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        certificate_revoke(certificate=certificate, by=superuser, reason="   ")
    assert error.value.messages == [REVOKE_REASON_REQUIRED]


def test_revoke_twice_is_refused(trainee, superuser):
    certificate = make_certificate(trainee, make_program(), issued_at=timezone.now())
    certificate_revoke(certificate=certificate, by=superuser, reason="Error.")
    with pytest.raises(ValidationError) as error:
        certificate_revoke(certificate=certificate, by=superuser, reason="Again.")
    assert error.value.messages == [CERTIFICATE_ALREADY_REVOKED]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CERTIFICATE_REVOKED).count() == 1


# Assignment


def test_assign_creates_then_changes_the_due_date(trainee, manager):
    program = make_program()
    due = timezone.localdate() + 30 * DAY
    assignment, created = program_assign(user=trainee, program=program, due_date=due, by=manager)
    assert created is True
    assert assignment.assigned_by == manager
    later = due + 10 * DAY
    assignment, created = program_assign(user=trainee, program=program, due_date=later, by=manager)
    assert created is False
    assert ProgramAssignment.objects.get().due_date == later


def test_assign_draft_program_is_refused(trainee, manager):
    program = make_program(status="draft")
    with pytest.raises(ValidationError) as error:
        program_assign(user=trainee, program=program, due_date=None, by=manager)
    assert error.value.messages == [PROGRAM_NOT_PUBLISHED]
