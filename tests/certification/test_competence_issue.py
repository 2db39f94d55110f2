"""A program that requires observed practice and an attestation: the certificate waits for both."""

from datetime import timedelta

from django.utils import timezone

from quizzes.certification.selectors import program_progress
from quizzes.certification.services import certificates_check_after_activity
from quizzes.models import Certificate
from tests.builders import (
    attest,
    do_everything,
    make_assessor,
    make_checklist,
    make_program,
    make_statement,
    observe,
)

DAY = timedelta(days=1)


def _program():
    program = make_program(slug="observed", lessons=1, quizzes=1)
    checklist = make_checklist(programs=[program])
    statement = make_statement(programs=[program])
    return program, checklist, statement


def test_no_certificate_until_observed_practice_is_signed_off(trainee):
    program, checklist, statement = _program()
    do_everything(trainee, program, at=timezone.now() - DAY)
    attest(trainee, statement)
    assert certificates_check_after_activity(user=trainee, statement=statement) == []
    assert program_progress(user=trainee, program=program).progress.awaiting_sign_off is True

    observe(trainee, checklist, acknowledged=False)
    assert certificates_check_after_activity(user=trainee, checklist=checklist) == []
    assert Certificate.objects.count() == 0


def test_the_acknowledged_sign_off_issues_the_certificate_once(trainee):
    program, checklist, statement = _program()
    do_everything(trainee, program, at=timezone.now() - DAY)
    attest(trainee, statement)
    assessor = make_assessor(first_name="Asha", last_name="Assessor")
    observe(trainee, checklist, assessor=assessor)
    issued = certificates_check_after_activity(user=trainee, checklist=checklist)
    assert len(issued) == 1
    assert certificates_check_after_activity(user=trainee, checklist=checklist) == []
    assert Certificate.objects.filter(user=trainee, program=program).count() == 1


def test_the_certificate_records_what_it_certifies(trainee):
    program, checklist, statement = _program()
    do_everything(trainee, program, at=timezone.now() - DAY)
    attestation = attest(trainee, statement)
    assessor = make_assessor(first_name="Asha", last_name="Assessor")
    observation = observe(trainee, checklist, assessor=assessor)
    (certificate,) = certificates_check_after_activity(user=trainee, checklist=checklist)
    lesson = program.required_lessons.get()
    assert [entry["lesson"] for entry in certificate.lessons_completed] == [lesson.slug]
    assert certificate.lessons_completed[0]["completed_at"] is not None
    assert certificate.observations == [
        {
            "checklist": checklist.slug,
            "title": checklist.title,
            "assessor": "Asha Assessor",
            "observed_on": observation.observed_on.isoformat(),
            "setting": "Supervised clinic",
        }
    ]
    assert certificate.attestations == [
        {
            "statement": statement.slug,
            "title": statement.title,
            "version": 1,
            "typed_name": attestation.typed_name,
            "attested_at": attestation.attested_at.isoformat(),
        }
    ]
    assert [score["quiz"] for score in certificate.quiz_scores] == [
        program.required_quizzes.get().slug
    ]


def test_a_certificate_without_competence_requirements_lists_none(trainee):
    program = make_program(slug="plain", lessons=1, quizzes=1)
    do_everything(trainee, program, at=timezone.now() - DAY)
    (certificate,) = certificates_check_after_activity(user=trainee)
    assert certificate.observations == []
    assert certificate.attestations == []
    assert len(certificate.lessons_completed) == 1
