import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from lessons.models import LessonCompletion
from lessons.services import lessons_load
from quizzes.authoring.content import quizzes_load
from quizzes.models import Attempt, Quiz
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
    log_in(page, "trainee", settings.DEMO_PASSWORD)
    page.goto("/quizzes/")
    page.get_by_role("link", name=first_quiz.title).click()
    page.get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(re.compile(r"/quizzes/attempts/[0-9a-f-]{36}/$"))

    questions = page.locator("fieldset[data-question]")
    total = questions.count()
    assert total == (first_quiz.questions_per_attempt or first_quiz.pool.count())

    # Answer the first three, let autosave store them, then reload.
    for index in range(3):
        questions.nth(index).locator("input").first.check()
    expect(page.locator("#save-status")).to_contain_text("All answers saved", timeout=10_000)
    page.reload()
    questions = page.locator("fieldset[data-question]")
    for index in range(3):
        expect(questions.nth(index).locator("input").first).to_be_checked()
    expect(questions.nth(3).locator("input:checked")).to_have_count(0)

    # Submitting now asks for confirmation; keep answering instead.
    page.get_by_role("button", name="Submit answers").click()
    dialog = page.locator("dialog#confirm-submit")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"{total - 3} questions are unanswered.")
    dialog.get_by_role("button", name="Keep answering").click()

    for index in range(3, total):
        questions.nth(index).locator("input").first.check()
    page.get_by_role("button", name="Submit answers").click()

    expect(page).to_have_url(re.compile(r"/result/$"))
    expect(page.get_by_test_id("score")).to_contain_text("points")
    expect(page.get_by_test_id("outcome")).to_have_text(re.compile(r"Passed|Not passed"))
    expect(page.get_by_test_id("review-question")).to_have_count(total)
    expect(page.locator(".explanation").first).to_contain_text("Explanation:")
    attempt = Attempt.objects.get(user__username="trainee")
    assert attempt.state == Attempt.State.SUBMITTED
    assert attempt.answers.exclude(selected=[]).count() == total
