"""The lesson page links to the published quizzes that assess it, with the trainee's standing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt
from quizzes.selectors import quizzes_assessing_lesson
from tests.quizzes.builders import make_lesson, make_quiz, make_topic

pytestmark = pytest.mark.django_db

# Session, user, roles (3), the completion and the standing at the quizzes (2); the lesson,
# its neighbours and the quizzes come from the content cache once read.
LESSON_DETAIL_QUERIES = 5


def graded(user, quiz, percent, passed, state=Attempt.State.SUBMITTED):
    now = timezone.now()
    return Attempt.objects.create(
        user=user,
        quiz=quiz,
        state=state,
        started_at=now,
        submitted_at=now if state == Attempt.State.SUBMITTED else None,
        percent=percent if state == Attempt.State.SUBMITTED else None,
        passed=passed,
    )


def test_selector_finds_quizzes_by_lesson_or_topic_only_when_published(trainee):
    lesson = make_lesson()
    other_topic = make_topic(slug="why", title="Why bleeding occurs", order=0)
    by_lesson = make_quiz(1, slug="by-lesson", topic=other_topic)
    by_lesson.lessons.add(lesson)
    make_quiz(1, slug="by-topic", topic=lesson.topic)
    make_quiz(1, slug="unrelated", topic=other_topic)
    draft = make_quiz(1, slug="draft", status="draft", topic=lesson.topic)
    draft.lessons.add(lesson)
    # Listed by lesson and by topic at once: still one row.
    both = make_quiz(1, slug="both", topic=lesson.topic, order=5)
    both.lessons.add(lesson)

    rows = quizzes_assessing_lesson(lesson=lesson, user=trainee)

    assert [r.quiz.slug for r in rows] == ["by-lesson", "by-topic", "both"]


def test_selector_reports_best_score_passed_and_open_attempt(trainee, other_trainee):
    lesson = make_lesson()
    quiz = make_quiz(1, topic=lesson.topic)
    graded(trainee, quiz, 50.0, False)
    graded(trainee, quiz, 90.0, True)
    graded(other_trainee, quiz, 100.0, True)
    practice = graded(trainee, quiz, 100.0, None)
    practice.kind = Attempt.Kind.PRACTICE
    practice.save()

    (row,) = quizzes_assessing_lesson(lesson=lesson, user=trainee)
    assert (row.best_percent, row.passed, row.in_progress) == (90.0, True, False)

    graded(other_trainee, quiz, None, None, state=Attempt.State.IN_PROGRESS)
    (other,) = quizzes_assessing_lesson(lesson=lesson, user=other_trainee)
    assert (other.best_percent, other.passed, other.in_progress) == (100.0, True, True)


def test_lesson_page_links_to_assessing_quiz_with_standing(trainee, trainee_client):
    lesson = make_lesson()
    quiz = make_quiz(1, topic=lesson.topic)
    graded(trainee, quiz, 75.0, False)

    response = trainee_client.get(reverse("lessons:detail", args=[lesson.slug]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="lesson-assessment"' in html
    assert f'<a href="{quiz.get_absolute_url()}">{quiz.title}</a>' in html
    assert "best score 75%" in html
    assert "Passed" not in html


def test_lesson_page_without_quizzes_shows_no_assessment(trainee_client):
    lesson = make_lesson()
    response = trainee_client.get(reverse("lessons:detail", args=[lesson.slug]))
    assert response.status_code == 200
    assert 'data-testid="lesson-assessment"' not in response.content.decode()


def _detail_queries(client, lesson) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("lessons:detail", args=[lesson.slug])).status_code == 200
    return len(captured)


def test_lesson_page_query_count_is_flat_with_1_or_5_quizzes(
    trainee, trainee_client, django_assert_max_num_queries
):
    lesson = make_lesson()
    first = make_quiz(1, slug="quiz-0", topic=lesson.topic)
    graded(trainee, first, 60.0, False)
    one = _detail_queries(trainee_client, lesson)

    for i in range(1, 5):
        quiz = make_quiz(1, slug=f"quiz-{i}")
        quiz.lessons.add(lesson)
        graded(trainee, quiz, 90.0, True)
    five = _detail_queries(trainee_client, lesson)

    assert one == five
    with django_assert_max_num_queries(LESSON_DETAIL_QUERIES):
        html = trainee_client.get(reverse("lessons:detail", args=[lesson.slug])).content.decode()
    assert html.count('data-testid="assessing-quiz"') == 5
