"""Learning records from the site's own services, sent on commit and read back from the LRS."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks_db.models import DBTaskResult

from lessons.services import lesson_complete
from quizzes.certification.services import certificate_issue_if_complete
from quizzes.certification.signals import certificate_issued
from quizzes.models import Certificate
from quizzes.observations.services import observation_acknowledge
from quizzes.services import attempt_save_answers, attempt_start, attempt_submit
from quizzes.xapi import statements
from quizzes.xapi.tasks import RETRY_QUEUED, SENT, statement_send
from tests.builders import (
    complete_lesson,
    make_certificate,
    make_certificate_in_the_same_slot,
    make_checklist,
    make_lesson,
    make_program,
    make_quiz,
    observe,
)
from tests.xapi.conftest import free_port

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def enqueued():
    """The statements queued (every backend sends task_enqueued)."""
    found = []

    def record(sender, task_result, **kwargs):
        if task_result.task.name == statement_send.name:
            found.append(task_result.args[0])

    task_enqueued.connect(record, dispatch_uid="xapi-test-enqueued")
    yield found
    task_enqueued.disconnect(dispatch_uid="xapi-test-enqueued")


def _passing_answers(attempt):
    return {
        q["id"]: [c["id"] for c in q["choices"] if c["is_correct"]]
        for q in attempt.paper["questions"]
    }


def _submit(trainee, quiz, *, correct=True):
    attempt = attempt_start(user=trainee, quiz=quiz)
    if correct:
        attempt_save_answers(
            attempt=attempt, answers=_passing_answers(attempt), sequence=attempt.sequence
        )
        attempt.refresh_from_db()
    return attempt_submit(attempt=attempt)


def test_lesson_completion_reaches_the_lrs(
    xapi_site, lrs, trainee, django_capture_on_commit_callbacks
):
    lesson = make_lesson(title="Applying pressure")
    with django_capture_on_commit_callbacks(execute=True):
        completion = lesson_complete(user=trainee, lesson=lesson).completion
    iri = f"{xapi_site.XAPI_HOMEPAGE}lessons/{lesson.slug}/"
    (stored,) = lrs.statements_about(iri)
    assert stored["verb"]["id"] == statements.VERB_COMPLETED
    assert stored["object"]["definition"]["name"] == {"en-US": "Applying pressure"}
    assert stored["actor"]["account"] == {
        "homePage": xapi_site.XAPI_HOMEPAGE,
        "name": statements.account_name(
            statements.person_key(user_id=trainee.pk, joined=trainee.date_joined)
        ),
    }
    assert stored["result"] == {"completion": True}
    assert stored["timestamp"].startswith(completion.completed_at.isoformat()[:19])


def test_attempt_submitted_reaches_the_lrs_with_score_success_and_duration(
    xapi_site, lrs, trainee, django_capture_on_commit_callbacks
):
    program = make_program(lessons=0, quizzes=1)
    quiz = program.required_quizzes.get()
    with django_capture_on_commit_callbacks(execute=True):
        attempt = _submit(trainee, quiz, correct=False)
    assert attempt.passed is False
    (stored,) = lrs.statements_about(f"{xapi_site.XAPI_HOMEPAGE}quizzes/{quiz.slug}/")
    assert stored["verb"]["id"] == statements.VERB_FAILED
    assert stored["result"]["success"] is False
    assert stored["result"]["completion"] is True
    assert stored["result"]["score"]["raw"] == 0
    assert stored["result"]["duration"].startswith("PT")
    assert stored["context"]["registration"] == str(attempt.uuid)


def test_passing_the_last_quiz_records_the_attempt_and_the_certificate(
    xapi_site, lrs, trainee, django_capture_on_commit_callbacks
):
    program = make_program(lessons=1, quizzes=1)
    complete_lesson(trainee, program.required_lessons.get())
    quiz = program.required_quizzes.get()
    with django_capture_on_commit_callbacks(execute=True):
        attempt = _submit(trainee, quiz)
    certificate = trainee.certificates.get()
    home = xapi_site.XAPI_HOMEPAGE
    (graded,) = lrs.statements_about(f"{home}quizzes/{quiz.slug}/")
    assert graded["verb"]["id"] == statements.VERB_PASSED
    assert graded["result"]["score"]["scaled"] == 1
    assert graded["result"]["success"] is True
    (certified,) = lrs.statements_about(f"{home}certificates/programs/{program.slug}/")
    assert certified["verb"]["id"] == f"{home}xapi/verbs/certified"
    assert certified["id"] == statements.statement_id(
        home, statements.KIND_CERTIFICATE_ISSUED, certificate.code
    )
    extensions = certified["context"]["extensions"]
    assert extensions[f"{home}xapi/extensions/certificate"] == (
        f"{home}certificates/verify/{certificate.display_code}/"
    )
    assert attempt.passed is True


def test_a_fresh_databases_certificate_of_the_same_pk_is_a_statement_of_its_own(
    xapi_site, lrs, trainee, django_capture_on_commit_callbacks
):
    program = make_program(lessons=0, quizzes=0)
    first = make_certificate(trainee, program, issued_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        certificate_issued.send(sender=Certificate, certificate=first)
    first_code = first.display_code
    second = make_certificate_in_the_same_slot(first)
    with django_capture_on_commit_callbacks(execute=True):
        certificate_issued.send(sender=Certificate, certificate=second)
        certificate_issued.send(sender=Certificate, certificate=second)  # the same event again
    home = xapi_site.XAPI_HOMEPAGE
    stored = lrs.statements_about(f"{home}certificates/programs/{program.slug}/")
    assert len({statement["id"] for statement in stored}) == len(stored) == 2
    assert sorted(
        s["context"]["extensions"][f"{home}xapi/extensions/certificate"] for s in stored
    ) == (
        sorted(f"{home}certificates/verify/{code}/" for code in (first_code, second.display_code))
    )


def test_competent_observation_acknowledged_reaches_the_lrs(
    xapi_site, lrs, trainee, assessor, django_capture_on_commit_callbacks
):
    checklist = make_checklist(slug="pressure-practice")
    observation = observe(trainee, checklist, assessor=assessor, acknowledged=False)
    with django_capture_on_commit_callbacks(execute=True):
        observation_acknowledge(trainee=trainee, observation=observation)
    iri = f"{xapi_site.XAPI_HOMEPAGE}xapi/activities/checklist/pressure-practice"
    (stored,) = lrs.statements_about(iri)
    assert stored["verb"]["id"] == statements.VERB_PASSED
    assert stored["result"] == {"completion": True, "success": True}
    assert stored["context"]["instructor"]["account"]["name"] == (
        statements.account_name(
            statements.person_key(user_id=assessor.pk, joined=assessor.date_joined)
        )
    )


def test_not_yet_competent_acknowledged_is_no_record(
    xapi_site, trainee, assessor, enqueued, django_capture_on_commit_callbacks
):
    observation = observe(
        trainee, make_checklist(), assessor=assessor, competent=False, acknowledged=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        observation_acknowledge(trainee=trainee, observation=observation)
    assert enqueued == []


def test_redelivering_the_same_event_stores_one_statement(
    xapi_site, lrs, trainee, enqueued, django_capture_on_commit_callbacks
):
    program = make_program(lessons=1, quizzes=0)
    lesson = program.required_lessons.get()
    with django_capture_on_commit_callbacks(execute=True):
        lesson_complete(user=trainee, lesson=lesson)  # the last step: the certificate too
    assert trainee.certificates.count() == 1
    (lesson_statement, certificate_statement) = enqueued
    # Issuing again finds the certificate issued: no new event, nothing queued.
    with django_capture_on_commit_callbacks(execute=True):
        assert certificate_issue_if_complete(user=trainee, program=program) is None
    assert len(enqueued) == 2
    # The job run again (a recovered worker, a replay): the LRS keeps one of each.
    for statement in (lesson_statement, certificate_statement):
        assert statement_send.enqueue(statement).status == TaskResultStatus.SUCCESSFUL
    home = xapi_site.XAPI_HOMEPAGE
    assert len(lrs.statements_about(f"{home}lessons/{lesson.slug}/")) == 1
    assert len(lrs.statements_about(f"{home}certificates/programs/{program.slug}/")) == 1


def test_unset_endpoint_enqueues_nothing(
    settings, trainee, enqueued, django_capture_on_commit_callbacks
):
    settings.XAPI_ENDPOINT = ""
    program = make_program(lessons=1, quizzes=1)
    complete_lesson(trainee, program.required_lessons.get())
    with django_capture_on_commit_callbacks(execute=True):
        lesson_complete(user=trainee, lesson=make_lesson())
        _submit(trainee, program.required_quizzes.get())
    assert trainee.certificates.count() == 1
    assert enqueued == []


def test_a_rolled_back_change_sends_nothing(
    xapi_site, trainee, enqueued, django_capture_on_commit_callbacks
):
    lesson = make_lesson()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            lesson_complete(user=trainee, lesson=lesson)
            raise RuntimeError("the page failed after the completion")
    assert enqueued == []
    assert not trainee.lesson_completions.exists()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_lrs_down_loses_nothing_the_job_queues_its_next_try(xapi_site, lrs, trainee):
    xapi_site.XAPI_ENDPOINT = f"http://127.0.0.1:{free_port()}/xAPI/"  # nothing listens
    lesson = make_lesson()
    lesson_complete(user=trainee, lesson=lesson)  # committed: the job is queued
    (job,) = DBTaskResult.objects.all()
    assert job.status == TaskResultStatus.READY
    _worker()
    job.refresh_from_db()
    assert (job.status, job.return_value) == (TaskResultStatus.SUCCESSFUL, RETRY_QUEUED)
    assert trainee.lesson_completions.count() == 1  # the trainee's change stands
    retry = DBTaskResult.objects.exclude(pk=job.pk).get()
    assert retry.status == TaskResultStatus.READY
    assert retry.args_kwargs == {"args": job.args_kwargs["args"], "kwargs": {"attempt": 2}}
    _worker()  # not due yet: the worker leaves it
    retry.refresh_from_db()
    assert retry.status == TaskResultStatus.READY

    # The LRS is back and the back-off has passed: the kept statement is sent as it was built.
    xapi_site.XAPI_ENDPOINT = lrs.endpoint
    with time_machine.travel(retry.run_after + timedelta(seconds=1), tick=False):
        _worker()
    retry.refresh_from_db()
    assert (retry.status, retry.return_value) == (TaskResultStatus.SUCCESSFUL, SENT)
    (statement,) = retry.args_kwargs["args"]
    stored = lrs.statement(statement["id"])
    assert stored["object"]["id"] == f"{xapi_site.XAPI_HOMEPAGE}lessons/{lesson.slug}/"


def _worker() -> None:
    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, verbosity=0, stdout=StringIO()
    )


def _queries(action) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def test_building_the_statements_adds_no_query(settings, trainee, assessor):
    """The receivers read only what the sender already holds (statements are queued on commit,
    which the test transaction never reaches)."""
    # Outside any program, so neither run issues a certificate.
    first_lesson, second_lesson = make_lesson(), make_lesson()
    first_quiz, second_quiz = make_quiz(questions=1, slug="q1"), make_quiz(questions=1, slug="q2")
    first_obs, second_obs = (
        observe(trainee, make_checklist(slug=f"c{i}"), assessor=assessor, acknowledged=False)
        for i in (1, 2)
    )
    settings.XAPI_ENDPOINT = ""
    off = [
        _queries(lambda: lesson_complete(user=trainee, lesson=first_lesson)),
        _queries(lambda: _submit(trainee, first_quiz)),
        _queries(lambda: observation_acknowledge(trainee=trainee, observation=first_obs)),
    ]
    settings.XAPI_ENDPOINT = "http://127.0.0.1:9/xAPI/"
    on = [
        _queries(lambda: lesson_complete(user=trainee, lesson=second_lesson)),
        _queries(lambda: _submit(trainee, second_quiz)),
        _queries(lambda: observation_acknowledge(trainee=trainee, observation=second_obs)),
    ]
    assert on == off
