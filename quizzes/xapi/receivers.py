"""Learning records from other concerns' signals (connected by QuizzesConfig.ready).

Each receiver runs inside the sender's transaction and builds the statement there, from the
event as it happened; the job that sends it is queued on commit, so a rolled-back change
sends nothing and no page waits on the LRS. With XAPI_ENDPOINT unset nothing is queued.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse

from lessons.signals import lesson_completed
from quizzes.certification.signals import certificate_issued
from quizzes.models import Attempt
from quizzes.observations.signals import observation_acknowledged
from quizzes.signals import attempt_graded
from quizzes.xapi import statements
from quizzes.xapi.tasks import statement_send


def _iri(name: str, **kwargs) -> str:
    """The page's address under the site's xAPI home page (its path without the first /)."""
    return settings.XAPI_HOMEPAGE + reverse(name, kwargs=kwargs).lstrip("/")


def _person(user) -> str:
    """The person's key in statements (their id and join moment, statements.person_key)."""
    return statements.person_key(user_id=user.pk, joined=user.date_joined)


def statement_enqueue(statement: dict) -> None:
    """Queue the statement's job once the current transaction commits."""
    transaction.on_commit(lambda: statement_send.enqueue(statement))


@receiver(lesson_completed, dispatch_uid="xapi_lesson_completed")
def xapi_lesson_completed(sender, *, user, lesson, now, **kwargs) -> None:
    if not settings.XAPI_ENDPOINT:
        return
    statement_enqueue(
        statements.lesson_completed(
            homepage=settings.XAPI_HOMEPAGE,
            person=_person(user),
            lesson_slug=lesson.slug,
            lesson_iri=_iri("lessons:detail", slug=lesson.slug),
            lesson_title=lesson.title,
            completed_at=now,
        )
    )


@receiver(attempt_graded, dispatch_uid="xapi_attempt_graded")
def xapi_attempt_graded(sender, *, attempt: Attempt, **kwargs) -> None:
    if not settings.XAPI_ENDPOINT:
        return
    quiz = attempt.quiz
    statement_enqueue(
        statements.attempt_submitted(
            homepage=settings.XAPI_HOMEPAGE,
            person=_person(attempt.user),
            attempt_uuid=str(attempt.uuid),
            quiz_iri=_iri("quizzes:detail", slug=quiz.slug),
            quiz_title=quiz.title,
            started_at=attempt.started_at,
            submitted_at=attempt.submitted_at or attempt.started_at,
            points=attempt.points,
            max_points=attempt.max_points,
            passed=attempt.passed,
        )
    )


@receiver(certificate_issued, dispatch_uid="xapi_certificate_issued")
def xapi_certificate_issued(sender, *, certificate, **kwargs) -> None:
    if not settings.XAPI_ENDPOINT:
        return
    program = certificate.program
    statement_enqueue(
        statements.certificate_issued(
            homepage=settings.XAPI_HOMEPAGE,
            person=_person(certificate.user),
            certificate_code=certificate.code,
            program_iri=_iri("certificates:program", slug=program.slug),
            program_name=program.name,
            verify_iri=_iri("certificates:verify", code=certificate.display_code),
            issued_at=certificate.issued_at,
            expires_at=certificate.expires_at,
        )
    )


@receiver(observation_acknowledged, dispatch_uid="xapi_observation_acknowledged")
def xapi_observation_acknowledged(sender, *, observation, now, **kwargs) -> None:
    # Only a competent outcome is a sign-off; "not yet competent" is feedback, not a record.
    if not settings.XAPI_ENDPOINT or not observation.is_competent:
        return
    checklist = observation.checklist
    statement_enqueue(
        statements.observation_signed_off(
            homepage=settings.XAPI_HOMEPAGE,
            person=_person(observation.trainee),
            observation_id=observation.pk,
            recorded_at=observation.recorded_at,
            checklist_slug=checklist.slug,
            checklist_title=checklist.title,
            # A query unless the sender loaded the assessor (a sign-off is rare).
            assessor=_person(observation.assessor),
            observed_on=observation.observed_on,
            setting=observation.setting,
            acknowledged_at=observation.acknowledged_at or now,
        )
    )
