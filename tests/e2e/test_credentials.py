"""A newcomer carries a signed credential away, checks it, and sees a revocation reach it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.certification.services import certificate_issue_if_complete
from quizzes.models import Credential
from tests.builders import (
    TEST_PASSWORD,
    do_everything,
    make_cohort,
    make_manager,
    make_program,
    make_trainee,
)
from tests.e2e.conftest import csp_console_messages, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRAM = "Bleeding control in microneedling"


def _paste_and_check(page, text: str) -> None:
    page.goto("/certificates/verify/")
    page.get_by_label("Paste a credential").fill(text)
    page.get_by_role("button", name="Check the credential").click()
    expect(page.get_by_role("heading", name="Credential verification")).to_be_visible()


def test_a_downloaded_credential_verifies_then_shows_revoked_after_the_manager_revokes(
    page, tmp_path
):
    trainee = make_trainee(username="tara", first_name="Tara", last_name="Trainee")
    manager = make_manager(username="maya", first_name="Maya", last_name="Manager")
    make_cohort(managers=[manager], trainees=[trainee])
    program = make_program(name=PROGRAM, lessons=1, quizzes=1)
    do_everything(trainee, program, at=timezone.now())
    certificate = certificate_issue_if_complete(user=trainee, program=program)
    code = certificate.display_code
    csp_violations = csp_console_messages(page)

    # The trainee finds the certificate from their training page and takes the credential.
    log_in(page, "tara", TEST_PASSWORD)
    expect(page).to_have_url(re.compile(r"/me/$"))
    page.get_by_role("link", name="View certificate").click()
    expect(page.get_by_test_id("holder")).to_have_text("Tara Trainee")
    expect(page.get_by_test_id("code")).to_have_text(code)
    with page.expect_download() as download_info:
        page.get_by_test_id("download-jwt").click()
    download = download_info.value
    assert download.suggested_filename == f"credential-{code}.jwt"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    token = saved.read_text(encoding="utf-8")
    assert token == Credential.objects.get(certificate=certificate).jwt

    # Anyone (an employer, signed out) pastes it into the verification page.
    page.context.clear_cookies()
    _paste_and_check(page, token)
    expect(page.get_by_test_id("verdict")).to_contain_text("Valid.")
    expect(page.get_by_test_id("holder")).to_have_text("Tara Trainee")
    expect(page.get_by_role("main")).to_contain_text(PROGRAM)

    # The trainee's manager revokes the certificate on the revoke page.
    log_in(page, "maya", TEST_PASSWORD)
    page.goto(f"/certificates/{code}/revoke/")
    page.get_by_label("Reason").fill("Issued in error.")
    page.get_by_role("button", name="Revoke certificate").click()
    expect(page).to_have_url(re.compile(rf"/certificates/verify/{code}/$"))
    expect(page.get_by_test_id("verdict")).to_contain_text("Revoked.")

    # The same credential, pasted again, now says revoked: its bit in the status list is set.
    page.context.clear_cookies()
    _paste_and_check(page, token)
    expect(page.get_by_test_id("verdict")).to_contain_text("Revoked.")
    expect(page.get_by_test_id("verdict")).not_to_contain_text("Valid.")
    expect(page.get_by_test_id("holder")).to_have_text("Tara Trainee")
    assert csp_violations == []
