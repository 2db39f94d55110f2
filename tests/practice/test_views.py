"""The immediate-feedback page: who may see it, Check and Try again with and without JS."""

import pytest
from django.urls import reverse

from quizzes import services as engine
from quizzes.models import AttemptAnswer, Bank
from quizzes.practice import services
from quizzes.practice.forms import CHECK_OTHER_QUESTION
from tests.builders import (
    EXPLANATION_MARK,
    FEEDBACK_MARK,
    correct_positions,
    make_question,
    make_quiz,
    wrong_positions,
)
from tests.builders.practice import make_immediate_quiz, mistakes_round

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def _urls(attempt):
    return {
        name: reverse(f"practice:{name}", kwargs={"uuid": attempt.uuid})
        for name in ("round", "check", "retry")
    }


def _check_post(question, positions):
    return {"question": str(question["id"]), f"q-{question['id']}": [str(p) for p in positions]}


def test_the_attempt_page_of_an_immediate_quiz_sends_to_the_practice_page(trainee_client, trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz())
    response = trainee_client.get(reverse("quizzes:attempt", kwargs={"uuid": attempt.uuid}))
    assert response.status_code == 302
    assert response["Location"] == _urls(attempt)["round"]


def test_a_deferred_attempt_is_sent_back_to_the_attempt_page(trainee_client, trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_quiz(2))
    response = trainee_client.get(_urls(attempt)["round"])
    assert response["Location"] == reverse("quizzes:attempt", kwargs={"uuid": attempt.uuid})


def test_the_page_shows_no_answer_key_before_a_question_is_checked(trainee_client, trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz())
    html = trainee_client.get(_urls(attempt)["round"]).content.decode()
    assert 'id="question-1"' in html and ">Check</button>" in html
    assert EXPLANATION_MARK not in html and FEEDBACK_MARK not in html
    assert "Correct answer" not in html


def test_another_user_gets_404_for_the_page_and_its_posts(client, other_trainee, trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz())
    first = attempt.paper["questions"][0]
    client.force_login(other_trainee)
    urls = _urls(attempt)
    assert client.get(urls["round"]).status_code == 404
    assert client.post(urls["check"], _check_post(first, [0])).status_code == 404
    assert client.post(urls["retry"], {"question": str(first["id"])}).status_code == 404
    assert AttemptAnswer.objects.get(attempt=attempt, question_id=first["id"]).tries == 0


def test_check_without_js_redirects_to_the_question_with_its_feedback(trainee_client, trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz())
    first = attempt.paper["questions"][0]
    urls = _urls(attempt)

    response = trainee_client.post(urls["check"], _check_post(first, wrong_positions(first)))

    assert response.status_code == 302
    assert response["Location"] == urls["round"] + "#question-1"
    html = trainee_client.get(urls["round"]).content.decode()
    assert f"{EXPLANATION_MARK} why" in html and FEEDBACK_MARK in html
    assert 'data-testid="check-outcome"' in html and "Wrong" in html
    # Only the checked question's key is shown: the second is still unanswered.
    assert html.count(EXPLANATION_MARK) == 1


def test_check_with_js_returns_the_question_s_card_with_feedback(trainee_client, trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz())
    first = attempt.paper["questions"][0]
    response = trainee_client.post(
        _urls(attempt)["check"], _check_post(first, correct_positions(first)), **JSON
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["checked"], body["correct"], body["checked_count"]) == (
        1,
        True,
        True,
        1,
    )
    assert "Correct answer" in body["html"] and EXPLANATION_MARK in body["html"]


def test_check_with_js_counts_the_checked_questions_of_the_whole_round(trainee_client, trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz())
    first, second, _ = attempt.paper["questions"]
    check_url = _urls(attempt)["check"]
    trainee_client.post(check_url, _check_post(first, wrong_positions(first)), **JSON)
    response = trainee_client.post(
        check_url, _check_post(second, correct_positions(second)), **JSON
    )
    assert response.json()["checked_count"] == 2


def test_try_again_without_js_unlocks_the_question(trainee_client, trainee):
    practice = mistakes_round(trainee, make_immediate_quiz(tries=2))
    first = practice.paper["questions"][0]
    urls = _urls(practice)
    trainee_client.post(urls["check"], _check_post(first, wrong_positions(first)))
    assert "Try again" in trainee_client.get(urls["round"]).content.decode()

    response = trainee_client.post(urls["retry"], {"question": str(first["id"])})

    assert response["Location"] == urls["round"] + "#question-1"
    html = trainee_client.get(urls["round"]).content.decode()
    assert "Try 2 of 2" in html and html.count(EXPLANATION_MARK) == 0


def test_checking_another_answer_after_a_check_is_409_with_the_message(trainee_client, trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz())
    first = attempt.paper["questions"][0]
    url = _urls(attempt)["check"]
    trainee_client.post(url, _check_post(first, wrong_positions(first)))
    again = trainee_client.post(url, _check_post(first, wrong_positions(first)), **JSON)
    other = trainee_client.post(url, _check_post(first, correct_positions(first)), **JSON)
    assert again.status_code == 200
    assert (other.status_code, other.json()["error"]) == (409, services.CHECK_LOCKED)


def test_the_autosave_cannot_change_a_checked_answer(trainee_client, trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz())
    first = attempt.paper["questions"][0]
    trainee_client.post(_urls(attempt)["check"], _check_post(first, wrong_positions(first)))
    attempt.refresh_from_db()
    response = trainee_client.post(
        reverse("quizzes:save", kwargs={"uuid": attempt.uuid}),
        {"sequence": str(attempt.sequence), f"q-{first['id']}": "0"},
        **JSON,
    )
    assert (response.status_code, response.json()["error"]) == (409, services.PRACTICE_SAVE_LOCKED)
    row = AttemptAnswer.objects.get(attempt=attempt, question_id=first["id"])
    assert row.selected == [first["choices"][wrong_positions(first)[0]]["id"]]


def test_an_exam_attempt_s_check_is_409(trainee_client, trainee):
    exam = make_quiz(
        [make_question(f"exam-v-{i}", bank=Bank.EXAM) for i in range(2)], slug="exam", bank="exam"
    )
    attempt = engine.attempt_start(user=trainee, quiz=exam)
    first = attempt.paper["questions"][0]
    response = trainee_client.post(_urls(attempt)["check"], _check_post(first, [0]), **JSON)
    assert (response.status_code, response.json()["error"]) == (409, services.CHECK_NOT_IMMEDIATE)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"question": "x"}, engine.SAVE_UNKNOWN_QUESTION),
        ({"question": "999999"}, engine.SAVE_UNKNOWN_QUESTION),
        ({}, services.CHECK_NOTHING_CHOSEN),
    ],
)
def test_bad_check_posts_are_400_with_a_message(trainee_client, trainee, data, message):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz())
    first = attempt.paper["questions"][0]
    data = {"question": str(first["id"]), **data}
    response = trainee_client.post(_urls(attempt)["check"], data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_check_naming_two_questions_is_400(trainee_client, trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz())
    first, second = attempt.paper["questions"][:2]
    data = {**_check_post(first, [0]), f"q-{second['id']}": "0"}
    response = trainee_client.post(_urls(attempt)["check"], data, **JSON)
    assert (response.status_code, response.json()["error"]) == (400, CHECK_OTHER_QUESTION)


def test_finish_submits_and_shows_the_result(trainee_client, trainee):
    attempt = engine.attempt_start(user=trainee, quiz=make_immediate_quiz())
    first = attempt.paper["questions"][0]
    trainee_client.post(_urls(attempt)["check"], _check_post(first, correct_positions(first)))
    response = trainee_client.post(
        reverse("quizzes:submit", kwargs={"uuid": attempt.uuid}), {"confirm": "1"}
    )
    assert response["Location"] == reverse("quizzes:result", kwargs={"uuid": attempt.uuid})
    attempt.refresh_from_db()
    assert attempt.points == 1.0
    # The page of a submitted attempt sends to its result; a check is 409.
    assert trainee_client.get(_urls(attempt)["round"]).status_code == 302
    closed = trainee_client.post(_urls(attempt)["check"], _check_post(first, [0]), **JSON)
    assert closed.status_code == 409 and closed.json()["closed"] is True


@pytest.mark.parametrize("questions", [3, 30])
def test_the_page_s_queries_stay_flat_as_the_round_grows(
    trainee_client, trainee, django_assert_max_num_queries, questions
):
    attempt = engine.attempt_start(
        user=trainee, quiz=make_immediate_quiz(questions=questions, slug=f"flat-{questions}")
    )
    for question in attempt.paper["questions"][::2]:
        services.practice_answer_check(
            attempt=attempt,
            question_id=question["id"],
            choice_ids=[question["choices"][0]["id"]],
        )
    url = _urls(attempt)["round"]
    trainee_client.get(url)  # warm the session
    with django_assert_max_num_queries(6):
        response = trainee_client.get(url)
    assert response.status_code == 200
