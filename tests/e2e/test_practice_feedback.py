"""Browser: practice with immediate feedback, with the page's script and without it."""

import re

import pytest
from playwright.sync_api import expect

from quizzes.models import Attempt
from tests.builders import TEST_PASSWORD, make_trainee
from tests.builders.bank import EXPLANATION_MARK, FEEDBACK_MARK
from tests.builders.practice import make_immediate_quiz, mistakes_round
from tests.e2e.axe import blocking_findings
from tests.e2e.conftest import BROWSER_TIMEOUT_MS, csp_console_messages, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def practice_round():
    trainee = make_trainee(username="pia")
    quiz = make_immediate_quiz(questions=2, slug="bleeding-practice", tries=2)
    return mistakes_round(trainee, quiz)


def _card(page, number: int):
    return page.locator(f"#question-{number}")


def test_check_a_wrong_answer_try_again_check_right_and_finish(page, practice_round):
    csp = csp_console_messages(page)
    log_in(page, "pia", TEST_PASSWORD)
    page.goto(f"/quizzes/attempts/{practice_round.uuid}/")
    expect(page).to_have_url(re.compile(rf"/quizzes/attempts/{practice_round.uuid}/practice/$"))
    first = _card(page, 1)
    expect(first).not_to_contain_text(EXPLANATION_MARK)

    # Wrong first: the feedback replaces the card in place and takes the focus.
    first.get_by_label(re.compile("Wrong answer A")).check()
    first.get_by_role("button", name="Check").click()
    feedback = _card(page, 1).locator(".practice-feedback")
    expect(feedback).to_contain_text("Wrong")
    expect(feedback).to_contain_text(EXPLANATION_MARK)
    expect(_card(page, 1)).to_contain_text(FEEDBACK_MARK)
    expect(feedback).to_be_focused()
    expect(page.locator("#practice-status")).to_contain_text("Question 1: not right.")
    expect(page.locator("#practice-checked-count")).to_have_text("1")
    expect(_card(page, 2)).not_to_contain_text(EXPLANATION_MARK)
    assert blocking_findings(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert blocking_findings(page) == []

    # Try again: the choices come back, focus on the first one; then the right answer.
    _card(page, 1).get_by_role("button", name="Try again").click()
    expect(_card(page, 1).locator("input.form-check-input").first).to_be_focused()
    expect(_card(page, 1)).to_contain_text("Try 2 of 2")
    _card(page, 1).get_by_label(re.compile("Right answer")).check()
    _card(page, 1).get_by_role("button", name="Check").click()
    expect(_card(page, 1).locator("[data-testid=check-outcome]")).to_contain_text("Correct")
    expect(_card(page, 1).get_by_role("button", name="Try again")).to_have_count(0)

    _card(page, 1).get_by_role("link", name="Next question").click()
    _card(page, 2).get_by_label(re.compile("Right answer")).check()
    _card(page, 2).get_by_role("button", name="Check").click()
    expect(_card(page, 2).locator("[data-testid=check-outcome]")).to_contain_text("Correct")

    page.get_by_role("button", name="Finish and see the result").click()
    expect(page).to_have_url(re.compile(r"/result/$"))
    expect(page.get_by_test_id("score")).to_contain_text("2 / 2 points")
    practice_round.refresh_from_db()
    assert practice_round.state == Attempt.State.SUBMITTED
    assert csp == []


def test_without_javascript_each_check_is_a_form_post_back_to_the_question(
    browser, live_server, practice_round
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    try:
        log_in(page, "pia", TEST_PASSWORD)
        page.goto(f"/quizzes/attempts/{practice_round.uuid}/practice/")
        _card(page, 2).get_by_label(re.compile("Wrong answer B")).check()
        _card(page, 2).get_by_role("button", name="Check").click()
        expect(page).to_have_url(re.compile(r"/practice/#question-2$"))
        expect(_card(page, 2).locator(".practice-feedback")).to_contain_text(EXPLANATION_MARK)
        _card(page, 2).get_by_role("button", name="Try again").click()
        expect(page).to_have_url(re.compile(r"/practice/#question-2$"))
        expect(_card(page, 2).get_by_role("button", name="Check")).to_be_visible()
        expect(_card(page, 1).locator(".practice-feedback")).to_have_count(0)
    finally:
        context.close()
