"""The demo trainee goes from first login to a verified certificate in the browser."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from quizzes.models import Attempt
from quizzes.models.certification import Certificate
from tests.e2e.conftest import csp_console_messages, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRAM = "bleeding-management-foundation"


def _answer_correctly(page) -> None:
    """Tick the right choices, read from the attempt's frozen paper in the database."""
    attempt = Attempt.objects.get(user__username="trainee", state=Attempt.State.IN_PROGRESS)
    for question in attempt.paper["questions"]:
        for position, choice in enumerate(question["choices"]):
            if choice["is_correct"]:
                page.locator(f'input[name="q-{question["id"]}"][value="{position}"]').check()


def test_demo_trainee_earns_and_verifies_the_foundation_certificate(page, tmp_path):
    call_command("setup_demo", verbosity=0)
    csp_violations = csp_console_messages(page)

    log_in(page, "trainee", settings.DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/me/$"))
    card = page.get_by_test_id(f"program-{PROGRAM}")
    expect(card.get_by_test_id("status")).to_have_text("Not started")
    expect(card).to_contain_text("Due ")

    steps = []
    for _ in range(7):  # three lessons and four quizzes
        next_step = card.get_by_test_id("next-step")
        label = next_step.inner_text()
        steps.append(label)
        next_step.click()
        if label.startswith("Next: read"):
            page.get_by_role("button", name="Mark as complete").click()
            expect(page.get_by_text("Lesson marked as complete.")).to_be_visible()
        else:
            page.get_by_role("button", name="Start the quiz").click()
            expect(page).to_have_url(re.compile(r"/quizzes/attempts/[0-9a-f-]{36}/$"))
            _answer_correctly(page)
            page.get_by_role("button", name="Submit answers").click()
            expect(page).to_have_url(re.compile(r"/result/$"))
            expect(page.get_by_test_id("outcome")).to_have_text("Passed")
        page.goto("/me/")
        card = page.get_by_test_id(f"program-{PROGRAM}")

    assert [step.split("“")[0] for step in steps] == ["Next: read "] * 3 + ["Next: take "] * 4
    expect(card.get_by_test_id("status")).to_have_text("Certified")
    expect(card.get_by_test_id("next-step")).to_have_count(0)
    certificate = Certificate.objects.get(user__username="trainee", program__slug=PROGRAM)

    card.get_by_role("link", name="View certificate").click()
    expect(page.get_by_test_id("holder")).to_have_text("Tara Trainee")
    code = page.get_by_test_id("code").inner_text()
    assert code == certificate.display_code

    with page.expect_download() as download_info:
        page.get_by_test_id("download").click()
    download = download_info.value
    assert download.suggested_filename == f"certificate-{code}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF-")
    assert b"Tara Trainee" in data

    # Anyone can check the code, typed carelessly, without signing in.
    page.context.clear_cookies()
    page.goto("/certificates/verify/")
    page.get_by_label("Certificate code").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(rf"/certificates/verify/{code}/$"))
    expect(page.get_by_test_id("verdict")).to_contain_text("Valid.")
    expect(page.get_by_test_id("holder")).to_have_text("Tara Trainee")
    expect(page.get_by_role("main")).to_contain_text(
        "Bleeding management in microneedling — foundation"
    )
    assert csp_violations == []
