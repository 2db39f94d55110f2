"""The content cache: published content is read once, and any change shows at once."""

import pytest
from django.urls import reverse

from lessons.models import Lesson
from lessons.services import lesson_unpublish
from quizzes.authoring.services import questions_retire
from quizzes.models import Question, QuizQuestion
from tests.builders import make_bare_lesson, make_question, make_quiz
from trainingsite.content_cache import content_cache_clear, content_cached

pytestmark = pytest.mark.django_db


class Builder:
    def __init__(self, value="first"):
        self.calls = 0
        self.value = value

    def __call__(self):
        self.calls += 1
        return self.value


def test_a_value_is_built_once_then_served_from_the_cache():
    build = Builder()
    assert content_cached("thing", build) == "first"
    assert content_cached("thing", build) == "first"
    assert build.calls == 1


def test_none_is_cached_like_any_value():
    build = Builder(value=None)
    assert content_cached("nothing", build) is None
    assert content_cached("nothing", build) is None
    assert build.calls == 1


def test_clearing_starts_a_new_generation():
    build = Builder()
    content_cached("thing", build)
    content_cache_clear()
    content_cached("thing", build)
    assert build.calls == 2


def test_zero_seconds_turns_the_cache_off(settings):
    settings.CONTENT_CACHE_SECONDS = 0
    build = Builder()
    content_cached("thing", build)
    content_cached("thing", build)
    assert build.calls == 2


def test_an_overlong_key_is_hashed_and_still_cached(recwarn):
    build = Builder()
    key = "lesson:" + "x" * 1000
    content_cached(key, build)
    content_cached(key, build)
    assert build.calls == 1
    assert not [w for w in recwarn if "Cache key" in str(w.message)]


def test_saving_a_lesson_clears_the_cache():
    lesson = make_bare_lesson()
    build = Builder()
    content_cached("thing", build)
    lesson.title = "Renamed"
    lesson.save()
    content_cached("thing", build)
    assert build.calls == 2


def test_trainee_sees_an_unpublished_lesson_disappear_at_once(trainee_client, educator):
    lesson = make_bare_lesson(slug="pressure")
    url = reverse("lessons:detail", args=[lesson.slug])
    assert trainee_client.get(url).status_code == 200

    # A bulk status update, which sends no model signal.
    assert lesson_unpublish(lessons=[lesson], by=educator) == 1

    assert Lesson.objects.get(pk=lesson.pk).status == Lesson.Status.DRAFT
    assert trainee_client.get(url).status_code == 404


def test_trainee_sees_a_renamed_lesson_at_once(trainee_client):
    lesson = make_bare_lesson(slug="pressure")
    url = reverse("lessons:detail", args=[lesson.slug])
    trainee_client.get(url)
    lesson.title = "Pressure, and when to stop"
    lesson.save()
    assert "Pressure, and when to stop" in trainee_client.get(url).content.decode()


def quiz_page_question_count(client, quiz) -> str:
    body = client.get(reverse("quizzes:detail", args=[quiz.slug])).content.decode()
    start = body.index('data-testid="rule-questions">') + len('data-testid="rule-questions">')
    return body[start : body.index("<", start)]


def test_quiz_page_counts_questions_retired_in_bulk_at_once(trainee_client):
    quiz = make_quiz(questions=3)
    assert quiz_page_question_count(trainee_client, quiz) == "3"

    questions_retire(questions=[QuizQuestion.objects.filter(quiz=quiz).first().question])

    assert Question.objects.filter(status=Question.Status.RETIRED).count() == 1
    assert quiz_page_question_count(trainee_client, quiz) == "2"


def test_quiz_page_counts_a_question_added_to_the_pool_at_once(trainee_client):
    quiz = make_quiz(questions=2)
    extra = make_question("extra")
    assert quiz_page_question_count(trainee_client, quiz) == "2"

    QuizQuestion.objects.create(quiz=quiz, question=extra, order=9)

    assert quiz_page_question_count(trainee_client, quiz) == "3"


def test_quiz_prerequisites_follow_the_quiz_at_once(trainee_client):
    quiz = make_quiz(questions=2)
    lesson = make_bare_lesson(slug="read-me-first")
    url = reverse("quizzes:detail", args=[quiz.slug])
    assert "read-me-first" not in trainee_client.get(url).content.decode()

    quiz.prerequisite_lessons.add(lesson)

    assert reverse("lessons:detail", args=["read-me-first"]) in (
        trainee_client.get(url).content.decode()
    )


def test_educators_read_drafts_past_the_cache(client, educator, trainee_client):
    lesson = make_bare_lesson(slug="pressure")
    url = reverse("lessons:detail", args=[lesson.slug])
    trainee_client.get(url)  # cached for trainees
    Lesson.objects.filter(pk=lesson.pk).update(status=Lesson.Status.DRAFT)  # no signal

    client.force_login(educator)
    assert client.get(url).status_code == 200
