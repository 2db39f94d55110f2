"""Concurrency on PostgreSQL: real threads, each with its own connection, through the views.

Every thread is a signed-in browser (Django's test client) whose request is
handled in that thread on its own database connection, released together
by a barrier. tests/quizzes/test_concurrency.py and
tests/certification/test_services.py race the services two or four at a
time; these proofs use the numbers of issue 9 and the real request path.
"""

import os
import threading

import pytest
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lessons.models import LessonCompletion
from quizzes import services
from quizzes.models import Attempt, AttemptAnswer
from quizzes.models.certification import Certificate
from tests.builders import (
    correct_ids,
    make_assessor,
    make_checklist,
    make_program,
    make_quiz,
    make_trainee,
    observe,
)
from trainingsite.models import AuditEvent
from trainingsite.roles import Role

pytestmark = [
    pytest.mark.serial,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs concurrent connections and row locks: runs on the PostgreSQL leg",
    ),
]

# PostgreSQL allows 100 connections here; requests beyond this many wait for a
# free one, as they would behind a pool of web workers.
MAX_CONNECTIONS = int(os.environ.get("HARDENING_PG_CONNECTIONS", "40"))


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _crowd(count: int, quiz) -> list[tuple[Client, Attempt]]:
    """`count` signed-in trainees, each with an open attempt, made in bulk (quick set-up)."""
    hashed = make_password("crowd-password")
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"crowd{i:03d}", password=hashed) for i in range(count)
    )
    Group.objects.get(name=Role.TRAINEE).user_set.add(*users)
    now = timezone.now()
    attempts = Attempt.objects.bulk_create(
        Attempt(user=user, quiz=quiz, paper=services.quiz_paper_build(quiz=quiz), started_at=now)
        for user in users
    )
    AttemptAnswer.objects.bulk_create(
        AttemptAnswer(attempt=attempt, question_id=q["id"], selected=[])
        for attempt in attempts
        for q in attempt.paper["questions"]
    )
    crowd = []
    for user, attempt in zip(users, attempts, strict=True):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        crowd.append((client, attempt))
    return crowd


def _all_at_once(calls: list, max_connections: int = MAX_CONNECTIONS) -> tuple[list, list]:
    """Run each call in its own thread, released together; return (results, errors)."""
    barrier = threading.Barrier(len(calls))
    pool = threading.BoundedSemaphore(max_connections)
    results, errors = [None] * len(calls), []

    def run(index, call):
        try:
            barrier.wait()
            with pool:
                try:
                    results[index] = call()
                finally:
                    connections.close_all()
        except Exception as error:  # noqa: BLE001 - reported to the test
            errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results, errors


def _submit(client: Client, attempt: Attempt, data=None):
    url = reverse("quizzes:submit", kwargs={"uuid": attempt.uuid})
    return lambda: client.post(url, {"confirm": "1", **(data or {})})


def _closing_events(attempt: Attempt) -> int:
    return AuditEvent.objects.filter(
        target_type="quizzes.attempt",
        target_id=str(attempt.pk),
        action__in=[AuditEvent.Action.ATTEMPT_SUBMITTED, AuditEvent.Action.ATTEMPT_EXPIRED],
    ).count()


def test_fifty_simultaneous_submissions_of_one_attempt_score_once(trainee):
    quiz = make_quiz(3)
    attempt = services.attempt_start(user=trainee, quiz=quiz)
    answers = {q["id"]: correct_ids(q) for q in attempt.paper["questions"][:2]}
    services.attempt_save_answers(attempt=attempt, answers=answers, sequence=0)
    clients = [_signed_in(trainee) for _ in range(50)]

    responses, errors = _all_at_once(
        [_submit(client, attempt) for client in clients], max_connections=50
    )

    assert errors == []
    result_url = reverse("quizzes:result", kwargs={"uuid": attempt.uuid})
    assert [(r.status_code, r["Location"]) for r in responses] == [(302, result_url)] * 50
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    assert (attempt.points, attempt.max_points) == (2.0, 3.0)
    assert _closing_events(attempt) == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT_SUBMITTED).count() == 1
    assert Attempt.objects.filter(user=trainee, quiz=quiz).count() == 1


def test_two_hundred_trainees_submitting_at_once_lose_none():
    quiz = make_quiz(4)
    crowd = _crowd(200, quiz)
    attempts = [attempt for _client, attempt in crowd]
    question_ids = [q["id"] for q in attempts[0].paper["questions"]]

    def positions(i: int) -> dict[int, int]:
        """Trainee i's own answers: a different pattern of choice positions per trainee."""
        return {q: (i + j) % 3 for j, q in enumerate(question_ids) if (i + j) % 5}

    calls = []
    for i, (client, attempt) in enumerate(crowd):
        fields = {"answers": "1", "sequence": "0"}
        fields |= {f"q-{q}": str(p) for q, p in positions(i).items()}
        calls.append(_submit(client, attempt, fields))

    responses, errors = _all_at_once(calls)

    assert errors == []
    assert [r.status_code for r in responses] == [302] * 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT_SUBMITTED).count() == 200
    stored = {
        (a, q): selected
        for a, q, selected in AttemptAnswer.objects.values_list(
            "attempt_id", "question_id", "selected"
        )
    }
    for i, attempt in enumerate(attempts):
        attempt.refresh_from_db()
        assert attempt.state == Attempt.State.SUBMITTED, attempt.user.username
        assert attempt.sequence == 1
        choices = {q["id"]: [c["id"] for c in q["choices"]] for q in attempt.paper["questions"]}
        mine = positions(i)
        for q in question_ids:
            wanted = [choices[q][mine[q]]] if q in mine else []
            assert stored[(attempt.pk, q)] == wanted, (attempt.user.username, q)
        # Position 0 is the right answer (builders' order, no shuffling).
        assert attempt.points == sum(1 for p in mine.values() if p == 0)
        assert _closing_events(attempt) == 1


def _lesson_complete(client: Client, lesson):
    url = reverse("lessons:complete", kwargs={"slug": lesson.slug})
    return lambda: client.post(url)


def _ready_to_pass(trainee, quiz) -> Attempt:
    attempt = services.attempt_start(user=trainee, quiz=quiz)
    answers = {q["id"]: correct_ids(q) for q in attempt.paper["questions"]}
    services.attempt_save_answers(attempt=attempt, answers=answers, sequence=0)
    return attempt


RACERS = 10


def test_lesson_completion_racing_the_last_quiz_pass_issues_one_certificate():
    program = make_program(lessons=1, quizzes=1)
    lesson, quiz = program.required_lessons.get(), program.required_quizzes.get()
    trainees = [make_trainee(username=f"racer{i:02d}") for i in range(RACERS)]
    calls = []
    for trainee in trainees:
        attempt = _ready_to_pass(trainee, quiz)
        calls.append(_lesson_complete(_signed_in(trainee), lesson))
        calls.append(_submit(_signed_in(trainee), attempt))

    responses, errors = _all_at_once(calls)

    assert errors == []
    assert [r.status_code for r in responses] == [302] * (2 * RACERS)
    assert LessonCompletion.objects.filter(lesson=lesson).count() == RACERS
    assert Attempt.objects.filter(quiz=quiz, passed=True).count() == RACERS
    for trainee in trainees:
        assert Certificate.objects.filter(user=trainee, program=program).count() == 1, trainee
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CERTIFICATE_ISSUED).count() == RACERS


def test_two_last_quiz_passes_at_once_issue_one_certificate():
    program = make_program(lessons=0, quizzes=2)
    first, second = program.required_quizzes.order_by("order")
    trainees = [make_trainee(username=f"racer{i:02d}") for i in range(RACERS)]
    calls = []
    for trainee in trainees:
        calls.append(_submit(_signed_in(trainee), _ready_to_pass(trainee, first)))
        calls.append(_submit(_signed_in(trainee), _ready_to_pass(trainee, second)))

    responses, errors = _all_at_once(calls)

    assert errors == []
    assert [r.status_code for r in responses] == [302] * (2 * RACERS)
    assert Attempt.objects.filter(passed=True).count() == 2 * RACERS
    for trainee in trainees:
        assert Certificate.objects.filter(user=trainee, program=program).count() == 1, trainee
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CERTIFICATE_ISSUED).count() == RACERS


def test_an_acknowledged_sign_off_racing_the_last_quiz_pass_issues_one_certificate():
    program = make_program(lessons=0, quizzes=1)
    quiz = program.required_quizzes.get()
    checklist = make_checklist(programs=[program])
    assessor = make_assessor(username="watcher")
    trainees = [make_trainee(username=f"racer{i:02d}") for i in range(RACERS)]
    calls = []
    for trainee in trainees:
        observation = observe(trainee, checklist, assessor=assessor, acknowledged=False)
        acknowledge = reverse("observations:acknowledge", kwargs={"pk": observation.pk})
        client = _signed_in(trainee)
        calls.append(lambda client=client, url=acknowledge: client.post(url))
        calls.append(_submit(_signed_in(trainee), _ready_to_pass(trainee, quiz)))

    responses, errors = _all_at_once(calls)

    assert errors == []
    assert [r.status_code for r in responses] == [302] * (2 * RACERS)
    for trainee in trainees:
        assert Certificate.objects.filter(user=trainee, program=program).count() == 1, trainee
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CERTIFICATE_ISSUED).count() == RACERS
