"""Bad input, generated, for the attempt page's merged save (issue 18, H1).

The answers, the sequence and a base per question (`base-<id>`, the positions the page
last knew the server held); run locally with a modest HARDENING_CASES (e.g. 60). Besides
"no 5xx, a message, all or nothing on a 400", a 409 conflict never changes the
conflicting question's stored answer, and a page whose bases equal the stored answers is
never a conflict.
"""

from __future__ import annotations

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from quizzes.models import AttemptAnswer
from tests.hardening.test_bad_input import (
    FUZZ,
    NASTY,
    attempt_state,
    done,
    form,
    keep_cookies,
    post_form,
    rolled_back,
    run_case,
    signed_in,
    values,
)

JSON = {"HTTP_ACCEPT": "application/json"}


def _stored(attempt) -> dict[int, list[int]]:
    rows = AttemptAnswer.objects.filter(attempt=attempt).values_list("question_id", "selected")
    return {qid: sorted(selected) for qid, selected in rows}


def _fields(attempt) -> dict:
    fields = {"sequence": values(str(attempt.sequence), str(attempt.sequence + 1), "0")}
    for question in attempt.paper["questions"]:
        count = len(question["choices"])
        positions = [str(i) for i in range(count + 1)]
        fields[f"q-{question['id']}"] = values(*positions)
        fields[f"base-{question['id']}"] = st.one_of(
            st.just(""),
            st.sampled_from(positions),
            st.lists(st.integers(min_value=-1, max_value=count), max_size=3).map(
                lambda ps: ",".join(map(str, ps))
            ),
            NASTY,
        )
    fields["base-999999"] = values("0")
    fields["base-abc"] = values("")
    return fields


def test_merged_save_with_generated_bases(world):
    name = "autosave with bases"
    attempt = world.in_progress
    client = signed_in(world.trainee)
    restore = keep_cookies(client)
    url = reverse("quizzes:save", kwargs={"uuid": attempt.uuid})
    state = attempt_state(attempt)

    @FUZZ
    @given(pairs=form(_fields(attempt)), json_client=st.booleans())
    def case(pairs, json_client):
        restore()
        headers = JSON if json_client else {}
        with rolled_back():
            before = _stored(attempt)
            response = run_case(
                name,
                lambda: post_form(client, url, pairs, **headers),
                allowed={200, 302, 400, 409},
                state=state,
                rollback=False,
            )
            if response.status_code == 409 and json_client and "conflicts" in response.json():
                after = _stored(attempt)
                for conflict in response.json()["conflicts"]:
                    assert after[conflict["question"]] == before[conflict["question"]]

    case()
    done(name)


def test_bases_equal_to_the_stored_answers_never_conflict(world):
    attempt = world.in_progress
    client = signed_in(world.trainee)
    restore = keep_cookies(client)
    url = reverse("quizzes:save", kwargs={"uuid": attempt.uuid})
    questions = attempt.paper["questions"]

    @FUZZ
    @given(
        chosen=st.lists(st.integers(min_value=0, max_value=2), min_size=len(questions)),
        stale=st.booleans(),
    )
    def case(chosen, stale):
        restore()
        with rolled_back():
            attempt.refresh_from_db()
            stored = _stored(attempt)
            pairs = [("sequence", str(attempt.sequence + 1 if stale else attempt.sequence))]
            for question, position in zip(questions, chosen, strict=False):
                ids = [c["id"] for c in question["choices"]]
                base = [str(ids.index(c)) for c in stored.get(question["id"], []) if c in ids]
                pairs.append((f"base-{question['id']}", ",".join(base)))
                pairs.append((f"q-{question['id']}", str(position % len(ids))))
            response = post_form(client, url, pairs, **JSON)
            assert response.status_code == 200, response.content

    case()
