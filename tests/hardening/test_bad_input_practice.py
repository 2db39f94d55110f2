"""Bad input, generated, for immediate-feedback practice's Check and Try again.

Besides "no 5xx, a message, nothing stored on a refusal", each case checks the rule the
endpoints exist for: a question is never checked more often than its tries allow, a
refused post changes no answer, and a check stores exactly the posted question.
"""

from __future__ import annotations

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from quizzes.models import Attempt, AttemptAnswer
from quizzes.practice.services import practice_answer_check
from tests.hardening.test_bad_input import (
    ACCEPT_JSON,
    form,
    fuzz_settings,
    keep_cookies,
    or_valid,
    post_form,
    rolled_back,
    run_case,
    signed_in,
    values,
)

PRACTICE_FUZZ = fuzz_settings(60)
JSON = ACCEPT_JSON


def _state(attempt):
    def state():
        row = Attempt.objects.filter(pk=attempt.pk).values("state").get()
        answers = tuple(
            AttemptAnswer.objects.filter(attempt=attempt)
            .order_by("question_id")
            .values_list("question_id", "selected", "checked_at", "tries")
        )
        return row, answers

    return state


def _fields(attempt) -> dict:
    ids = [str(q["id"]) for q in attempt.paper["questions"]]
    fields = {"question": values(*ids, "999999", "-1")}
    for question in attempt.paper["questions"]:
        positions = [str(i) for i in range(len(question["choices"]) + 1)]
        fields[f"q-{question['id']}"] = values(*positions)
    fields["q-999999"] = values("0")
    return fields


def _valid(attempt) -> dict:
    question = attempt.paper["questions"][0]
    return {
        "question": st.just(str(question["id"])),
        f"q-{question['id']}": st.sampled_from([str(i) for i in range(len(question["choices"]))]),
    }


def _fuzz(world, *, attempt, name: str, endpoint: str, headers: dict, tries_allowed: int):
    client = signed_in(world.trainee)
    restore = keep_cookies(client)
    url = reverse(endpoint, kwargs={"uuid": attempt.uuid})
    state = _state(attempt)

    @PRACTICE_FUZZ
    @given(pairs=or_valid(_valid(attempt), form(_fields(attempt))), json=st.booleans())
    def case(pairs, json):
        restore()

        def send():
            return post_form(client, url, pairs, **(JSON if json else headers))

        with rolled_back():
            before = state()
            response = run_case(
                name, send, allowed={200, 302, 400, 409}, state=state, rollback=False
            )
            _, answers = state()
            assert all(tries <= tries_allowed for *_, tries in answers)
            if response.status_code in (200, 302) and endpoint == "practice:check":
                posted = dict(pairs).get("question")
                changed = [a[0] for a, b in zip(answers, before[1], strict=True) if a != b]
                assert {str(qid) for qid in changed} <= {posted}
                checked = {str(qid) for qid, _, at, _ in answers if at is not None}
                assert posted in checked

    case()


def test_check_as_a_form_and_json_never_fails_and_never_double_counts(world):
    _fuzz(
        world,
        attempt=world.practice_attempt,
        name="practice check",
        endpoint="practice:check",
        headers={},
        tries_allowed=1,
    )


def test_check_in_a_mistakes_round_keeps_to_its_two_tries(world):
    _fuzz(
        world,
        attempt=world.practice_round,
        name="practice check (round)",
        endpoint="practice:check",
        headers={},
        tries_allowed=2,
    )


def test_try_again_never_fails_and_never_gives_an_extra_try(world):
    first = world.practice_round.paper["questions"][0]
    practice_answer_check(
        attempt=world.practice_round,
        question_id=first["id"],
        choice_ids=[first["choices"][1]["id"]],
    )
    _fuzz(
        world,
        attempt=world.practice_round,
        name="practice retry",
        endpoint="practice:retry",
        headers={},
        tries_allowed=2,
    )


def test_an_exam_attempt_refuses_every_check(world):
    client = signed_in(world.trainee)
    restore = keep_cookies(client)
    attempt = world.exam_attempt
    url = reverse("practice:check", kwargs={"uuid": attempt.uuid})
    state = _state(attempt)

    @PRACTICE_FUZZ
    @given(pairs=or_valid(_valid(attempt), form(_fields(attempt))))
    def case(pairs):
        restore()
        response = run_case(
            "practice check (exam)",
            lambda: post_form(client, url, pairs, **JSON),
            allowed={400, 409},
            state=state,
        )
        assert response.status_code in (400, 409)

    case()
