"""Browser: a trainee takes a quiz, autosave and the submit confirmation, a paginated paper."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from lessons.models import LessonCompletion
from lessons.services import lessons_load
from quizzes.authoring.content import quizzes_load
from quizzes.models import Attempt, AttemptAnswer, Quiz
from tests.builders import TEST_PASSWORD, make_quiz, make_trainee
from tests.e2e.conftest import log_in
from trainingsite.demo import demo_accounts_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def first_quiz():
    demo_accounts_ensure()
    lessons_load(directory=settings.BASE_DIR / "fixtures" / "lessons")
    quizzes_load(directory=settings.BASE_DIR / "fixtures" / "quizzes")
    quiz = Quiz.objects.published().order_by("order", "id").first()
    trainee = get_user_model().objects.get(username="trainee")
    for lesson in quiz.prerequisite_lessons.all():
        LessonCompletion.objects.create(user=trainee, lesson=lesson, completed_at=timezone.now())
    return quiz


def test_demo_trainee_takes_the_first_quiz(page, first_quiz):
    """The first topic quiz gives immediate feedback: Check each question, then Finish."""
    log_in(page, "trainee", settings.DEMO_PASSWORD)
    page.goto("/quizzes/")
    page.get_by_role("link", name=first_quiz.title).click()
    page.get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(re.compile(r"/quizzes/attempts/[0-9a-f-]{36}/practice/$"))

    questions = page.locator("section.practice-question")
    total = questions.count()
    assert total == (first_quiz.questions_per_attempt or first_quiz.pool.count())

    # Check the first three: each shows its feedback at once; a reload keeps them checked.
    for index in range(3):
        card = questions.nth(index)
        card.locator("input.form-check-input").first.check()
        card.get_by_role("button", name="Check").click()
        expect(questions.nth(index).get_by_test_id("practice-feedback")).to_contain_text(
            "Explanation:"
        )
    expect(page.locator("#practice-checked-count")).to_have_text("3")
    page.reload()
    questions = page.locator("section.practice-question")
    expect(page.get_by_test_id("practice-feedback")).to_have_count(3)
    expect(questions.nth(3).get_by_role("button", name="Check")).to_be_visible()

    for index in range(3, total):
        card = questions.nth(index)
        card.locator("input.form-check-input").first.check()
        card.get_by_role("button", name="Check").click()
        expect(questions.nth(index).get_by_test_id("check-outcome")).to_be_visible()
    expect(page.locator("#practice-checked-count")).to_have_text(str(total))
    page.get_by_role("button", name="Finish and see the result").click()

    expect(page).to_have_url(re.compile(r"/result/$"))
    expect(page.get_by_test_id("score")).to_contain_text("points")
    expect(page.get_by_test_id("outcome")).to_have_text(re.compile(r"Passed|Not passed"))
    expect(page.get_by_test_id("review-question")).to_have_count(total)
    expect(page.locator(".explanation").first).to_contain_text("Explanation:")
    attempt = Attempt.objects.get(user__username="trainee")
    assert attempt.state == Attempt.State.SUBMITTED
    assert attempt.answers.exclude(selected=[]).count() == total
    assert attempt.answers.exclude(checked_at=None).count() == total


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
