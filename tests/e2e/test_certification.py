"""Trainee, assessor, trainee: from first login to a verified certificate in the browser.

The demo trainee reads, passes the quizzes, writes the case studies and signs the
attestation; the demo assessor marks the written answers blind and signs off observed
practice; the trainee acknowledges it and holds a certificate that lists all of it.
"""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from quizzes.models import Attempt
from quizzes.models.certification import Certificate
from tests.certification.pdf_text import pdf_lines
from tests.e2e.conftest import csp_console_messages, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRAM = "bleeding-management-foundation"


def _answer_correctly(page) -> None:
    """Tick the right choices and write each written answer, read from the frozen paper."""
    attempt = Attempt.objects.get(user__username="trainee", state=Attempt.State.IN_PROGRESS)
    for question in attempt.paper["questions"]:
        if question["kind"] == "written":
            page.locator(f'textarea[name="q-{question["id"]}"]').fill(
                "Stop, apply firm pressure with sterile gauze, reassess and document; "
                "refer and follow the clinic's protocol."
            )
            continue
        for position, choice in enumerate(question["choices"]):
            if choice["is_correct"]:
                page.locator(f'input[name="q-{question["id"]}"][value="{position}"]').check()


def _check_correctly(page) -> None:
    """On the immediate-feedback page, tick each question's right choices and press Check."""
    attempt = Attempt.objects.get(user__username="trainee", state=Attempt.State.IN_PROGRESS)
    for question in attempt.paper["questions"]:
        card = page.locator(f'section.practice-question[data-question="{question["id"]}"]')
        for position, choice in enumerate(question["choices"]):
            if choice["is_correct"]:
                card.locator(f'input[name="q-{question["id"]}"][value="{position}"]').check()
        card.get_by_role("button", name="Check").click()
        expect(card.get_by_test_id("check-outcome")).to_contain_text("Correct")


def _trainee_does_everything_they_can(page) -> list[str]:
    """Follow the dashboard's next step until only the assessor's part is left."""
    steps = []
    card = page.get_by_test_id(f"program-{PROGRAM}")
    for _ in range(12):
        next_step = card.get_by_test_id("next-step")
        label = next_step.inner_text()
        if label.startswith("Next: observed practice"):
            break
        steps.append(label)
        next_step.click()
        if label.startswith("Next: read"):
            page.get_by_role("button", name="Mark as complete").click()
            expect(page.get_by_text("Lesson marked as complete.")).to_be_visible()
        elif label.startswith("Next: sign"):
            page.get_by_label("Type your full name").fill("Tara Trainee")
            page.get_by_label("I have read this statement and I confirm it.").check()
            page.get_by_role("button", name="Sign").click()
            expect(page.get_by_test_id("record")).to_contain_text("Tara Trainee")
        else:
            page.get_by_role("button", name="Start the quiz").click()
            expect(page).to_have_url(re.compile(r"/quizzes/attempts/[0-9a-f-]{36}/(practice/)?$"))
            if page.url.endswith("/practice/"):
                # A topic quiz gives immediate feedback: check each answer, then finish.
                _check_correctly(page)
                page.get_by_role("button", name="Finish and see the result").click()
            else:
                _answer_correctly(page)
                page.get_by_role("button", name="Submit answers").click()
            expect(page).to_have_url(re.compile(r"/result/$"))
            expected = "Awaiting marking" if "case studies" in label else "Passed"
            expect(page.get_by_test_id("outcome")).to_have_text(expected)
        page.goto("/me/")
        card = page.get_by_test_id(f"program-{PROGRAM}")
    return steps


def _assessor_marks_and_signs_off(page) -> None:
    """The demo assessor marks the written answers blind, then observes and signs off."""
    log_in(page, "assessor", settings.DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/assessment/$"))
    page.get_by_role("link", name="Marking", exact=True).first.click()
    for _ in range(3):
        page.get_by_role("link", name=re.compile(r"^Mark answer")).first.click()
        expect(page.get_by_test_id("candidate")).to_contain_text("Candidate")
        expect(page.get_by_test_id("candidate")).not_to_contain_text("Tara")
        expect(page.get_by_test_id("model-answer")).not_to_be_empty()
        page.get_by_label(re.compile(r"^Points")).fill("4")
        page.get_by_label("Feedback for the trainee").fill("Safe and complete: well done.")
        page.get_by_role("button", name="Save the mark").click()
        expect(page.get_by_test_id("candidate")).to_contain_text("Tara Trainee")
        page.goto("/assessment/marking/")
    expect(page.get_by_role("link", name=re.compile(r"^Mark answer"))).to_have_count(0)

    page.goto("/assessment/")
    page.get_by_role("link", name="Tara Trainee").click()
    page.get_by_role("link", name=re.compile(r"^Record an observation")).first.click()
    page.get_by_label("Supervised clinic").check()
    for met in page.get_by_label("Met", exact=True).all():
        met.check()
    page.get_by_label("Competent", exact=True).check()
    page.get_by_label("Feedback").fill("Calm, sterile and thorough.")
    page.get_by_role("button", name="Record the observation").click()
    expect(page.get_by_role("main")).to_contain_text("Competent")


def test_trainee_assessor_trainee_to_a_certificate_that_lists_what_it_certifies(page, tmp_path):
    call_command("setup_demo", verbosity=0)
    csp_violations = csp_console_messages(page)

    log_in(page, "trainee", settings.DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/me/$"))
    card = page.get_by_test_id(f"program-{PROGRAM}")
    expect(card.get_by_test_id("status")).to_have_text("Not started")
    expect(card).to_contain_text("Due ")

    steps = _trainee_does_everything_they_can(page)
    kinds = [step.split("“")[0] for step in steps]
    # Three lessons, the three topic quizzes, the case studies (then awaiting marking),
    # the final assessment and the attestation.
    assert kinds == ["Next: read "] * 3 + ["Next: take "] * 5 + ["Next: sign "]
    card = page.get_by_test_id(f"program-{PROGRAM}")
    expect(card.get_by_test_id("status")).to_have_text("In progress")
    assert not Certificate.objects.filter(user__username="trainee").exists()

    page.context.clear_cookies()
    _assessor_marks_and_signs_off(page)

    page.context.clear_cookies()
    log_in(page, "trainee", settings.DEMO_PASSWORD)
    card = page.get_by_test_id(f"program-{PROGRAM}")
    expect(card.get_by_test_id("awaiting-sign-off")).to_be_visible()
    observations = page.get_by_test_id("observations-card")
    observations.get_by_role("link").first.click()
    page.get_by_test_id("acknowledge").click()
    expect(page.get_by_test_id("acknowledged")).to_contain_text("Tara Trainee")

    page.goto("/me/")
    card = page.get_by_test_id(f"program-{PROGRAM}")
    expect(card.get_by_test_id("status")).to_have_text("Certified")
    expect(card.get_by_test_id("next-step")).to_have_count(0)
    certificate = Certificate.objects.get(user__username="trainee", program__slug=PROGRAM)

    card.get_by_role("link", name="View certificate").click()
    expect(page.get_by_test_id("holder")).to_have_text("Tara Trainee")
    expect(page.get_by_test_id("certified-observations")).to_contain_text(
        "signed off by Asha Assessor"
    )
    expect(page.get_by_test_id("certified-quizzes")).to_contain_text("Bleeding case studies")
    expect(page.get_by_test_id("certified-attestations")).to_contain_text("version 1")
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
    lines = pdf_lines(data)
    assert "Tara Trainee" in lines
    assert any("Asha Assessor" in line for line in lines)

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
    expect(page.get_by_test_id("certified-observations")).to_contain_text("Asha Assessor")
    assert csp_violations == []
