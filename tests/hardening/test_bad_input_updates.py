"""Bad input, generated, for the update quiz's start after a material change (issue 19).

Besides "no 5xx, a message, nothing stored on a refusal", each case checks the rule the
endpoint exists for: one open update quiz at most, never a graded attempt, and no
certificate update recorded by starting.
"""

from __future__ import annotations

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from quizzes.models import Attempt, CertificateUpdate
from tests.hardening.test_bad_input import (
    ACCEPT_JSON,
    form,
    fuzz_settings,
    keep_cookies,
    post_form,
    rolled_back,
    run_case,
    signed_in,
    values,
)

UPDATE_FUZZ = fuzz_settings(40)


def _state(world):
    def state():
        return (
            tuple(
                Attempt.objects.filter(user=world.trainee)
                .exclude(kind=Attempt.Kind.UPDATE)
                .order_by("pk")
                .values_list("pk", "state", "points")
            ),
            tuple(CertificateUpdate.objects.order_by("pk").values_list("pk", "completed_at")),
        )

    return state


def test_start_never_fails_and_never_opens_a_second_update_quiz(world):
    client = signed_in(world.trainee)
    restore = keep_cookies(client)
    url = reverse("updates:quiz_start", kwargs={"slug": world.update_program.slug})
    state = _state(world)

    @UPDATE_FUZZ
    @given(pairs=form({"confirm": values("1")}), json=st.booleans())
    def case(pairs, json):
        restore()
        with rolled_back():
            before = state()
            response = run_case(
                "update quiz start",
                lambda: post_form(
                    client, url, pairs or [("x", "1")], **(ACCEPT_JSON if json else {})
                ),
                allowed={302},
                state=state,
                rollback=False,
            )
            if response.status_code != 302:
                return
            assert response["Location"].startswith("/quizzes/attempts/")
            opened = Attempt.objects.filter(
                user=world.trainee, kind=Attempt.Kind.UPDATE, state=Attempt.State.IN_PROGRESS
            ).count()
            assert opened == 1
            assert state() == before  # starting scores nothing and completes nothing

    case()
