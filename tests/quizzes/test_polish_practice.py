"""Review my mistakes: a second click resumes the open round from the same source."""

import pytest
from django.urls import reverse

from quizzes.models import Attempt
from quizzes.services import (
    attempt_save_answers,
    attempt_start,
    attempt_submit,
    practice_start_from_mistakes,
)
from tests.quizzes.builders import make_quiz, wrong_ids

pytestmark = pytest.mark.django_db


def failed_attempt(user, quiz):
    """A submitted graded attempt with every question answered wrongly."""
    attempt = attempt_start(user=user, quiz=quiz)
    answers = {q["id"]: wrong_ids(q) for q in attempt.paper["questions"]}
    attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence)
    return attempt_submit(attempt=attempt)


def practise(client, quiz, source=None):
    data = {"source": str(source.uuid)} if source else {}
    response = client.post(reverse("quizzes:practice", args=[quiz.slug]), data)
    assert response.status_code == 302
    return response.url


def test_second_click_resumes_the_open_round_from_the_same_attempt(trainee, trainee_client):
    quiz = make_quiz(2)
    source = failed_attempt(trainee, quiz)

    first = practise(trainee_client, quiz, source)
    second = practise(trainee_client, quiz, source)

    rounds = Attempt.objects.filter(kind=Attempt.Kind.PRACTICE)
    assert rounds.count() == 1
    assert first == second == reverse("quizzes:attempt", args=[rounds.get().uuid])


def test_a_submitted_round_does_not_block_a_new_one(trainee):
    quiz = make_quiz(2)
    source = failed_attempt(trainee, quiz)
    first = practice_start_from_mistakes(user=trainee, quiz=quiz, source=source)
    attempt_submit(attempt=first)

    second = practice_start_from_mistakes(user=trainee, quiz=quiz, source=source)

    assert second.pk != first.pk
    assert second.is_open is True


def test_rounds_from_different_sources_are_separate(trainee):
    quiz = make_quiz(2)
    older = failed_attempt(trainee, quiz)
    newer = failed_attempt(trainee, quiz)

    from_older = practice_start_from_mistakes(user=trainee, quiz=quiz, source=older)
    from_newer = practice_start_from_mistakes(user=trainee, quiz=quiz, source=newer)
    from_history = practice_start_from_mistakes(user=trainee, quiz=quiz)
    history_again = practice_start_from_mistakes(user=trainee, quiz=quiz)

    assert len({from_older.pk, from_newer.pk, from_history.pk}) == 3
    assert history_again.pk == from_history.pk
    assert from_history.source_attempt_id is None


def test_another_trainees_open_round_is_not_resumed(trainee, other_trainee):
    quiz = make_quiz(1)
    failed_attempt(trainee, quiz)
    failed_attempt(other_trainee, quiz)
    mine = practice_start_from_mistakes(user=trainee, quiz=quiz)
    theirs = practice_start_from_mistakes(user=other_trainee, quiz=quiz)
    assert theirs.pk != mine.pk
    assert theirs.user == other_trainee
