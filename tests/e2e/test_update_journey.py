"""Browser: a certified trainee's update after a material change, from the dashboard to the
certificate that says "updated to version 1"."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lessons.services import lesson_save
from tests.builders import (
    TEST_PASSWORD,
    make_certificate,
    make_educator,
    make_program,
    make_question,
    make_quiz,
    make_trainee,
)
from tests.e2e.axe import blocking_findings
from tests.e2e.conftest import csp_console_messages, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def updating():
    now = timezone.now()
    trainee = make_trainee(username="ursula")
    program = make_program(slug="bleeding", lessons=1, quizzes=0)
    lesson = program.required_lessons.get()
    questions = [make_question(f"upd-{i}", bank="exam", lesson=lesson) for i in range(2)]
    program.required_quizzes.set([make_quiz(questions=questions, slug="final", bank="exam")])
    certificate = make_certificate(
        trainee, program, issued_at=now - timedelta(days=90), expires_at=now + timedelta(days=640)
    )
    lesson.body_markdown = "Hold firm pressure for five minutes before referral."
    lesson_save(
        lesson=lesson,
        by=make_educator(),
        reread_required=True,
        change_summary="Pressure is held for five minutes before referral",
    )
    return certificate


def test_dashboard_path_reread_quiz_and_updated_certificate(page, updating):
    csp = csp_console_messages(page)
    log_in(page, "ursula", TEST_PASSWORD)
    page.goto("/me/")
    card = page.get_by_test_id("update-required")
    expect(card).to_contain_text("Pressure is held for five minutes")
    assert blocking_findings(page) == []
    card.get_by_role("link", name=re.compile("Start the update")).click()

    expect(page).to_have_url(re.compile(r"/updates/bleeding/$"))
    steps = page.get_by_test_id("update-steps")
    expect(steps).to_contain_text("To do")
    assert blocking_findings(page) == []
    steps.get_by_role("link", name=re.compile("Lesson 1 of bleeding")).click()
    page.get_by_role("button", name="Mark as complete").first.click()
    page.goto("/updates/bleeding/")
    expect(steps.locator("li").first).to_contain_text("Done")

    page.get_by_role("button", name="Start the update quiz").click()
    expect(page).to_have_url(re.compile(r"/quizzes/attempts/[0-9a-f-]+/$"))
    expect(page.locator("h1")).to_contain_text("Update quiz")
    assert blocking_findings(page) == []
    for label in page.get_by_label(re.compile("Right answer")).all():
        label.check()
    page.get_by_role("button", name="Submit answers").click()

    expect(page).to_have_url(re.compile(r"/result/$"))
    expect(page.get_by_test_id("outcome")).to_have_text("Passed")
    expect(page.get_by_test_id("update-note")).to_be_visible()
    assert blocking_findings(page) == []

    page.goto(updating.get_absolute_url())
    expect(page.get_by_test_id("certificate-updates")).to_contain_text("Updated to version 1 on")
    assert blocking_findings(page) == []
    page.goto("/me/")
    expect(page.get_by_test_id("update-required")).to_have_count(0)
    assert csp == []
