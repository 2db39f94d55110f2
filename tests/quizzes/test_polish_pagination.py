"""Long papers paginate: each page saves only its own questions, Previous/Next save first."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.models import Attempt, AttemptAnswer
from quizzes.selectors import page_count_for
from quizzes.services import (
    SAVE_NOT_ON_PAGE,
    SAVE_STALE,
    SAVE_UNKNOWN_QUESTION,
    attempt_save_answers,
    attempt_start,
)
from quizzes.views import SAVED
from tests.quizzes.builders import EXPLANATION_MARK, correct_ids, make_quiz
from tests.quizzes.test_selectors import ATTEMPT_PAGE_QUERIES

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
PER_PAGE = 5


@pytest.fixture
def attempt(trainee):
    quiz = make_quiz(12, questions_per_page=PER_PAGE)
    return attempt_start(user=trainee, quiz=quiz)


def qids(attempt, numbers):
    """Question ids for 1-based question numbers on the paper."""
    return [attempt.paper["questions"][n - 1]["id"] for n in numbers]


def page_post(attempt, page, answers=None, sequence=None, **extra):
    """What page `page` posts: its shown questions, and `answers` {number: [positions]}."""
    start = (page - 1) * PER_PAGE + 1
    numbers = range(start, min(start + PER_PAGE, 13))
    data = {
        "sequence": str(attempt.sequence if sequence is None else sequence),
        "answers": "1",
        "page": str(page),
        "shown": [str(i) for i in qids(attempt, numbers)],
    }
    for number, positions in (answers or {}).items():
        data[f"q-{qids(attempt, [number])[0]}"] = [str(p) for p in positions]
    data.update(extra)
    return data


def saved(attempt):
    return dict(
        AttemptAnswer.objects.filter(attempt=attempt).values_list("question_id", "selected")
    )


def answered_numbers(attempt):
    by_id = saved(attempt)
    return [n for n, q in enumerate(attempt.paper["questions"], 1) if by_id[q["id"]]]


def attempt_url(attempt, page=None):
    url = reverse("quizzes:attempt", args=[attempt.uuid])
    return f"{url}?page={page}" if page else url


@pytest.mark.parametrize(
    ("count", "per_page", "pages"), [(0, 5, 1), (5, 5, 1), (6, 5, 2), (12, 5, 3), (60, 0, 1)]
)
def test_page_count(count, per_page, pages):
    assert page_count_for(question_count=count, per_page=per_page) == pages


def test_first_page_shows_its_questions_next_and_the_navigator(trainee_client, attempt):
    html = trainee_client.get(attempt_url(attempt)).content.decode()

    assert html.count("<fieldset") == PER_PAGE
    assert "Page 1 of 3" in html
    assert 'name="goto" value="2" data-goto>Next page' in html
    assert "Previous page" not in html
    assert html.count("data-nav-question=") == 12
    assert html.count('data-answered="0"') == 12
    first, sixth = qids(attempt, [1, 6])
    assert f'name="q-{first}"' in html
    assert f'name="q-{sixth}"' not in html
    assert EXPLANATION_MARK not in html


def test_last_page_shows_the_rest_and_previous(trainee_client, attempt):
    html = trainee_client.get(attempt_url(attempt, 3)).content.decode()
    assert html.count("<fieldset") == 2
    assert "Page 3 of 3" in html
    assert 'name="goto" value="2" data-goto>← Previous page' in html
    assert "Next page" not in html
    assert re.findall(r'data-number="(\d+)"', html) == ["11", "12"]


@pytest.mark.parametrize("page", ["4", "0", "-1", "two"])
def test_pages_that_do_not_exist_are_404(trainee_client, attempt, page):
    assert trainee_client.get(attempt_url(attempt, page)).status_code == 404


def test_next_saves_this_page_then_opens_the_next(trainee_client, attempt):
    response = trainee_client.post(
        reverse("quizzes:save", args=[attempt.uuid]),
        page_post(attempt, 1, {1: [0], 3: [1]}, goto="2"),
    )

    assert response.status_code == 302
    assert response.url == attempt_url(attempt, 2)
    assert answered_numbers(attempt) == [1, 3]
    attempt.refresh_from_db()
    assert attempt.sequence == 1
    page_two = trainee_client.get(response.url).content.decode()
    assert "Page 2 of 3" in page_two
    assert SAVED not in page_two
    assert 'name="sequence" value="1"' in page_two
    nav = re.findall(r'data-nav-number="(\d+)" data-answered="(\d)"', page_two)
    assert [n for n, a in nav if a == "1"] == ["1", "3"]
    assert 'aria-label="Question 1, answered, page 1"' in page_two
    assert 'aria-label="Question 6, unanswered, page 2"' in page_two


def test_saving_a_page_keeps_the_answers_on_other_pages(trainee_client, attempt):
    save = reverse("quizzes:save", args=[attempt.uuid])
    trainee_client.post(save, page_post(attempt, 1, {1: [0], 2: [0]}, goto="2"))
    attempt.refresh_from_db()
    # Page 2 posts with nothing chosen: page 1 keeps its answers.
    response = trainee_client.post(save, page_post(attempt, 2, {7: [1]}))
    assert response.status_code == 302
    assert response.url == attempt_url(attempt, 2)
    assert answered_numbers(attempt) == [1, 2, 7]
    # Unchoosing on page 1 clears only page 1's questions.
    attempt.refresh_from_db()
    trainee_client.post(save, page_post(attempt, 1, {2: [0]}, goto="1"))
    assert answered_numbers(attempt) == [2, 7]


def test_previous_saves_and_goes_back(trainee_client, attempt):
    response = trainee_client.post(
        reverse("quizzes:save", args=[attempt.uuid]),
        page_post(attempt, 3, {12: [2]}, goto="2"),
    )
    assert response.url == attempt_url(attempt, 2)
    assert answered_numbers(attempt) == [12]


def test_goto_beyond_the_last_page_stops_at_the_last(trainee_client, attempt):
    response = trainee_client.post(
        reverse("quizzes:save", args=[attempt.uuid]), page_post(attempt, 2, goto="99")
    )
    assert response.url == attempt_url(attempt, 3)


def test_an_answer_for_another_page_is_refused_and_nothing_saved(trainee_client, attempt):
    data = page_post(attempt, 1, {1: [0]})
    data[f"q-{qids(attempt, [9])[0]}"] = ["0"]

    response = trainee_client.post(reverse("quizzes:save", args=[attempt.uuid]), data, **JSON)

    assert response.status_code == 400
    assert response.json() == {"error": SAVE_NOT_ON_PAGE}
    assert answered_numbers(attempt) == []


@pytest.mark.parametrize("bogus", ["999999", "abc"])
def test_unknown_shown_question_is_refused(trainee_client, attempt, bogus):
    data = page_post(attempt, 1, {1: [0]})
    data["shown"] = [*data["shown"], bogus]
    response = trainee_client.post(reverse("quizzes:save", args=[attempt.uuid]), data, **JSON)
    assert response.status_code == 400
    assert response.json() == {"error": SAVE_UNKNOWN_QUESTION}
    assert answered_numbers(attempt) == []


def test_stale_page_navigation_gets_409_and_saves_nothing(trainee_client, attempt):
    save = reverse("quizzes:save", args=[attempt.uuid])
    trainee_client.post(save, page_post(attempt, 1, {1: [0]}, goto="2"))
    # An older tab still on sequence 0 presses Next.
    response = trainee_client.post(save, page_post(attempt, 1, {2: [0]}, sequence=0, goto="2"))
    assert response.status_code == 409
    assert SAVE_STALE in response.content.decode()
    assert answered_numbers(attempt) == [1]


def test_autosave_on_a_page_is_scoped_to_it(trainee_client, attempt):
    save = reverse("quizzes:save", args=[attempt.uuid])
    first = trainee_client.post(save, page_post(attempt, 1, {4: [0]}), **JSON)
    assert first.json()["sequence"] == 1
    attempt.refresh_from_db()
    second = trainee_client.post(save, page_post(attempt, 3, {11: [0]}), **JSON)
    assert second.status_code == 200
    assert second.json()["sequence"] == 2
    assert answered_numbers(attempt) == [4, 11]


def test_submit_confirmation_lists_unanswered_questions_on_all_pages(trainee_client, attempt):
    save = reverse("quizzes:save", args=[attempt.uuid])
    answers = {n: [0] for n in range(1, 6) if n != 2}
    trainee_client.post(save, page_post(attempt, 1, answers, goto="2"))
    attempt.refresh_from_db()
    trainee_client.post(save, page_post(attempt, 2, {n: [0] for n in range(6, 11)}, goto="3"))
    attempt.refresh_from_db()

    response = trainee_client.post(
        reverse("quizzes:submit", args=[attempt.uuid]), page_post(attempt, 3, {12: [0]})
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "You have 2 unanswered questions." in html
    assert f'<a href="{attempt_url(attempt)}">Question 2</a>' in html
    assert f'<a href="{attempt_url(attempt, 3)}">Question 11</a>' in html
    assert "(page 3)" in html
    assert answered_numbers(attempt) == [1, 3, 4, 5, 6, 7, 8, 9, 10, 12]
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS


def test_submitting_from_a_page_scores_every_page(trainee_client, attempt):
    save = reverse("quizzes:save", args=[attempt.uuid])
    questions = attempt.paper["questions"]

    def right(numbers):
        return {n: [correct_positions_of(questions[n - 1])[0]] for n in numbers}

    trainee_client.post(save, page_post(attempt, 1, right(range(1, 6)), goto="2"))
    attempt.refresh_from_db()
    trainee_client.post(save, page_post(attempt, 2, right(range(6, 11)), goto="3"))
    attempt.refresh_from_db()
    response = trainee_client.post(
        reverse("quizzes:submit", args=[attempt.uuid]), page_post(attempt, 3, right([11, 12]))
    )
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert (attempt.state, attempt.points, attempt.max_points) == ("submitted", 12, 12)


def correct_positions_of(question):
    return [i for i, c in enumerate(question["choices"]) if c["is_correct"]]


def test_unpaginated_quiz_shows_everything_without_a_navigator(trainee, trainee_client):
    attempt = attempt_start(user=trainee, quiz=make_quiz(12, slug="all-on-one"))
    html = trainee_client.get(attempt_url(attempt)).content.decode()
    assert html.count("<fieldset") == 12
    assert 'data-testid="navigator"' not in html
    assert "Page 1 of" not in html


def test_preview_shows_every_question_on_one_page(educator_client):
    quiz = make_quiz(12, questions_per_page=PER_PAGE)
    html = educator_client.get(reverse("quizzes:preview", args=[quiz.slug])).content.decode()
    assert html.count("<fieldset") == 12
    assert 'data-testid="navigator"' not in html


def test_service_save_with_a_page_scope_leaves_other_questions(trainee, attempt):
    one, two, nine = qids(attempt, [1, 2, 9])
    q = {c["id"]: c for c in attempt.paper["questions"]}
    attempt_save_answers(
        attempt=attempt, answers={nine: correct_ids(q[nine])}, sequence=0, only={nine}
    )
    attempt_save_answers(
        attempt=attempt, answers={one: correct_ids(q[one])}, sequence=1, only={one, two}
    )
    assert answered_numbers(attempt) == [1, 9]
    with pytest.raises(ValidationError) as raised:
        attempt_save_answers(attempt=attempt, answers={nine: []}, sequence=2, only={one, two})
    assert raised.value.messages == [SAVE_NOT_ON_PAGE]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_paginated_attempt_page_queries_do_not_grow(
    trainee, trainee_client, django_assert_max_num_queries
):
    small = attempt_start(user=trainee, quiz=make_quiz(10, slug="ten", questions_per_page=PER_PAGE))
    large = attempt_start(
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
