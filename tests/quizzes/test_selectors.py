import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from quizzes import selectors, services
from tests.quizzes.builders import correct_ids, make_quiz

pytestmark = pytest.mark.django_db

# Measured on SQLite. Every page pays 3 for the request itself (session read,
# user, role groups for the navigation); the session is written back only every
# few minutes. The rest is the page's own: attempt + answers (2); the trainee's
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
# the programs the quiz counts toward), each in its own transaction.
SUBMIT_QUERIES = 18


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
        }
    assert page.unanswered == 3


def test_quiz_page_data_counts_only_graded_attempts(trainee):
    quiz = make_quiz(2, max_attempts=3)
    source = _finished(trainee, quiz)
    services.practice_start_from_mistakes(user=trainee, quiz=quiz, source=source)
    page = selectors.quiz_page_data(user=trainee, quiz=quiz)
    assert (page.check.attempts_used, page.check.attempts_left) == (1, 2)
    assert page.best_percent == 50.0
