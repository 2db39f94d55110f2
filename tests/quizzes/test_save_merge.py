"""Two tabs on one attempt: saves merge per question, only the same question conflicts.

Each "tab" is a save posted with the sequence and bases (the answers it last knew the
server held) of the page it loaded. The decision rule itself is pure and tested first.
"""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.saving import (
    CONFLICT,
    KEEP,
    SAVE_CONFLICT_MANY,
    SAVE_CONFLICT_ONE,
    SAVE_CONFLICT_OTHERS_SAVED,
    WRITE,
    conflict_message,
    merge_decision,
)
from quizzes.services import attempt_save_answers, attempt_start
from tests.builders import (
    correct_ids,
    correct_positions,
    make_question,
    make_quiz,
    wrong_ids,
    wrong_positions,
)
from tests.marking.conftest import make_written

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
JSON = {"HTTP_ACCEPT": "application/json"}


def saved(attempt):
    return {row.question_id: sorted(row.selected) for row in attempt.answers.all()}


# The rule (pure) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "posted", "base", "fresh", "decision"),
    [
        ([1], [1], [], False, KEEP),  # already so: a double click
        ([1], [], [], False, KEEP),  # changed elsewhere, not here: the other tab's answer stays
        ([], [2], [], False, WRITE),  # changed here only
        ([1], [2], [], False, CONFLICT),  # changed in both
        ([1], [2], [], True, CONFLICT),  # a current sequence does not hide a changed base
        ("b", "c", "a", False, CONFLICT),  # written answers follow the same rule
        ("a", "c", "a", False, WRITE),
    ],
)
def test_merge_decision_per_question(stored, posted, base, fresh, decision):
    assert merge_decision(stored=stored, posted=posted, base=base, fresh=fresh) == decision


def test_without_a_base_only_a_current_page_writes():
    assert merge_decision(stored=[1], posted=[2], fresh=True) == WRITE
    assert merge_decision(stored=[1], posted=[2], fresh=False) == CONFLICT


def test_conflict_message_names_the_questions():
    class Answer:
        def __init__(self, number):
            self.number = number

    assert conflict_message([Answer(3)]) == SAVE_CONFLICT_ONE.format(numbers="3")
    many = conflict_message([Answer(2), Answer(5), Answer(7)])
    assert many == SAVE_CONFLICT_MANY.format(numbers="2, 5 and 7")


# The service ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_two_tabs_changing_different_questions_keep_both(trainee):
    attempt = attempt_start(user=trainee, quiz=make_quiz(3), now=T0)
    q1, q2, q3 = attempt.paper["questions"]
    empty = {q["id"]: [] for q in (q1, q2, q3)}
    # Tab one and tab two both loaded the empty paper at sequence 0.
    assert (
        attempt_save_answers(
            attempt=attempt, answers={q1["id"]: correct_ids(q1)}, sequence=0, bases=empty, now=T0
        )
        == 1
    )
    new = attempt_save_answers(
        attempt=attempt, answers={q2["id"]: wrong_ids(q2)}, sequence=0, bases=empty, now=T0
    )
    assert new == 2
    assert saved(attempt) == {q1["id"]: correct_ids(q1), q2["id"]: wrong_ids(q2), q3["id"]: []}


@pytest.mark.django_db
def test_two_tabs_changing_the_same_question_conflict_naming_it_and_lose_nothing_else(trainee):
    attempt = attempt_start(user=trainee, quiz=make_quiz(3), now=T0)
    q1, q2, q3 = attempt.paper["questions"]
    empty = {q["id"]: [] for q in (q1, q2, q3)}
    attempt_save_answers(
        attempt=attempt, answers={q1["id"]: correct_ids(q1)}, sequence=0, bases=empty, now=T0
    )
    # The older tab changed question 1 too, and question 3.
    with pytest.raises(services.SaveConflict) as raised:
        attempt_save_answers(
            attempt=attempt,
            answers={q1["id"]: wrong_ids(q1), q3["id"]: correct_ids(q3)},
            sequence=0,
            bases=empty,
            now=T0,
        )
    conflict = raised.value
    assert isinstance(conflict, services.StaleSequence)
    assert conflict.message == SAVE_CONFLICT_ONE.format(numbers="1")
    [stored] = conflict.outcome.conflicts
    assert (stored.question_id, stored.number) == (q1["id"], 1)
    assert list(stored.positions) == correct_positions(q1)
    assert conflict.outcome.written == (q3["id"],)
    assert saved(attempt) == {q1["id"]: correct_ids(q1), q2["id"]: [], q3["id"]: correct_ids(q3)}
    attempt.refresh_from_db()
    assert attempt.sequence == 2
    assert conflict.outcome.sequence == 2


@pytest.mark.django_db
def test_a_conflict_that_saves_nothing_keeps_the_sequence(trainee):
    attempt = attempt_start(user=trainee, quiz=make_quiz(1), now=T0)
    [q] = attempt.paper["questions"]
    attempt_save_answers(
        attempt=attempt, answers={q["id"]: correct_ids(q)}, sequence=0, bases={q["id"]: []}
    )
    with pytest.raises(services.SaveConflict):
        attempt_save_answers(
            attempt=attempt, answers={q["id"]: wrong_ids(q)}, sequence=0, bases={q["id"]: []}
        )
    attempt.refresh_from_db()
    assert attempt.sequence == 1


@pytest.mark.django_db
def test_a_repeated_save_is_harmless(trainee):
    attempt = attempt_start(user=trainee, quiz=make_quiz(2), now=T0)
    q1, q2 = attempt.paper["questions"]
    answers = {q1["id"]: correct_ids(q1)}
    bases = {q1["id"]: [], q2["id"]: []}
    assert attempt_save_answers(attempt=attempt, answers=answers, sequence=0, bases=bases) == 1
    assert attempt_save_answers(attempt=attempt, answers=answers, sequence=0, bases=bases) == 1
    assert saved(attempt) == {q1["id"]: correct_ids(q1), q2["id"]: []}


@pytest.mark.django_db
def test_a_tab_that_left_a_question_alone_keeps_the_other_tabs_answer_and_is_told(trainee):
    attempt = attempt_start(user=trainee, quiz=make_quiz(2), now=T0)
    q1, q2 = attempt.paper["questions"]
    empty = {q1["id"]: [], q2["id"]: []}
    attempt_save_answers(attempt=attempt, answers={q1["id"]: correct_ids(q1)}, sequence=0)
    outcome = services.attempt_save_merge(
        attempt=attempt, answers={q2["id"]: correct_ids(q2)}, sequence=0, bases=empty
    )
    assert outcome.conflicts == ()
    assert [a.question_id for a in outcome.changed_elsewhere] == [q1["id"]]
    assert saved(attempt) == {q1["id"]: correct_ids(q1), q2["id"]: correct_ids(q2)}


@pytest.mark.django_db
def test_written_answers_merge_by_the_same_rule(trainee):
    quiz = make_quiz(
        questions=[make_question("merge-choice"), make_written("merge-written")],
        slug="merge-cases",
        hand_marked=True,
    )
    attempt = attempt_start(user=trainee, quiz=quiz, now=T0)
    by_kind = {q["kind"]: q for q in attempt.paper["questions"]}
    text_q = by_kind["written"]
    choice_q = next(q for q in attempt.paper["questions"] if q["kind"] != "written")
    bases = {text_q["id"]: "", choice_q["id"]: []}
    attempt_save_answers(
        attempt=attempt, answers={}, texts={text_q["id"]: "Tab one"}, sequence=0, bases=bases
    )
    # The other tab answered only the choice question: the text is kept, the choice written.
    attempt_save_answers(
        attempt=attempt,
        answers={choice_q["id"]: correct_ids(choice_q)},
        texts={text_q["id"]: ""},
        sequence=0,
        bases=bases,
    )
    assert attempt.answers.get(question_id=text_q["id"]).text == "Tab one"
    assert saved(attempt)[choice_q["id"]] == correct_ids(choice_q)
    # Both tabs typing in the same answer: the second is a conflict naming it.
    with pytest.raises(services.SaveConflict) as raised:
        attempt_save_answers(
            attempt=attempt, answers={}, texts={text_q["id"]: "Tab two"}, sequence=0, bases=bases
        )
    [stored] = raised.value.outcome.conflicts
    assert stored.question_id == text_q["id"] and stored.text == "Tab one"
    assert attempt.answers.get(question_id=text_q["id"]).text == "Tab one"


# The page ------------------------------------------------------------------------------


def _post(attempt, choose, *, sequence, bases):
    data = {"sequence": str(sequence), "answers": "1"}
    for index, positions in choose.items():
        q = attempt.paper["questions"][index]
        data[f"q-{q['id']}"] = [str(p) for p in positions]
    for index, positions in bases.items():
        q = attempt.paper["questions"][index]
        data[f"base-{q['id']}"] = ",".join(str(p) for p in positions)
    return data


@pytest.mark.django_db
def test_stale_tab_json_conflict_returns_the_servers_answer_and_saves_the_rest(
    trainee_client, trainee
):
    attempt = attempt_start(user=trainee, quiz=make_quiz(2))
    q1, q2 = attempt.paper["questions"]
    url = reverse("quizzes:save", args=[attempt.uuid])
    blank = {0: [], 1: []}
    first = trainee_client.post(
        url, _post(attempt, {0: correct_positions(q1)}, sequence=0, bases=blank), **JSON
    )
    assert first.status_code == 200
    stale = trainee_client.post(
        url,
        _post(attempt, {0: wrong_positions(q1), 1: correct_positions(q2)}, sequence=0, bases=blank),
        **JSON,
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["error"] == SAVE_CONFLICT_ONE.format(numbers="1")
    assert body["conflicts"] == [
        {"question": q1["id"], "number": 1, "positions": correct_positions(q1), "text": ""}
    ]
    assert body["others_saved"] is True
    assert body["sequence"] == 2
    assert saved(attempt) == {q1["id"]: correct_ids(q1), q2["id"]: correct_ids(q2)}


@pytest.mark.django_db
def test_stale_tab_form_post_conflict_page_links_the_question(trainee_client, trainee):
    attempt = attempt_start(user=trainee, quiz=make_quiz(2))
    q1, q2 = attempt.paper["questions"]
    url = reverse("quizzes:save", args=[attempt.uuid])
    blank = {0: [], 1: []}
    trainee_client.post(url, _post(attempt, {0: correct_positions(q1)}, sequence=0, bases=blank))
    page = trainee_client.post(
        url,
        _post(attempt, {0: wrong_positions(q1), 1: correct_positions(q2)}, sequence=0, bases=blank),
    )
    assert page.status_code == 409
    html = page.content.decode()
    assert SAVE_CONFLICT_ONE.format(numbers="1") in html
    assert SAVE_CONFLICT_OTHERS_SAVED in html
    assert f'#question-{q1["id"]}">Go to question 1</a>' in html
    assert 'role="alert"' in html


@pytest.mark.parametrize("base", ["9", "x", "0,,1"])
@pytest.mark.django_db
def test_a_bad_base_is_refused_with_400_and_saves_nothing(trainee_client, trainee, base):
    attempt = attempt_start(user=trainee, quiz=make_quiz(1))
    [q] = attempt.paper["questions"]
    data = _post(attempt, {0: correct_positions(q)}, sequence=0, bases={})
    data[f"base-{q['id']}"] = base
    response = trainee_client.post(reverse("quizzes:save", args=[attempt.uuid]), data, **JSON)
    assert response.status_code == 400
    assert response.json() == {"error": services.SAVE_UNKNOWN_CHOICE}
    assert saved(attempt) == {q["id"]: []}


@pytest.mark.django_db
def test_the_attempt_page_carries_each_questions_base_and_the_answered_count(
    trainee_client, trainee
):
    attempt = attempt_start(user=trainee, quiz=make_quiz(3))
    q1 = attempt.paper["questions"][0]
    attempt_save_answers(attempt=attempt, answers={q1["id"]: correct_ids(q1)}, sequence=0)
    html = trainee_client.get(reverse("quizzes:attempt", args=[attempt.uuid])).content.decode()
    positions = ",".join(str(p) for p in correct_positions(q1))
    assert f'name="base-{q1["id"]}" value="{positions}"' in html
    assert ">1 of 3 answered<" in html
    assert 'href="#quiz-actions"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 40])
def test_attempt_page_queries_stay_flat(
    trainee_client, trainee, size, django_assert_max_num_queries
):
    attempt = attempt_start(user=trainee, quiz=make_quiz(size))
    url = reverse("quizzes:attempt", args=[attempt.uuid])
    with django_assert_max_num_queries(6):
        assert trainee_client.get(url).status_code == 200
