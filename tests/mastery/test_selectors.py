"""Mastery selectors: which answers count, their figures per topic, and the review links."""

from datetime import timedelta

import pytest
from django.utils import timezone

from quizzes import services
from quizzes.mastery.rules import RECENT_DAYS, TREND_UP
from quizzes.mastery.selectors import mastery_answer_rows, mastery_page_data
from quizzes.models import Attempt, Bank
from tests.builders import (
    correct_ids,
    make_lesson,
    make_question,
    make_quiz,
    make_topic,
    wrong_ids,
)
from tests.builders.mastery import answered_attempt, make_written_question

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
EARLIER = NOW - timedelta(days=RECENT_DAYS + 5)


def _topic_row(page, topic):
    return next(t for t in page.mastery.topics if t.topic_id == topic.id)


@pytest.fixture
def bleeding():
    return make_topic("bleeding", title="Bleeding", order=1)


@pytest.fixture
def practice_quiz(bleeding):
    questions = [make_question(f"p-{i}", topic=bleeding) for i in range(2)]
    return make_quiz(questions, slug="bleeding-practice", topic=bleeding)


@pytest.fixture
def exam_quiz(bleeding):
    questions = [make_question(f"e-{i}", topic=bleeding, bank=Bank.EXAM) for i in range(2)]
    return make_quiz(questions, slug="final-exam", bank=Bank.EXAM)


def _questions(quiz):
    return [entry.question for entry in quiz.pool.order_by("order").select_related("question")]


def test_exam_and_practice_answers_count_a_wrong_then_a_right(
    trainee, bleeding, practice_quiz, exam_quiz
):
    e0, e1 = _questions(exam_quiz)
    p0, _ = _questions(practice_quiz)
    answered_attempt(
        user=trainee, quiz=exam_quiz, answers=[(e0, False, 0.0), (e1, True, 1.0)], at=EARLIER
    )
    answered_attempt(
        user=trainee,
        quiz=practice_quiz,
        kind=Attempt.Kind.PRACTICE,
        answers=[(e0, True, 1.0), (p0, True, 1.0)],
        at=NOW,
    )
    page = mastery_page_data(user=trainee, today=NOW.date())
    row = _topic_row(page, bleeding)
    assert (row.answers, row.practice_answers, row.percent) == (4, 2, 75.0)
    assert (row.earlier_percent, row.recent_percent) == (50.0, 100.0)
    assert row.last_day == NOW.date()


def test_rows_are_summed_per_topic_and_day(trainee, bleeding, practice_quiz):
    p0, p1 = _questions(practice_quiz)
    for _ in range(3):
        answered_attempt(
            user=trainee, quiz=practice_quiz, answers=[(p0, True, 1.0), (p1, False, 0.0)], at=NOW
        )
    [row] = mastery_answer_rows(user=trainee)
    assert (row.topic_id, row.day, row.answers, row.credit) == (bleeding.id, NOW.date(), 6, 3.0)


def test_written_answers_count_their_mark_share_once_marked_and_not_before(trainee, bleeding):
    written = make_written_question("w-1", topic=bleeding, points=4)
    unmarked = make_written_question("w-2", topic=bleeding, points=4)
    choice = make_question("c-1", topic=bleeding)
    quiz = make_quiz([written, unmarked, choice], slug="cases", hand_marked=True)
    answered_attempt(user=trainee, quiz=quiz, answers=[(written, False, 3.0)], at=NOW)
    answered_attempt(
        user=trainee,
        quiz=quiz,
        state=Attempt.State.MARKING,
        answers=[(unmarked, None, None), (choice, True, 1.0)],
        at=NOW,
    )
    [row] = mastery_answer_rows(user=trainee)
    assert (row.answers, row.credit) == (2, 1.75)


def test_open_attempts_and_other_trainees_answers_never_count(
    trainee, other_trainee, bleeding, practice_quiz
):
    p0, p1 = _questions(practice_quiz)
    answered_attempt(
        user=trainee,
        quiz=practice_quiz,
        state=Attempt.State.IN_PROGRESS,
        answers=[(p0, True, 1.0)],
        at=NOW,
    )
    answered_attempt(user=other_trainee, quiz=practice_quiz, answers=[(p1, True, 1.0)], at=NOW)
    assert mastery_answer_rows(user=trainee) == []
    assert mastery_page_data(user=trainee).mastery.empty is True


def test_answers_through_the_engine_count_wrong_then_right(trainee, bleeding):
    quiz = make_quiz(
        [make_question(f"engine-{i}", topic=bleeding) for i in range(2)],
        slug="engine-quiz",
        topic=bleeding,
    )
    for pick in (wrong_ids, correct_ids):
        attempt = services.attempt_start(user=trainee, quiz=quiz)
        answers = {q["id"]: pick(q) for q in attempt.paper["questions"]}
        services.attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence)
        attempt.refresh_from_db()
        services.attempt_submit(attempt=attempt)
    row = _topic_row(mastery_page_data(user=trainee), bleeding)
    assert (row.answers, row.percent) == (4, 50.0)


def test_review_links_name_published_lessons_and_practice_quizzes_with_mistakes(
    trainee, bleeding, practice_quiz, exam_quiz
):
    lesson = make_lesson("stopping-bleeding", topic=bleeding, title="Stopping bleeding")
    make_lesson("draft-lesson", topic=bleeding, status="draft")
    p0, p1 = _questions(practice_quiz)
    answered_attempt(
        user=trainee, quiz=practice_quiz, answers=[(p0, False, 0.0), (p1, False, 0.0)], at=NOW
    )
    page = mastery_page_data(user=trainee)
    assert [t.topic_id for t in page.mastery.review] == [bleeding.id]
    links = page.links_for(bleeding.id)
    assert [(x.slug, x.title) for x in links.lessons] == [(lesson.slug, "Stopping bleeding")]
    assert [(q.slug, q.has_mistakes) for q in links.quizzes] == [("bleeding-practice", True)]


def test_a_practice_quiz_answered_right_has_no_mistakes_to_practise(
    trainee, bleeding, practice_quiz
):
    p0, p1 = _questions(practice_quiz)
    answered_attempt(
        user=trainee, quiz=practice_quiz, answers=[(p0, True, 1.0), (p1, True, 1.0)], at=NOW
    )
    [quiz] = mastery_page_data(user=trainee).links_for(bleeding.id).quizzes
    assert quiz.has_mistakes is False


def test_untried_topics_are_those_with_published_content_only(trainee, bleeding, practice_quiz):
    consent = make_topic("consent", title="Consent", order=2)
    make_lesson("consent-basics", topic=consent)
    make_topic("empty", title="Empty topic", order=3)
    make_lesson("draft-only", topic=make_topic("drafts", title="Drafts", order=4), status="draft")
    page = mastery_page_data(user=trainee)
    assert [t.title for t in page.mastery.untried] == ["Bleeding", "Consent"]


def test_trend_from_the_engine_data(trainee, bleeding, practice_quiz):
    p0, p1 = _questions(practice_quiz)
    for at, ok in [(EARLIER, False)] * 2 + [(NOW, True)] * 2:
        answered_attempt(
            user=trainee,
            quiz=practice_quiz,
            answers=[(p0, ok, float(ok)), (p1, ok, float(ok))],
            at=at,
        )
    row = _topic_row(mastery_page_data(user=trainee, today=NOW.date()), bleeding)
    assert (row.earlier_percent, row.recent_percent, row.trend) == (0.0, 100.0, TREND_UP)
