"""Bad input, generated, for spaced review's posts: start, the e-mail setting, finish, and a
session's checks.

Besides "no 5xx, a message, nothing stored on a refusal", each case checks the rule the
endpoint exists for: one open session at most, the setting stored as on or off, a
finish that rates nothing, and a check that rates at most the one question it names,
once, without touching what counts (scored graded attempts).
"""

from __future__ import annotations

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from quizzes.models import Attempt, AttemptAnswer, ReviewCard, ReviewLog, ReviewPreference
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

REVIEW_FUZZ = fuzz_settings(60)
JSON = ACCEPT_JSON


def _counted(user):
    return tuple(
        Attempt.objects.counted()
        .filter(user=user)
        .order_by("pk")
        .values_list("pk", "points", "percent", "passed")
    )


def _cards(user):
    return tuple(
        ReviewCard.objects.filter(user=user).order_by("pk").values_list("pk", "reps", "due")
    )


def _state(world):
    def state():
        return (
            _counted(world.trainee),
            _cards(world.trainee),
            ReviewLog.objects.count(),
            tuple(
                Attempt.objects.filter(user=world.trainee, kind=Attempt.Kind.REVIEW)
                .order_by("pk")
                .values_list("pk", "state")
            ),
        )

    return state


def _client(world):
    client = signed_in(world.trainee)
    return client, keep_cookies(client)


def test_the_setting_is_always_stored_as_on_or_off(world):
    client, restore = _client(world)
    url = reverse("review:preference")

    @REVIEW_FUZZ
    @given(pairs=or_valid({"nudges": st.just("on")}, form({"nudges": values("on", "", "0")})))
    def case(pairs):
        restore()
        with rolled_back():
            response = run_case(
                "review setting",
                lambda: post_form(client, url, pairs or [("x", "1")]),
                allowed={302},
                state=lambda: tuple(ReviewPreference.objects.values_list("user_id", "nudges")),
                rollback=False,
            )
            if response.status_code != 302:
                return  # refused before the view: nothing stored (run_case checked)
            stored = ReviewPreference.objects.get(user=world.trainee).nudges
            assert stored in (True, False)
            if "nudges" not in dict(pairs):
                assert stored is False
            assert response["Location"] == reverse("review:home")

    case()


def test_start_never_fails_and_never_opens_a_second_session(world):
    client, restore = _client(world)
    url = reverse("review:start")
    state = _state(world)

    @REVIEW_FUZZ
    @given(pairs=form({"confirm": values("1")}), json=st.booleans())
    def case(pairs, json):
        restore()
        with rolled_back():
            before = state()
            run_case(
                "review start",
                lambda: post_form(client, url, pairs or [("x", "1")], **(JSON if json else {})),
                allowed={302},
                state=state,
                rollback=False,
            )
            open_sessions = Attempt.objects.filter(
                user=world.trainee, kind=Attempt.Kind.REVIEW, state=Attempt.State.IN_PROGRESS
            ).count()
            assert open_sessions == 1
            assert state()[:3] == before[:3]  # starting rates nothing, scores nothing

    case()


def test_finish_never_fails_and_rates_nothing(world):
    client, restore = _client(world)
    url = reverse("review:finish", kwargs={"uuid": world.review_session.uuid})
    state = _state(world)

    @REVIEW_FUZZ
    @given(pairs=form({"confirm": values("1")}))
    def case(pairs):
        restore()
        with rolled_back():
            before = state()
            response = run_case(
                "review finish",
                lambda: post_form(client, url, pairs or [("x", "1")]),
                allowed={302},
                state=state,
                rollback=False,
            )
            if response.status_code == 302:
                assert response["Location"].endswith("/summary/")
            assert state()[:3] == before[:3]

    case()


def _fields(attempt) -> dict:
    ids = [str(q["id"]) for q in attempt.paper["questions"]]
    fields = {"question": values(*ids, "999999", "-1")}
    for question in attempt.paper["questions"]:
        positions = [str(i) for i in range(len(question["choices"]) + 1)]
        fields[f"q-{question['id']}"] = values(*positions)
    return fields


def _valid(attempt) -> dict:
    question = attempt.paper["questions"][0]
    return {
        "question": st.just(str(question["id"])),
        f"q-{question['id']}": st.sampled_from([str(i) for i in range(len(question["choices"]))]),
    }


def test_a_session_check_rates_at_most_the_named_question_once(world):
    client, restore = _client(world)
    attempt = world.review_session
    url = reverse("practice:check", kwargs={"uuid": attempt.uuid})
    counted = _counted(world.trainee)

    @REVIEW_FUZZ
    @given(pairs=or_valid(_valid(attempt), form(_fields(attempt))), json=st.booleans())
    def case(pairs, json):
        restore()
        with rolled_back():
            before = ReviewLog.objects.count()
            checked_before = AttemptAnswer.objects.filter(
                attempt=attempt, checked_at__isnull=False
            ).count()
            response = run_case(
                "review check",
                lambda: post_form(client, url, pairs or [("x", "1")], **(JSON if json else {})),
                allowed={200, 302, 400, 409},
                rollback=False,
            )
            rated = ReviewLog.objects.count() - before
            newly = (
                AttemptAnswer.objects.filter(attempt=attempt, checked_at__isnull=False).count()
                - checked_before
            )
            assert rated == newly and rated <= 1
            if rated:
                assert response.status_code in (200, 302)
                log = ReviewLog.objects.order_by("-pk").first()
                assert (log.source, str(log.question_id)) == ("review", dict(pairs)["question"])
            assert _counted(world.trainee) == counted

    case()
