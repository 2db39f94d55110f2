"""Browser: when the attempt page saves, with the real 30-second autosave period and the
page's clock driven by Playwright. A changed answer is saved within the period, one
request for every answer changed meanwhile, sent as a plain form sends it; leaving or
closing the page hands its answers to a beacon; Submit and a time limit running out carry
the answers in their own post. No answer the trainee gave is lost on any of those paths."""

import re
import time

import pytest
from playwright.sync_api import expect

from quizzes.models import Attempt, AttemptAnswer
from tests.builders import TEST_PASSWORD, make_quiz, make_trainee
from tests.e2e.conftest import BROWSER_TIMEOUT_MS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERIOD_SECONDS = 30


@pytest.fixture
def real_period(settings):
    settings.QUIZ_AUTOSAVE_SECONDS = PERIOD_SECONDS


def stored(attempt) -> dict[int, list[int]]:
    return {
        row.question_id: sorted(row.selected)
        for row in AttemptAnswer.objects.filter(attempt=attempt)
    }


def first_choices(attempt, count: int) -> dict[int, list[int]]:
    questions = attempt.paper["questions"]
    return {
        q["id"]: ([q["choices"][0]["id"]] if i < count else []) for i, q in enumerate(questions)
    }


def until_stored(attempt, wanted: dict[int, list[int]]) -> dict[int, list[int]]:
    """What the database holds once it holds `wanted` (polled; the wait bounds a failure)."""
    deadline = time.monotonic() + BROWSER_TIMEOUT_MS / 1000
    while (found := stored(attempt)) != wanted and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def start(page, slug: str, *, questions: int = 3, **quiz) -> Attempt:
    make_trainee(username=f"{slug}-trainee")
    make_quiz(questions, slug=slug, **quiz)
    page.clock.install()
    log_in(page, f"{slug}-trainee", TEST_PASSWORD)
    page.goto(f"/quizzes/{slug}/")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(re.compile(r"/quizzes/attempts/[0-9a-f-]{36}/$"))
    return Attempt.objects.get(user__username=f"{slug}-trainee")


def saves_sent(page) -> list:
    sent: list = []
    page.on(
        "request",
        lambda request: (
            sent.append(request)
            if request.method == "POST" and request.url.endswith("/save/")
            else None
        ),
    )
    return sent


def answer(page, count: int) -> None:
    for index in range(count):
        page.locator("fieldset[data-question]").nth(index).locator("input").first.check()


def test_answers_changed_within_the_period_are_saved_together_at_its_end(page, real_period):
    attempt = start(page, "period")
    sent = saves_sent(page)

    answer(page, 2)
    expect(page.locator("#save-status")).to_contain_text(
        f"Not saved yet: changes are saved within {PERIOD_SECONDS} seconds"
    )
    page.clock.run_for((PERIOD_SECONDS - 1) * 1000)
    assert sent == []
    assert stored(attempt) == first_choices(attempt, 0)

    page.clock.run_for(2000)
    expect(page.locator("#save-status")).to_contain_text("All answers saved")
    assert len(sent) == 1
    assert sent[0].headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert stored(attempt) == first_choices(attempt, 2)

    # Nothing changed since: the clock running on sends nothing more.
    page.clock.run_for(PERIOD_SECONDS * 2 * 1000)
    assert len(sent) == 1


def test_leaving_the_page_hands_unsaved_answers_to_a_beacon(page, real_period):
    attempt = start(page, "leaving")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))

    answer(page, 1)
    page.goto("/lessons/")
    assert until_stored(attempt, first_choices(attempt, 1)) == first_choices(attempt, 1)
    # The beacon's save is quiet: no "answers saved" message greets the next page, no prompt.
    expect(page.locator("main")).not_to_contain_text("saved")
    assert dialogs == []

    page.goto(attempt.get_absolute_url())
    expect(page.locator("fieldset[data-question]").first.locator("input").first).to_be_checked()
    answer(page, 3)
    page.close(run_before_unload=True)
    assert until_stored(attempt, first_choices(attempt, 3)) == first_choices(attempt, 3)
    assert dialogs == []


def test_submit_carries_unsaved_answers_without_a_save_of_its_own(page, real_period):
    attempt = start(page, "submitting")
    sent = saves_sent(page)

    answer(page, 3)
    page.get_by_role("button", name="Submit answers").click()
    expect(page).to_have_url(re.compile(r"/result/$"))
    assert sent == []
    assert stored(attempt) == first_choices(attempt, 3)
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None


def test_a_time_limit_running_out_submits_the_answers_given(page, real_period):
    attempt = start(page, "timed-out", time_limit_minutes=1)

    answer(page, 2)
    page.clock.run_for(61_000)
    expect(page).to_have_url(re.compile(r"/result/$"))
    assert stored(attempt) == first_choices(attempt, 2)
    attempt.refresh_from_db()
    assert not attempt.is_open


def test_the_script_saves_where_the_benchmarks_model_says(page, real_period):
    """bench/pacing.py stands in for this script in the whole-quiz step: at its pace, the
    real page sends its saves after the same answers. The page's timers run inside
    run_for, so the status line says at once whether a save went."""
    from bench.pacing import PACE_SECONDS, autosave_points

    attempt = start(page, "paced", questions=10)
    sent = saves_sent(page)
    status = page.locator("#save-status")
    after: list[int] = []
    for index in range(11):
        if index:
            page.clock.run_for(PACE_SECONDS * 1000)
            if not status.inner_text().startswith("Not saved yet"):
                after.append(index - 1)
                expect(status).to_contain_text("All answers saved")
        if index < 10:
            page.locator("fieldset[data-question]").nth(index).locator("input").first.check()
    assert after == autosave_points(10, pace=PACE_SECONDS, period=PERIOD_SECONDS)
    assert len(sent) == len(after)
    assert stored(attempt) == first_choices(attempt, 10)
