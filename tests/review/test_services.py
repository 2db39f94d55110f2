"""Cards from activity, and review sessions that never touch what counts."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quizzes import services as engine
from quizzes.models import Attempt, AttemptAnswer, Question, ReviewCard, ReviewLog
from quizzes.practice import services as practice
from quizzes.spaced_review import services
from quizzes.spaced_review.rules import SESSION_MAX_MINUTES
from tests.builders import correct_ids, make_question, make_quiz, wrong_ids
from tests.builders.practice import mistakes_round
from tests.review.conftest import cards_due, exam_with_misses, point_met

pytestmark = pytest.mark.django_db


def _check(attempt, entry, *, right):
    return practice.practice_answer_check(
        attempt=attempt,
        question_id=entry["id"],
        choice_ids=correct_ids(entry) if right else wrong_ids(entry),
    )


def _entry(attempt, question):
    return next(q for q in attempt.paper["questions"] if q["id"] == question.pk)


# Cards from practice checks


def test_a_right_check_makes_a_card_due_later_and_a_wrong_one_due_tomorrow(
    trainee, immediate_quiz, variants
):
    attempt = engine.attempt_start(user=trainee, quiz=immediate_quiz)
    group_question, lone = variants["group"][0], variants["lone"]
    _check(attempt, _entry(attempt, group_question), right=True)
    _check(attempt, _entry(attempt, lone), right=False)

    right = ReviewCard.objects.get(user=trainee, point="group:tourniquet-time")
    wrong = ReviewCard.objects.get(user=trainee, point=f"question:{lone.pk}")
    assert (right.critical, right.topic_id, right.question_id) == (
        True,
        group_question.topic_id,
        group_question.pk,
    )
    assert right.due - right.last_review == timedelta(days=2)
    assert wrong.due - wrong.last_review == timedelta(days=1)
    assert (right.reps, wrong.reps, wrong.lapses) == (1, 1, 0)
    logs = ReviewLog.objects.order_by("card__point")
    assert [(log.rating, log.source, log.attempt_id) for log in logs] == [
        (ReviewLog.Rating.GOOD, "practice", attempt.pk),
        (ReviewLog.Rating.AGAIN, "practice", attempt.pk),
    ]


def test_only_the_first_check_of_a_question_rates_it(trainee, variants):
    quiz = make_quiz(questions=[variants["lone"]], slug="p", practice_tries=2)
    round_ = mistakes_round(trainee, quiz)
    entry = round_.paper["questions"][0]
    _check(round_, entry, right=False)
    _check(round_, entry, right=False)  # the same answer again: a double click
    practice.practice_answer_retry(attempt=round_, question_id=entry["id"])
    _check(round_, entry, right=True)  # the second try: the first answer said it all

    card = ReviewCard.objects.get(user=trainee)
    # The mistakes round's source attempt (deferred feedback) rated it once, the round once.
    assert list(card.logs.values_list("rating", "source")) == [
        (ReviewLog.Rating.AGAIN, "practice"),
        (ReviewLog.Rating.AGAIN, "practice"),
    ]


def test_a_submitted_practice_quiz_rates_every_answer_not_checked(trainee, variants):
    quiz = make_quiz(questions=[variants["group"][1], variants["lone"]], slug="deferred")
    attempt = engine.attempt_start(user=trainee, quiz=quiz)
    first, second = attempt.paper["questions"]
    answers = {first["id"]: correct_ids(first), second["id"]: wrong_ids(second)}
    engine.attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence)
    engine.attempt_submit(attempt=attempt)

    ratings = dict(ReviewLog.objects.values_list("card__point", "rating"))
    assert ratings == {
        "group:tourniquet-time": ReviewLog.Rating.GOOD,
        f"question:{variants['lone'].pk}": ReviewLog.Rating.AGAIN,
    }


def test_checked_answers_are_not_rated_again_when_the_attempt_is_submitted(
    trainee, immediate_quiz, variants
):
    attempt = engine.attempt_start(user=trainee, quiz=immediate_quiz)
    _check(attempt, _entry(attempt, variants["lone"]), right=True)
    engine.attempt_submit(attempt=attempt)
    # The unchecked group question is rated at submission (unanswered: Again).
    assert sorted(ReviewLog.objects.values_list("card__point", "rating")) == sorted(
        [
            (f"question:{variants['lone'].pk}", ReviewLog.Rating.GOOD),
            ("group:tourniquet-time", ReviewLog.Rating.AGAIN),
        ]
    )


# Cards from exams


def test_an_exam_miss_becomes_a_card_showing_a_practice_variant(trainee, exam, variants):
    exam_with_misses(trainee, exam)

    card = ReviewCard.objects.get(user=trainee)
    assert card.point == "group:tourniquet-time"
    assert card.question_id == variants["group"][0].pk
    assert Question.objects.get(pk=card.question_id).bank == "practice"
    assert card.due - card.last_review == timedelta(days=1)
    assert list(card.logs.values_list("rating", "source")) == [(ReviewLog.Rating.AGAIN, "exam")]


def test_an_exam_point_without_a_practice_variant_makes_no_card(trainee, exam):
    exam_with_misses(trainee, exam)
    assert not ReviewCard.objects.filter(point="group:exam-only").exists()
    exam_ids = set(exam.questions.values_list("pk", flat=True))
    assert not ReviewCard.objects.filter(question_id__in=exam_ids).exists()
    assert not ReviewLog.objects.filter(question_id__in=exam_ids).exists()


def test_a_right_exam_answer_makes_no_card(trainee, exam):
    attempt = engine.attempt_start(user=trainee, quiz=exam)
    answers = {q["id"]: correct_ids(q) for q in attempt.paper["questions"]}
    engine.attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence)
    engine.attempt_submit(attempt=attempt)
    assert not ReviewCard.objects.exists()


def test_an_attempt_graded_again_is_not_rated_twice(trainee, exam):
    attempt = exam_with_misses(trainee, exam)
    services.review_cards_from_attempt(attempt=attempt)  # a regrade sends the signal again
    assert ReviewLog.objects.count() == 1


def test_an_existing_card_is_updated_not_duplicated(trainee, variants):
    (card,) = cards_due(trainee, [variants["group"][0]], days_ago=3)
    before = card.stability
    services.review_cards_record(
        user_id=trainee.pk,
        met=[point_met(variants["group"][2], correct=True)],
        source="practice",
        at=timezone.now(),
    )
    card.refresh_from_db()
    assert ReviewCard.objects.count() == 1
    assert (card.reps, card.question_id) == (2, variants["group"][2].pk)
    assert card.stability > before


def test_a_lapse_is_counted_when_a_known_point_is_missed(trainee, variants):
    cards_due(trainee, [variants["lone"]])
    services.review_cards_record(
        user_id=trainee.pk,
        met=[point_met(variants["lone"], correct=False)],
        source="review",
        at=timezone.now(),
    )
    card = ReviewCard.objects.get()
    assert (card.reps, card.lapses, card.state) == (2, 1, ReviewCard.State.RELEARNING)


@pytest.mark.parametrize("points", [1, 12])
def test_recording_takes_three_queries_whatever_the_number_of_points(trainee, points):
    questions = [make_question(f"flat-{points}-{i}") for i in range(points)]
    cards_due(trainee, questions[: points // 2])  # some exist, some are new
    with CaptureQueriesContext(connection) as queries:
        services.review_cards_record(
            user_id=trainee.pk,
            met=[point_met(q, correct=bool(i % 2)) for i, q in enumerate(questions)],
            source="practice",
            at=timezone.now(),
        )
    assert len(queries) == 3
    assert ReviewCard.objects.filter(user=trainee).count() == points
    assert ReviewLog.objects.filter(card__user=trainee).count() == points + points // 2


# Review sessions


def test_nothing_due_refuses_the_start(trainee, variants):
    cards_due(trainee, [variants["lone"]], days_ago=0)  # due in two days
    with pytest.raises(services.ReviewRefused) as refused:
        services.review_session_start(user=trainee)
    assert refused.value.message == services.NOTHING_DUE


def test_a_session_holds_the_due_cards_up_to_its_size_within_ten_minutes(trainee, settings):
    settings.REVIEW_SESSION_ITEMS = 5
    cards_due(trainee, [make_question(f"due-{i}") for i in range(7)])
    now = timezone.now()
    attempt = services.review_session_start(user=trainee, now=now)
    assert attempt.kind == Attempt.Kind.REVIEW
    assert len(attempt.paper["questions"]) == 5
    assert attempt.deadline - now <= timedelta(minutes=SESSION_MAX_MINUTES)
    assert attempt.paper["feedback_policy"] == "full"
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 5
    assert services.review_session_start(user=trainee) == attempt  # resumed, not a second


def test_a_session_offers_another_variant_of_the_point(trainee, variants):
    cards_due(trainee, [variants["group"][0]])
    attempt = services.review_session_start(user=trainee)
    (entry,) = attempt.paper["questions"]
    assert entry["id"] in {variants["group"][1].pk, variants["group"][2].pk}


def test_a_point_whose_questions_are_all_held_cannot_be_shown(trainee, variants):
    cards_due(trainee, [variants["lone"]])
    Question.objects.filter(pk=variants["lone"].pk).update(needs_review=True)
    with pytest.raises(services.ReviewRefused) as refused:
        services.review_session_start(user=trainee)
    assert refused.value.message == services.NOTHING_TO_SHOW


def test_an_expired_session_closes_and_a_new_one_starts(trainee, variants):
    cards_due(trainee, [variants["lone"], variants["group"][0]])
    first = services.review_session_start(user=trainee)
    later = timezone.now() + timedelta(minutes=SESSION_MAX_MINUTES + 5)
    second = services.review_session_start(user=trainee, now=later)
    first.refresh_from_db()
    assert first.state == Attempt.State.SUBMITTED and first.close_reason == "time_limit"
    assert second.pk != first.pk and second.is_open


def test_review_checks_rate_the_cards_and_never_touch_exam_scores_or_attempts(
    trainee, exam, variants, graded_sent
):
    exam_attempt = exam_with_misses(trainee, exam)
    graded_sent.clear()
    score = (exam_attempt.points, exam_attempt.percent, exam_attempt.passed)
    card = ReviewCard.objects.get(user=trainee)
    ReviewCard.objects.filter(pk=card.pk).update(due=timezone.now() - timedelta(hours=1))

    session = services.review_session_start(user=trainee)
    (entry,) = session.paper["questions"]
    _check(session, entry, right=True)
    services.review_session_finish(attempt=session)

    card.refresh_from_db()
    assert card.reps == 2 and card.due > timezone.now()
    assert list(card.logs.values_list("source", "rating")) == [
        ("exam", ReviewLog.Rating.AGAIN),
        ("review", ReviewLog.Rating.GOOD),
    ]
    session.refresh_from_db()
    assert (session.state, session.passed, session.fail_reasons) == ("submitted", None, [])
    assert graded_sent == []
    exam_attempt.refresh_from_db()
    assert (exam_attempt.points, exam_attempt.percent, exam_attempt.passed) == score
    assert list(Attempt.objects.counted().filter(user=trainee)) == [exam_attempt]
    assert Attempt.objects.graded().filter(user=trainee).count() == 1
    assert Attempt.objects.filter(user=trainee, quiz=exam).count() == 1
    assert Attempt.objects.counted().aggregate(Sum("points"))["points__sum"] == score[0]


def test_the_review_quiz_is_a_draft_practice_quiz_with_an_empty_pool(trainee, variants):
    cards_due(trainee, [variants["lone"]])
    session = services.review_session_start(user=trainee)
    quiz = session.quiz
    assert (quiz.slug, quiz.status, quiz.bank) == (services.REVIEW_QUIZ_SLUG, "draft", "practice")
    assert not quiz.pool.exists()


def test_the_demo_seed_makes_cards_due_once(trainee, variants):
    assert services.review_demo_seed(username=trainee.username) == 0  # no published pool yet
    make_quiz(questions=[variants["lone"], variants["group"][0]], slug="shipped")
    assert services.review_demo_seed(username=trainee.username) == 2
    assert services.review_demo_seed(username=trainee.username) == 0
    assert ReviewCard.objects.filter(user=trainee, due__lte=timezone.now()).count() == 2


def test_a_second_session_opened_at_the_same_moment_resumes_the_first(trainee, variants):
    cards_due(trainee, [variants["lone"]])
    first = services.review_session_start(user=trainee)
    # As a second request that looked before the first one committed: the constraint answers.
    second = services._session_create(user=trainee, now=timezone.now(), rng=random.Random(1))
    assert second == first
    assert Attempt.objects.filter(user=trainee, kind=Attempt.Kind.REVIEW).count() == 1
