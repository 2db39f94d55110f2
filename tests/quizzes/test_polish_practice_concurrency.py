"""Two "Review my mistakes" clicks at the same moment open one practice round (PostgreSQL)."""

import pytest
from django.db import connection

from quizzes import services
from quizzes.models import Attempt
from tests.quizzes.builders import make_quiz, wrong_ids
from tests.quizzes.test_concurrency import _race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    ),
]


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
