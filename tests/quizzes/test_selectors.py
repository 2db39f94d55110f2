"""The quiz engine's reads: what each returns, and query counts that stay flat as data grows."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes import selectors, services
from quizzes.models import Attempt
from tests.builders import correct_ids, make_bare_lesson, make_quiz, make_topic

pytestmark = pytest.mark.django_db

# Measured on SQLite. Every page pays 3 for the request itself (session read,
# user, role groups for the navigation); the session is written back only every
# few minutes. The rest is the page's own: attempt + answers (2), the attempt's quiz
# from the content cache once read (one query more while it is not); the trainee's
# standing and accommodation (2) once the quiz's structure is in the content
# cache, 3 more while it is not (quiz, drawn count, prerequisites); one
# annotated list (1). None may grow with questions or attempts.
ATTEMPT_PAGE_QUERIES = 5
RESULT_PAGE_QUERIES = 5
QUIZ_PAGE_QUERIES = 5
QUIZ_PAGE_COLD_CACHE_QUERIES = 8
INDEX_PAGE_QUERIES = 4
# Start: the open attempt (looked up once, by the view), then in one
# transaction (begin and commit, a savepoint and its release): the standing, accommodation,
# the attempt and its answer rows.
START_QUERIES = 11
# Submit with answers: the save (attempt, sequence bump, answer rows, updates in one
# executemany) and the scoring (close, rows, score, updates in one executemany, audit record,
# the programs the quiz counts toward, the webhook endpoints subscribed to attempts), each
# in its own transaction; spaced review's cards for the practice answers (the answers with
# whether they were rated, the cards, one upsert, the log rows: 4); the trainee's open
# certificate updates that the pass may complete (1, quizzes/updates/).
SUBMIT_QUERIES = 24
# The lesson page: session, user, roles (3), the completion and the standing at the quizzes
# (2); the lesson, its neighbours and the quizzes come from the content cache once read.
LESSON_DETAIL_QUERIES = 5
PER_PAGE = 5


def _finished(user, quiz):
    attempt = services.attempt_start(user=user, quiz=quiz)
    answers = {q["id"]: correct_ids(q) for q in attempt.paper["questions"][::2]}
    services.attempt_save_answers(attempt=attempt, answers=answers, sequence=0)
    return services.attempt_submit(attempt=attempt)


@pytest.mark.parametrize("count", [10, 60])
def test_attempt_page_queries_do_not_grow_with_questions(
    trainee, trainee_client, django_assert_max_num_queries, count
):
    quiz = make_quiz(count, kinds=("single", "multiple", "true_false"))
    attempt = services.attempt_start(user=trainee, quiz=quiz)
    url = reverse("quizzes:attempt", args=[attempt.uuid])
    with django_assert_max_num_queries(ATTEMPT_PAGE_QUERIES + 1):
        trainee_client.get(url)  # the attempt's quiz into the content cache
    with django_assert_max_num_queries(ATTEMPT_PAGE_QUERIES):
        response = trainee_client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<fieldset") == count


@pytest.mark.parametrize("count", [10, 60])
def test_result_page_queries_do_not_grow_with_questions(
    trainee, trainee_client, django_assert_max_num_queries, count
):
    quiz = make_quiz(count, kinds=("single", "multiple", "true_false"))
    attempt = _finished(trainee, quiz)
    url = reverse("quizzes:result", args=[attempt.uuid])
    with django_assert_max_num_queries(RESULT_PAGE_QUERIES + 1):
        trainee_client.get(url)  # the attempt's quiz into the content cache
    with django_assert_max_num_queries(RESULT_PAGE_QUERIES):
        response = trainee_client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="review-question"') == count


@pytest.mark.parametrize("attempts", [1, 6])
def test_quiz_page_and_index_queries_are_flat(
    trainee, trainee_client, django_assert_max_num_queries, attempts
):
    quizzes = [make_quiz(4, slug=f"quiz-{i}") for i in range(3)]
    for quiz in quizzes:
        for _ in range(attempts):
            _finished(trainee, quiz)
    cache.clear()
    with django_assert_max_num_queries(QUIZ_PAGE_COLD_CACHE_QUERIES):
        assert trainee_client.get(quizzes[0].get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(QUIZ_PAGE_QUERIES):
        assert trainee_client.get(quizzes[0].get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(INDEX_PAGE_QUERIES):
        assert trainee_client.get(reverse("quizzes:index")).status_code == 200


@pytest.mark.parametrize("count", [10, 60])
def test_start_and_submit_queries_do_not_grow_with_questions(
    trainee, trainee_client, django_assert_max_num_queries, count
):
    quiz = make_quiz(count, kinds=("single", "multiple", "true_false"))
    # The quiz and its question pool are in the content cache from here on.
    _finished(trainee, quiz)
    trainee_client.get(quiz.get_absolute_url())
    with django_assert_max_num_queries(START_QUERIES):
        response = trainee_client.post(reverse("quizzes:start", args=[quiz.slug]))
    assert response.status_code == 302
    attempt_url = response["Location"]
    html = trainee_client.get(attempt_url).content.decode()
    data = {
        "sequence": re.search(r'name="sequence" value="(\d+)"', html).group(1),
        "answers": "1",
        "confirm": "1",
        **{name: "0" for name in set(re.findall(r'name="(q-\d+)"', html))},
    }
    with django_assert_max_num_queries(SUBMIT_QUERIES):
        response = trainee_client.post(attempt_url + "submit/", data)
    assert response.status_code == 302
    assert response["Location"].endswith("/result/")


def test_quiz_list_reports_attempts_best_and_open_attempt(trainee, other_trainee):
    quiz = make_quiz(2)
    _finished(trainee, quiz)
    services.attempt_start(user=trainee, quiz=quiz)
    services.attempt_submit(attempt=services.attempt_start(user=other_trainee, quiz=quiz))
    (row,) = selectors.quiz_list_for_user(user=trainee)
    assert row.attempts_used == 2
    assert row.best_percent == 50.0
    assert row.passed is False
    assert row.open_attempt_uuid is not None


def test_attempt_page_data_has_no_answer_key(trainee):
    quiz = make_quiz(3, kinds=("single", "multiple", "true_false"))
    attempt = services.attempt_start(user=trainee, quiz=quiz)
    page = selectors.attempt_page_data(attempt=attempt)
    for question in page.questions:
        for choice in question.choices:
            assert set(vars(choice)) == {"position", "text", "selected", "image_url", "image_alt"}
        assert set(vars(question)) == {
            "number",
            "id",
            "kind",
            "prompt",
            "points",
            "critical",
            "choices",
            "image_url",
            "image_alt",
            "text",  # a written answer's saved text (the trainee's own)
        }
    assert page.unanswered == 3


def test_quiz_page_data_counts_only_graded_attempts(trainee):
    quiz = make_quiz(2, max_attempts=3)
    source = _finished(trainee, quiz)
    services.practice_start_from_mistakes(user=trainee, quiz=quiz, source=source)
    page = selectors.quiz_page_data(user=trainee, quiz=quiz)
    assert (page.check.attempts_used, page.check.attempts_left) == (1, 2)
    assert page.best_percent == 50.0


# Pages of a long paper ------------------------------------------------------------------


def attempt_url(attempt, page=None):
    url = reverse("quizzes:attempt", args=[attempt.uuid])
    return f"{url}?page={page}" if page else url


@pytest.mark.parametrize(
    ("count", "per_page", "pages"), [(0, 5, 1), (5, 5, 1), (6, 5, 2), (12, 5, 3), (60, 0, 1)]
)
def test_page_count(count, per_page, pages):
    assert selectors.page_count_for(question_count=count, per_page=per_page) == pages


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_paginated_attempt_page_queries_do_not_grow(
    trainee, trainee_client, django_assert_max_num_queries
):
    small = services.attempt_start(
        user=trainee, quiz=make_quiz(10, slug="ten", questions_per_page=PER_PAGE)
    )
    large = services.attempt_start(
        user=trainee,
        quiz=make_quiz(60, slug="sixty", questions_per_page=PER_PAGE, kinds=("single", "multiple")),
    )
    assert _queries(trainee_client, attempt_url(small, 2)) == _queries(
        trainee_client, attempt_url(large, 7)
    )
    with django_assert_max_num_queries(ATTEMPT_PAGE_QUERIES):
        html = trainee_client.get(attempt_url(large, 12)).content.decode()
    assert html.count("<fieldset") == PER_PAGE
    assert html.count("data-nav-question=") == 60


# Quizzes assessing a lesson ----------------------------------------------------------


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
    lesson = make_bare_lesson()
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

    rows = selectors.quizzes_assessing_lesson(lesson=lesson, user=trainee)

    assert [r.quiz.slug for r in rows] == ["by-lesson", "by-topic", "both"]


def test_selector_reports_best_score_passed_and_open_attempt(trainee, other_trainee):
    lesson = make_bare_lesson()
    quiz = make_quiz(1, topic=lesson.topic)
    graded(trainee, quiz, 50.0, False)
    graded(trainee, quiz, 90.0, True)
    graded(other_trainee, quiz, 100.0, True)
    practice = graded(trainee, quiz, 100.0, None)
    practice.kind = Attempt.Kind.PRACTICE
    practice.save()

    (row,) = selectors.quizzes_assessing_lesson(lesson=lesson, user=trainee)
    assert (row.best_percent, row.passed, row.in_progress) == (90.0, True, False)

    graded(other_trainee, quiz, None, None, state=Attempt.State.IN_PROGRESS)
    (other,) = selectors.quizzes_assessing_lesson(lesson=lesson, user=other_trainee)
    assert (other.best_percent, other.passed, other.in_progress) == (100.0, True, True)


def test_lesson_page_links_to_assessing_quiz_with_standing(trainee, trainee_client):
    lesson = make_bare_lesson()
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
    lesson = make_bare_lesson()
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
    lesson = make_bare_lesson()
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
