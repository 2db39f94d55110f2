"""Requests racing on the same attempt or practice round, on real connections (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from quizzes import services
from quizzes.models import Attempt
from tests.builders import make_quiz, wrong_ids
from trainingsite.models import AuditEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    ),
]


def _race(target, times=2):
    barrier = threading.Barrier(times)
    errors = []

    def run():
        try:
            barrier.wait()
            target()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_simultaneous_submissions_score_once(trainee):
    quiz = make_quiz(2)
    attempt = services.attempt_start(user=trainee, quiz=quiz)
    errors = _race(lambda: services.attempt_submit(attempt=Attempt.objects.get(pk=attempt.pk)))
    assert errors == []
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT_SUBMITTED).count() == 1


def test_simultaneous_starts_open_one_attempt(trainee):
    quiz = make_quiz(2)
    errors = _race(lambda: services.attempt_start(user=trainee, quiz=quiz))
    assert errors == []
    assert Attempt.objects.filter(user=trainee, quiz=quiz).count() == 1


def test_simultaneous_practice_clicks_open_one_round(trainee):
    quiz = make_quiz(2)
    attempt = services.attempt_start(user=trainee, quiz=quiz)
    answers = {q["id"]: wrong_ids(q) for q in attempt.paper["questions"]}
    services.attempt_save_answers(attempt=attempt, answers=answers, sequence=0)
    source = services.attempt_submit(attempt=attempt)

    errors = _race(
        lambda: services.practice_start_from_mistakes(user=trainee, quiz=quiz, source=source),
        times=4,
    )

    assert errors == []
    assert Attempt.objects.filter(kind=Attempt.Kind.PRACTICE).count() == 1
