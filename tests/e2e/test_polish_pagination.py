"""Browser: a paginated attempt autosaves per page, Next keeps answers, submit lists all pages."""

import re

import pytest
from playwright.sync_api import expect

from quizzes.models import AttemptAnswer
from tests.e2e.conftest import log_in
from tests.factories import TEST_PASSWORD, make_trainee
from tests.quizzes.builders import make_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_trainee_pages_through_a_long_quiz(page):
    make_trainee(username="pia")
    make_quiz(7, slug="long-quiz", questions_per_page=3)
    log_in(page, "pia", TEST_PASSWORD)
    page.goto("/quizzes/long-quiz/")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.get_by_test_id("page-position")).to_have_text("Page 1 of 3")

    questions = page.locator("fieldset[data-question]")
    expect(questions).to_have_count(3)
    questions.nth(0).locator("input").first.check()
    expect(page.locator("#save-status")).to_contain_text("All answers saved")
    # The navigator follows this page's inputs.
    expect(page.locator('[data-nav-number="1"]')).to_have_attribute("data-answered", "1")

    # Change an answer and press Next at once: it waits for any autosave, then saves.
    questions.nth(1).locator("input").first.check()
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_test_id("page-position")).to_have_text("Page 2 of 3")
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    assert AttemptAnswer.objects.exclude(selected=[]).count() == 2

    page.locator("fieldset[data-question]").nth(0).locator("input").first.check()
    expect(page.locator("#save-status")).to_contain_text("All answers saved")

    # Jump back to page 1 with the navigator: the answers are there.
    page.locator('[data-nav-number="1"]').click()
    expect(page.get_by_test_id("page-position")).to_have_text("Page 1 of 3")
    first_page = page.locator("fieldset[data-question]")
    expect(first_page.nth(0).locator("input").first).to_be_checked()
    expect(first_page.nth(1).locator("input").first).to_be_checked()

    # Submitting lists the unanswered questions on every page.
    page.get_by_role("button", name="Submit answers").click()
    dialog = page.locator("dialog#confirm-submit")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("4 questions are unanswered.")
    expect(dialog).to_contain_text("Unanswered: questions 3, 5, 6, 7.")
    dialog.get_by_role("button", name="Submit anyway").click()
    expect(page).to_have_url(re.compile(r"/result/$"))
    expect(page.locator("body")).to_contain_text("3 / 7 points")
