"""Questions held for review: never drawn into new papers; frozen papers keep them."""

import random
from collections import Counter
from datetime import UTC, datetime

import pytest

from quizzes import services
from quizzes.authoring.services import questions_review_set
from quizzes.models import Question
from quizzes.rules import START_HELD_FOR_REVIEW, START_NO_QUESTIONS
from quizzes.selectors import quiz_start_check
from tests.builders import correct_ids, make_quiz

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def keys(paper):
    return {q["key"] for q in paper["questions"]}


def test_a_question_needing_review_is_never_drawn_over_many_papers():
    quiz = make_quiz(questions=12, slug="exam", questions_per_attempt=5, shuffle_questions=True)
    held = list(Question.objects.filter(key__in=["exam-0", "exam-4", "exam-11"]))
    assert questions_review_set(questions=held, needs_review=True) == 3
    rng = random.Random(15)
    drawn = Counter()
    for _ in range(1000):
        paper = services.quiz_paper_build(quiz=quiz, rng=rng)
        assert len(paper["questions"]) == 5
        drawn.update(keys(paper))
    assert not {"exam-0", "exam-4", "exam-11"} & set(drawn)
    # Every one of the nine others is still drawn (each is on 5/9 of the papers).
    assert set(drawn) == {f"exam-{i}" for i in (1, 2, 3, 5, 6, 7, 8, 9, 10)}


def test_clearing_the_mark_puts_the_question_back_into_draws():
    quiz = make_quiz(questions=3, slug="small")
    question = Question.objects.get(key="small-1")
    questions_review_set(questions=[question], needs_review=True)
    assert keys(services.quiz_paper_build(quiz=quiz)) == {"small-0", "small-2"}
    assert questions_review_set(questions=[question], needs_review=False) == 1
    assert keys(services.quiz_paper_build(quiz=quiz)) == {"small-0", "small-1", "small-2"}


def test_marking_twice_changes_nothing_the_second_time():
    make_quiz(questions=2, slug="twice")
    question = Question.objects.get(key="twice-0")
    assert questions_review_set(questions=[question], needs_review=True) == 1
    assert questions_review_set(questions=[question], needs_review=True) == 0


def test_an_attempt_in_progress_keeps_a_question_marked_after_it_started(trainee):
    quiz = make_quiz(questions=3, slug="frozen")
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    questions_review_set(questions=[Question.objects.get(key="frozen-1")], needs_review=True)
    attempt.refresh_from_db()
    assert keys(attempt.paper) == {"frozen-0", "frozen-1", "frozen-2"}
    answers = {q["id"]: correct_ids(q) for q in attempt.paper["questions"]}
    services.attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence)
    submitted = services.attempt_submit(attempt=attempt, now=T0)
    assert submitted.points == 3
    assert submitted.max_points == 3
    # The next attempt is drawn without it.
    assert keys(services.quiz_paper_build(quiz=quiz)) == {"frozen-0", "frozen-2"}


def test_a_paper_left_short_by_review_refuses_the_start_with_a_clear_message(trainee):
    quiz = make_quiz(questions=3, slug="short", questions_per_attempt=3)
    questions_review_set(questions=[Question.objects.get(key="short-2")], needs_review=True)
    assert quiz_start_check(user=trainee, quiz=quiz, now=T0).refusal == START_HELD_FOR_REVIEW
    with pytest.raises(services.AttemptRefused) as refused:
        services.attempt_start(user=trainee, quiz=quiz, now=T0)
    assert refused.value.message == START_HELD_FOR_REVIEW
    questions_review_set(questions=[Question.objects.get(key="short-2")], needs_review=False)
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    assert len(attempt.paper["questions"]) == 3


def test_a_pool_with_spare_questions_still_starts(trainee):
    quiz = make_quiz(questions=4, slug="spare", questions_per_attempt=3)
    questions_review_set(questions=[Question.objects.get(key="spare-0")], needs_review=True)
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    assert keys(attempt.paper) == {"spare-1", "spare-2", "spare-3"}


def test_every_question_held_says_so_rather_than_no_questions(trainee):
    quiz = make_quiz(questions=2, slug="all-held")
    questions_review_set(questions=list(Question.objects.all()), needs_review=True)
    refusal = quiz_start_check(user=trainee, quiz=quiz, now=T0).refusal
    assert refusal == START_HELD_FOR_REVIEW
    assert refusal != START_NO_QUESTIONS
