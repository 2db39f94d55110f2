"""Checking one question at a time: lock, try again, exam refused, double checks, scoring."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from quizzes import services as engine
from quizzes.models import Attempt, AttemptAnswer, Bank, Quiz
from quizzes.practice import services
from tests.builders import correct_ids, make_question, make_quiz, wrong_ids
from tests.builders.practice import make_immediate_quiz, mistakes_round

pytestmark = pytest.mark.django_db


def _row(attempt, question):
    return AttemptAnswer.objects.get(attempt=attempt, question_id=question["id"])


def test_check_stores_locks_and_counts_one_try(trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz())
    first = attempt.paper["questions"][0]

    outcome = services.practice_answer_check(
        attempt=attempt, question_id=first["id"], choice_ids=correct_ids(first)
    )

    assert (outcome.is_correct, outcome.tries, outcome.tries_left) == (True, 1, 0)
    assert outcome.repeated is False
    row = _row(attempt, first)
    assert row.selected == correct_ids(first)
    assert row.checked_at is not None and row.tries == 1


def test_checking_the_same_answer_twice_gives_the_same_feedback_and_one_try(trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz())
    first = attempt.paper["questions"][0]
    args = {"attempt": attempt, "question_id": first["id"], "choice_ids": wrong_ids(first)}

    once = services.practice_answer_check(**args)
    twice = services.practice_answer_check(**args)

    assert (once.is_correct, twice.is_correct) == (False, False)
    assert twice.repeated is True
    assert _row(attempt, first).tries == 1


def test_a_checked_answer_is_locked_against_another_answer(trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz())
    first = attempt.paper["questions"][0]
    services.practice_answer_check(
        attempt=attempt, question_id=first["id"], choice_ids=wrong_ids(first)
    )

    with pytest.raises(services.PracticeRefused) as refused:
        services.practice_answer_check(
            attempt=attempt, question_id=first["id"], choice_ids=correct_ids(first)
        )

    assert refused.value.message == services.CHECK_LOCKED
    assert _row(attempt, first).selected == wrong_ids(first)


def test_a_graded_attempt_never_offers_a_second_try(trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz(tries=3))
    first = attempt.paper["questions"][0]
    services.practice_answer_check(
        attempt=attempt, question_id=first["id"], choice_ids=wrong_ids(first)
    )

    with pytest.raises(services.PracticeRefused) as refused:
        services.practice_answer_retry(attempt=attempt, question_id=first["id"])

    assert refused.value.message == services.RETRY_NO_TRIES_LEFT


def test_try_again_in_a_mistakes_round_unlocks_a_wrong_answer_until_the_tries_run_out(trainee):
    practice = mistakes_round(trainee, make_immediate_quiz(tries=2))
    first = practice.paper["questions"][0]
    question_id = first["id"]
    services.practice_answer_check(
        attempt=practice, question_id=question_id, choice_ids=wrong_ids(first)
    )

    services.practice_answer_retry(attempt=practice, question_id=question_id)
    services.practice_answer_retry(attempt=practice, question_id=question_id)  # double click
    assert _row(practice, first).checked_at is None
    second = services.practice_answer_check(
        attempt=practice, question_id=question_id, choice_ids=wrong_ids(first)
    )

    assert (second.tries, second.tries_left, second.repeated) == (2, 0, False)
    with pytest.raises(services.PracticeRefused) as refused:
        services.practice_answer_retry(attempt=practice, question_id=question_id)
    assert refused.value.message == services.RETRY_NO_TRIES_LEFT


def test_a_right_answer_is_not_tried_again(trainee):
    practice = mistakes_round(trainee, make_immediate_quiz(tries=2))
    first = practice.paper["questions"][0]
    services.practice_answer_check(
        attempt=practice, question_id=first["id"], choice_ids=correct_ids(first)
    )

    with pytest.raises(services.PracticeRefused) as refused:
        services.practice_answer_retry(attempt=practice, question_id=first["id"])

    assert refused.value.message == services.RETRY_ALREADY_RIGHT


def test_try_again_before_any_check_is_refused(trainee):
    practice = mistakes_round(trainee, make_immediate_quiz(tries=2))
    with pytest.raises(services.PracticeRefused) as refused:
        services.practice_answer_retry(
            attempt=practice, question_id=practice.paper["questions"][0]["id"]
        )
    assert refused.value.message == services.RETRY_NOT_CHECKED


def test_an_exam_attempt_is_never_checked(trainee):
    exam = make_quiz(
        [make_question(f"exam-{i}", bank=Bank.EXAM) for i in range(2)], slug="exam", bank="exam"
    )
    attempt = engine.attempt_start(user=trainee, quiz=exam)
    first = attempt.paper["questions"][0]

    with pytest.raises(services.PracticeRefused) as refused:
        services.practice_answer_check(
            attempt=attempt, question_id=first["id"], choice_ids=correct_ids(first)
        )

    assert refused.value.message == services.CHECK_NOT_IMMEDIATE
    assert _row(attempt, first).tries == 0


def test_the_database_refuses_an_exam_with_immediate_feedback(trainee):
    quiz = make_quiz(0, slug="exam-db", bank="exam")
    with pytest.raises(IntegrityError):
        Quiz.objects.filter(pk=quiz.pk).update(practice_behaviour="immediate")


def test_a_deferred_practice_quiz_is_not_checked(trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_quiz(2))
    first = attempt.paper["questions"][0]
    with pytest.raises(services.PracticeRefused):
        services.practice_answer_check(
            attempt=attempt, question_id=first["id"], choice_ids=correct_ids(first)
        )


def test_a_deferred_practice_quiz_s_mistakes_round_is_checked_as_you_go(trainee):
    practice = mistakes_round(trainee, make_quiz(2))
    first = practice.paper["questions"][0]

    outcome = services.practice_answer_check(
        attempt=practice, question_id=first["id"], choice_ids=correct_ids(first)
    )

    assert (outcome.is_correct, outcome.tries, outcome.tries_left) == (True, 1, 0)


def test_an_exam_s_mistakes_round_is_checked_as_you_go_on_practice_variants_only(trainee):
    exam = make_quiz(
        [make_question(f"exam-m-{i}", bank=Bank.EXAM, variant_group=f"g{i}") for i in range(2)],
        slug="exam",
        bank="exam",
        feedback_policy="wrong_only",
    )
    variants = {make_question(f"practice-m-{i}", variant_group=f"g{i}").pk for i in range(2)}
    practice = mistakes_round(trainee, exam)
    first = practice.paper["questions"][0]
    assert {q["id"] for q in practice.paper["questions"]} == variants
    assert practice.paper["feedback_policy"] == Quiz.FeedbackPolicy.FULL

    outcome = services.practice_answer_check(
        attempt=practice, question_id=first["id"], choice_ids=wrong_ids(first)
    )

    assert (outcome.is_correct, outcome.tries_left) == (False, 0)
    assert _row(practice, first).checked_at is not None


def test_a_mistakes_round_frozen_without_full_review_is_not_checked(trainee):
    practice = mistakes_round(trainee, make_quiz(2, feedback_policy="wrong_only"))
    first = practice.paper["questions"][0]
    with pytest.raises(services.PracticeRefused) as refused:
        services.practice_answer_check(
            attempt=practice, question_id=first["id"], choice_ids=correct_ids(first)
        )
    assert refused.value.message == services.CHECK_NOT_IMMEDIATE


@pytest.mark.parametrize(
    "choices, message",
    [([], services.CHECK_NOTHING_CHOSEN), ([999_999], engine.SAVE_UNKNOWN_CHOICE)],
)
def test_no_choice_or_a_foreign_choice_is_refused_and_nothing_is_stored(trainee, choices, message):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz())
    first = attempt.paper["questions"][0]
    with pytest.raises(ValidationError) as refused:
        services.practice_answer_check(attempt=attempt, question_id=first["id"], choice_ids=choices)
    assert refused.value.messages == [message]
    assert _row(attempt, first).tries == 0


def test_a_question_not_on_the_paper_is_refused(trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz())
    with pytest.raises(ValidationError):
        services.practice_answer_check(attempt=attempt, question_id=999_999, choice_ids=[1])


def test_a_submitted_attempt_is_not_checked(trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz())
    engine.attempt_submit(attempt=attempt)
    first = attempt.paper["questions"][0]
    with pytest.raises(engine.AttemptClosed):
        services.practice_answer_check(
            attempt=attempt, question_id=first["id"], choice_ids=correct_ids(first)
        )


def test_a_timed_attempt_past_its_deadline_closes_instead_of_checking(trainee):
    quiz = make_immediate_quiz(time_limit_minutes=5)
    attempt = engine.attempt_start(user=trainee, quiz=quiz)
    first = attempt.paper["questions"][0]
    later = timezone.now() + timedelta(minutes=10)
    with pytest.raises(engine.AttemptClosed):
        services.practice_answer_check(
            attempt=attempt, question_id=first["id"], choice_ids=correct_ids(first), now=later
        )
    attempt.refresh_from_db()
    assert attempt.close_reason == Attempt.CloseReason.TIME_LIMIT


def test_finishing_scores_the_checked_answers_as_today(trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz(questions=2))
    first, second = attempt.paper["questions"]
    services.practice_answer_check(
        attempt=attempt, question_id=first["id"], choice_ids=correct_ids(first)
    )
    services.practice_answer_check(
        attempt=attempt, question_id=second["id"], choice_ids=wrong_ids(second)
    )

    engine.attempt_submit(attempt=attempt)

    attempt.refresh_from_db()
    assert (attempt.state, attempt.points, attempt.max_points) == (
        Attempt.State.SUBMITTED,
        1.0,
        2.0,
    )
