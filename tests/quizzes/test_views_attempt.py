"""The attempt page, save and submit: long papers in pages, tampered and stale posts, access.

Each page of a long paper saves only its own questions; Previous, Next and the
page navigator save first. Posts naming ids not on the paper or page get 400,
an older tab 409 for the questions it changed that another tab changed too (the rest
merge), and another trainee's attempt is 404 everywhere.
"""

import json
import re

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.forms import SEQUENCE_MISSING
from quizzes.models import Attempt, AttemptAnswer
from quizzes.saving import SAVE_CONFLICT_MANY, SAVE_CONFLICT_ONE
from quizzes.views import SAVED
from tests.builders import (
    EXPLANATION_MARK,
    FEEDBACK_MARK,
    correct_positions,
    make_question,
    make_quiz,
    wrong_positions,
)
from tests.quizzes.test_views import JSON, form_data, selected, start

pytestmark = pytest.mark.django_db

PER_PAGE = 5


# Integrity ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("q-999999", "0", services.SAVE_UNKNOWN_QUESTION),
        ("q-abc", "0", services.SAVE_UNKNOWN_QUESTION),
        ("own", "7", services.SAVE_UNKNOWN_CHOICE),
        ("own", "x", services.SAVE_UNKNOWN_CHOICE),
        ("own", "-1", services.SAVE_UNKNOWN_CHOICE),
    ],
)
def test_tampered_ids_get_400_and_nothing_saved(trainee_client, field, value, message):
    quiz = make_quiz(2)
    attempt = start(trainee_client, quiz)
    q0, q1 = attempt.paper["questions"]
    data = form_data(attempt, {0: [0]})
    data[f"q-{q1['id']}" if field == "own" else field] = value
    for extra in ({}, JSON):
        response = trainee_client.post(reverse("quizzes:save", args=[attempt.uuid]), data, **extra)
        assert response.status_code == 400
        if extra:
            assert response.json()["error"] == message
        else:
            assert message in response.content.decode()
    assert selected(attempt) == {q0["id"]: [], q1["id"]: []}
    attempt.refresh_from_db()
    assert attempt.sequence == 0


def test_two_choices_on_a_single_choice_question_get_400(trainee_client):
    quiz = make_quiz(1)
    attempt = start(trainee_client, quiz)
    response = trainee_client.post(
        reverse("quizzes:save", args=[attempt.uuid]), form_data(attempt, {0: [0, 1]}), **JSON
    )
    assert response.status_code == 400
    assert response.json() == {"error": services.SAVE_ONE_CHOICE_ONLY}


def test_missing_sequence_gets_400(trainee_client):
    quiz = make_quiz(1)
    attempt = start(trainee_client, quiz)
    response = trainee_client.post(
        reverse("quizzes:save", args=[attempt.uuid]), {"answers": "1"}, **JSON
    )
    assert response.status_code == 400
    assert response.json() == {"error": SEQUENCE_MISSING}


def test_stale_tab_changing_the_same_question_gets_409_naming_it(trainee_client):
    quiz = make_quiz(1)
    attempt = start(trainee_client, quiz)
    q = attempt.paper["questions"][0]
    newer = trainee_client.post(
        reverse("quizzes:save", args=[attempt.uuid]),
        form_data(attempt, {0: correct_positions(q)}, sequence=0),
        **JSON,
    )
    assert newer.status_code == 200
    stale = trainee_client.post(
        reverse("quizzes:save", args=[attempt.uuid]),
        form_data(attempt, {0: wrong_positions(q)}, sequence=0),
        **JSON,
    )
    assert stale.status_code == 409
    assert stale.json() == {
        "error": SAVE_CONFLICT_ONE.format(numbers=1),
        "sequence": 1,
        "conflicts": [
            {"question": q["id"], "number": 1, "positions": correct_positions(q), "text": ""}
        ],
        "changed_elsewhere": [],
        "others_saved": False,
    }
    html = trainee_client.post(
        reverse("quizzes:submit", args=[attempt.uuid]),
        form_data(attempt, {0: wrong_positions(q)}, sequence=0),
    )
    assert html.status_code == 409
    assert SAVE_CONFLICT_ONE.format(numbers=1) in html.content.decode()
    attempt.refresh_from_db()
    assert attempt.is_open is True
    assert selected(attempt) == {q["id"]: [q["choices"][correct_positions(q)[0]]["id"]]}


def test_another_trainees_attempt_is_404_everywhere(client, trainee, other_trainee):
    quiz = make_quiz(1)
    attempt = services.attempt_start(user=trainee, quiz=quiz)
    client.force_login(other_trainee)
    data = form_data(attempt, {0: [0]})
    for name in ("attempt", "result"):
        assert client.get(reverse(f"quizzes:{name}", args=[attempt.uuid])).status_code == 404
    for name in ("save", "submit"):
        response = client.post(reverse(f"quizzes:{name}", args=[attempt.uuid]), data)
        assert response.status_code == 404
    practice = client.post(reverse("quizzes:practice", args=[quiz.slug]), {"source": attempt.uuid})
    assert practice.status_code == 404
    attempt.refresh_from_db()
    assert attempt.is_open is True
    assert attempt.sequence == 0


def test_anonymous_visitors_are_sent_to_log_in(client):
    quiz = make_quiz(1)
    response = client.get(reverse("quizzes:detail", args=[quiz.slug]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_draft_quiz_is_404_for_trainees(trainee_client):
    quiz = make_quiz(1, status="draft")
    assert trainee_client.get(reverse("quizzes:detail", args=[quiz.slug])).status_code == 404
    assert trainee_client.post(reverse("quizzes:start", args=[quiz.slug])).status_code == 404


def test_state_changes_need_post(trainee_client):
    quiz = make_quiz(1)
    attempt = start(trainee_client, quiz)
    assert trainee_client.get(reverse("quizzes:start", args=[quiz.slug])).status_code == 405
    assert trainee_client.get(reverse("quizzes:save", args=[attempt.uuid])).status_code == 405
    assert trainee_client.get(reverse("quizzes:submit", args=[attempt.uuid])).status_code == 405


def test_answers_never_leak_before_submission(trainee_client):
    questions = [
        make_question("leak-single"),
        make_question("leak-multi", kind="multiple"),
        make_question("leak-tf", kind="true_false"),
    ]
    quiz = make_quiz(questions, shuffle_choices=True, shuffle_questions=True)
    attempt = start(trainee_client, quiz)
    responses = [
        trainee_client.get(reverse("quizzes:detail", args=[quiz.slug])),
        trainee_client.get(reverse("quizzes:attempt", args=[attempt.uuid])),
        trainee_client.post(
            reverse("quizzes:save", args=[attempt.uuid]), form_data(attempt, {0: [0]}), **JSON
        ),
        trainee_client.post(
            reverse("quizzes:save", args=[attempt.uuid]), form_data(attempt, {0: [0]}), **JSON
        ),  # the same post again (a double click): nothing to change, no conflict
        trainee_client.post(
            reverse("quizzes:submit", args=[attempt.uuid]), form_data(attempt, {0: [0]}, 1)
        ),  # the confirmation page
        trainee_client.get(reverse("quizzes:result", args=[attempt.uuid]), follow=True),
        trainee_client.get(reverse("quizzes:history", args=[quiz.slug])),
    ]
    from django.contrib.staticfiles import finders

    with open(finders.find("quizzes/attempt.js")) as script:
        texts = [script.read()]
    texts += [r.content.decode() for r in responses]
    statuses = [r.status_code for r in responses]
    assert statuses == [200, 200, 200, 200, 200, 200, 200]
    for text in texts:
        assert EXPLANATION_MARK not in text
        assert FEEDBACK_MARK not in text
        assert "is_correct" not in text
        assert "Correct answer" not in text
        assert "explanation" not in text.lower()
    # Choices are named by their position on the paper, never by database id.
    values = set(re.findall(r'name="q-\d+" value="([^"]+)"', texts[2]))
    assert values == {"0", "1", "2", "3"}
    json.loads(texts[3])  # the autosave reply is plain JSON with no answer key


# Pages of a long paper ------------------------------------------------------------------


@pytest.fixture
def attempt(trainee):
    quiz = make_quiz(12, questions_per_page=PER_PAGE)
    return services.attempt_start(user=trainee, quiz=quiz)


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
    assert response.json() == {"error": services.SAVE_NOT_ON_PAGE}
    assert answered_numbers(attempt) == []


@pytest.mark.parametrize("bogus", ["999999", "abc"])
def test_unknown_shown_question_is_refused(trainee_client, attempt, bogus):
    data = page_post(attempt, 1, {1: [0]})
    data["shown"] = [*data["shown"], bogus]
    response = trainee_client.post(reverse("quizzes:save", args=[attempt.uuid]), data, **JSON)
    assert response.status_code == 400
    assert response.json() == {"error": services.SAVE_UNKNOWN_QUESTION}
    assert answered_numbers(attempt) == []


def test_stale_page_navigation_without_bases_gets_409_and_saves_nothing(trainee_client, attempt):
    save = reverse("quizzes:save", args=[attempt.uuid])
    trainee_client.post(save, page_post(attempt, 1, {1: [0]}, goto="2"))
    # An older tab still on sequence 0, posting no bases, presses Next: every answer
    # it differs on is a conflict, since nothing says which side changed it.
    response = trainee_client.post(save, page_post(attempt, 1, {2: [0]}, sequence=0, goto="2"))
    assert response.status_code == 409
    assert SAVE_CONFLICT_MANY.format(numbers="1 and 2") in response.content.decode()
    assert answered_numbers(attempt) == [1]


def test_stale_page_navigation_with_bases_merges_and_goes_on(trainee_client, attempt):
    save = reverse("quizzes:save", args=[attempt.uuid])
    trainee_client.post(save, page_post(attempt, 1, {1: [0]}, goto="2"))
    # The older tab loaded page 1 with nothing answered: its bases are all empty.
    bases = {f"base-{qid}": "" for qid in qids(attempt, range(1, 6))}
    stale = page_post(attempt, 1, {2: [0]}, sequence=0, goto="2", **bases)
    response = trainee_client.post(save, stale)
    assert response.status_code == 302
    assert response.url.endswith("?page=2")
    assert answered_numbers(attempt) == [1, 2]


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
        return {n: [correct_positions(questions[n - 1])[0]] for n in numbers}

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


def test_unpaginated_quiz_shows_everything_without_a_navigator(trainee, trainee_client):
    attempt = services.attempt_start(user=trainee, quiz=make_quiz(12, slug="all-on-one"))
    html = trainee_client.get(attempt_url(attempt)).content.decode()
    assert html.count("<fieldset") == 12
    assert 'data-testid="navigator"' not in html
    assert "Page 1 of" not in html


def test_preview_shows_every_question_on_one_page(educator_client):
    quiz = make_quiz(12, questions_per_page=PER_PAGE)
    html = educator_client.get(reverse("authoring:quiz_preview", args=[quiz.slug])).content.decode()
    assert html.count("<fieldset") == 12
    assert 'data-testid="navigator"' not in html
