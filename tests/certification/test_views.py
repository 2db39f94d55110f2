"""Certification pages: dashboard, certificate and PDF (owner only), public verification."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from quizzes.certification.views import (
    NOTHING_TO_ISSUE,
    VERIFY_CODE_INVALID,
    VERIFY_LIMIT,
    VERIFY_NOT_FOUND,
    VERIFY_RATE_LIMITED,
)
from quizzes.models.certification import Certificate
from tests.builders import (
    assign,
    complete_lesson,
    do_everything,
    graded_attempt,
    make_certificate,
    make_cohort,
    make_program,
)
from tests.trainingsite.test_accessibility import assert_accessible

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _clear_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate(trainee):
    program = make_program(name="Foundation")
    return make_certificate(
        trainee, program, issued_at=timezone.now() - DAY, expires_at=timezone.now() + 700 * DAY
    )


# Dashboard


def test_dashboard_needs_login(client):
    response = client.get(reverse("trainee_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_dashboard_shows_progress_status_due_date_and_next_step(trainee_client, trainee):
    program = make_program(name="Foundation", lessons=2, quizzes=1)
    first, second = program.required_lessons.order_by("order")
    assign(trainee, program, due_date=timezone.localdate() + 10 * DAY)
    complete_lesson(trainee, first)
    response = trainee_client.get(reverse("trainee_home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Foundation" in body
    assert 'value="33"' in body
    assert "In progress" in body
    assert f"Due {(timezone.localdate() + 10 * DAY):%-d %B %Y}" in body
    assert f'href="{second.get_absolute_url()}"' in body
    assert f"Next: read “{second.title}”" in body
    assert_accessible(response)


def test_dashboard_next_step_is_a_quiz_once_lessons_are_done(trainee_client, trainee):
    program = make_program(lessons=1, quizzes=2)
    complete_lesson(trainee, program.required_lessons.get())
    quiz = program.required_quizzes.order_by("order").first()
    body = trainee_client.get(reverse("trainee_home")).content.decode()
    assert f"Next: take “{quiz.title}”" in body


def test_dashboard_lists_certificates_with_download_links(trainee_client, certificate):
    response = trainee_client.get(reverse("trainee_home"))
    body = response.content.decode()
    assert "Certified until" in body
    assert certificate.display_code in body
    assert reverse("certificates:download", args=[certificate.display_code]) in body
    assert_accessible(response)


def test_dashboard_offers_renewal_when_expiring_soon(trainee_client, trainee):
    program = make_program()
    now = timezone.now()
    make_certificate(trainee, program, issued_at=now - 700 * DAY, expires_at=now + 10 * DAY)
    body = trainee_client.get(reverse("trainee_home")).content.decode()
    assert "Expiring soon" in body
    assert 'data-testid="renew"' in body
    assert reverse("certificates:program", args=[program.slug]) in body


def test_dashboard_shows_overdue(trainee_client, trainee):
    program = make_program()
    assign(trainee, program, due_date=timezone.localdate() - DAY)
    body = trainee_client.get(reverse("trainee_home")).content.decode()
    assert "Overdue" in body


def test_dashboard_shows_other_trainees_nothing(trainee_client, other_trainee):
    program = make_program(name="Foundation")
    make_certificate(other_trainee, program, issued_at=timezone.now())
    body = trainee_client.get(reverse("trainee_home")).content.decode()
    assert "No certificates yet" in body
    assert "Programs you can take" in body


def test_program_page_shows_renewal_steps(trainee_client, trainee):
    program = make_program(lessons=1, quizzes=1)
    now = timezone.now()
    do_everything(trainee, program, at=now - 800 * DAY)
    make_certificate(trainee, program, issued_at=now - 730 * DAY, expires_at=now - DAY)
    response = trainee_client.get(reverse("certificates:program", args=[program.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Renewing your certificate" in body
    assert "To pass" in body
    assert_accessible(response)


def test_program_page_of_draft_program_is_404(trainee_client):
    program = make_program(status="draft")
    response = trainee_client.get(reverse("certificates:program", args=[program.slug]))
    assert response.status_code == 404


def test_claim_issues_a_complete_renewal(trainee_client, trainee):
    program = make_program(lessons=1, quizzes=1)
    now = timezone.now()
    make_certificate(trainee, program, issued_at=now - 700 * DAY, expires_at=now + 5 * DAY)
    do_everything(trainee, program, at=now - 200 * DAY)  # done while still certified
    response = trainee_client.post(reverse("certificates:claim", args=[program.slug]))
    renewed = Certificate.objects.get(user=trainee, cycle=2)
    assert response.status_code == 302
    assert response["Location"] == renewed.get_absolute_url()


def test_claim_with_open_requirements_issues_nothing(trainee_client, trainee):
    program = make_program()
    response = trainee_client.post(reverse("certificates:claim", args=[program.slug]), follow=True)
    assert NOTHING_TO_ISSUE in response.content.decode()
    assert not Certificate.objects.exists()


def test_claim_needs_post(trainee_client):
    program = make_program()
    assert trainee_client.get(reverse("certificates:claim", args=[program.slug])).status_code == 405


# Certificate page and PDF: owner only


def test_owner_sees_certificate_page(trainee_client, certificate):
    response = trainee_client.get(certificate.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tara Trainee" in body
    assert certificate.display_code in body
    assert f"http://testserver{certificate.verify_path()}" in body
    assert_accessible(response)


@pytest.mark.parametrize("persona", ["other_trainee", "manager", "educator"])
def test_others_get_404_for_certificate_and_pdf(client, request, persona, certificate):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(certificate.get_absolute_url()).status_code == 404
    pdf_url = reverse("certificates:download", args=[certificate.display_code])
    assert client.get(pdf_url).status_code == 404


def test_anonymous_is_sent_to_login_for_certificate(client, certificate):
    response = client.get(certificate.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_owner_downloads_a_real_pdf(trainee_client, certificate):
    response = trainee_client.get(reverse("certificates:download", args=[certificate.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="certificate-{certificate.display_code}.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    # The document metadata is not compressed: the name and code can be read from it.
    assert b"Tara Trainee" in response.content
    assert certificate.display_code.encode() in response.content


def test_revoked_certificate_cannot_be_downloaded(trainee_client, trainee):
    certificate = make_certificate(trainee, make_program(), issued_at=timezone.now(), revoked=True)
    url = reverse("certificates:download", args=[certificate.display_code])
    assert trainee_client.get(url).status_code == 404
    page = trainee_client.get(certificate.get_absolute_url()).content.decode()
    assert "This certificate was revoked" in page
    assert url not in page


# Session, user and roles (3), the dashboard selector (9); the session is not written back
# (signing in counted as its refresh).
# 14 for the programs (with their lessons, quizzes, statements and checklists),
# certificates and attempts; 2 for the cohort notices (open invitations, an address
# still to confirm); 1 for the observations awaiting acknowledgement; 1 for the questions
# due for review; 1 for the certificate updates open after a material change.
DASHBOARD_PAGE_QUERIES = 19


@pytest.mark.parametrize("programs", [1, 10])
def test_dashboard_page_query_count_is_constant(
    trainee_client, trainee, django_assert_num_queries, programs
):
    now = timezone.now()
    for i in range(programs):
        program = make_program(slug=f"p{i}", lessons=2, quizzes=2)
        assign(trainee, program, due_date=timezone.localdate() + 10 * DAY)
        do_everything(trainee, program, at=now - DAY)
        if i % 2:
            make_certificate(trainee, program, issued_at=now, expires_at=now + 10 * DAY)
    with django_assert_num_queries(DASHBOARD_PAGE_QUERIES):
        response = trainee_client.get(reverse("trainee_home"))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="program-') == programs


# Public verification


@pytest.mark.parametrize(
    "expires_days, revoked, verdict",
    [
        (700, False, "Valid."),
        (None, False, "Valid."),
        (-1, False, "Expired."),
        (700, True, "Revoked."),
    ],
)
def test_verification_page(client, trainee, expires_days, revoked, verdict):
    now = timezone.now()
    certificate = make_certificate(
        trainee,
        make_program(name="Foundation"),
        issued_at=now - 30 * DAY,
        expires_at=now + expires_days * DAY if expires_days is not None else None,
        revoked=revoked,
    )
    response = client.get(reverse("certificates:verify", args=[certificate.display_code]))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"<strong>{verdict}</strong>" in body
    assert "Tara Trainee" in body
    assert "Foundation" in body
    # Nothing more: no username, e-mail, scores or revocation reason.
    assert trainee.username not in body.replace("Tara Trainee", "")
    assert trainee.email not in body
    assert "Issued in error." not in body
    assert_accessible(response)


def test_verification_accepts_lowercase_and_spaces(client, certificate):
    code = certificate.display_code.lower().replace("-", " ")
    response = client.get(reverse("certificates:verify", args=[code]))
    assert response.status_code == 200
    assert "<strong>Valid.</strong>" in response.content.decode()


@pytest.mark.parametrize("code", ["0000-0000-0000-0000-0000", "nonsense"])
def test_unknown_code_gets_not_found_page(client, code):
    response = client.get(reverse("certificates:verify", args=[code]))
    assert response.status_code == 404
    assert VERIFY_NOT_FOUND in response.content.decode()
    assert_accessible(response)


def test_verify_form_redirects_to_the_code(client, certificate):
    typed = certificate.display_code.lower()
    response = client.get(reverse("certificates:verify_form"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == certificate.verify_path()


def test_verify_form_rejects_malformed_code(client):
    response = client.get(reverse("certificates:verify_form"), {"code": "abc"})
    assert response.status_code == 400
    assert VERIFY_CODE_INVALID in response.content.decode()


def test_verify_form_page(client):
    response = client.get(reverse("certificates:verify_form"))
    assert response.status_code == 200
    assert_accessible(response)


def test_verification_is_rate_limited_per_client(client, certificate):
    url = reverse("certificates:verify", args=[certificate.display_code])
    for _ in range(VERIFY_LIMIT):
        assert client.get(url, REMOTE_ADDR="203.0.113.5").status_code == 200
    response = client.get(url, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 429
    assert VERIFY_RATE_LIMITED in response.content.decode()
    assert response["Retry-After"] == "600"
    # Another client is not affected.
    assert client.get(url, REMOTE_ADDR="203.0.113.6").status_code == 200


def test_unknown_codes_count_toward_the_limit(client):
    url = reverse("certificates:verify", args=["0000-0000-0000-0000-0000"])
    for _ in range(VERIFY_LIMIT):
        assert client.get(url).status_code == 404
    assert client.get(url).status_code == 429


# Revocation page


def _manage(manager, trainee):
    """Put the trainee in a cohort the manager manages."""
    return make_cohort(managers=[manager], trainees=[trainee])


def test_revoke_page_needs_the_permission(trainee_client, certificate):
    url = reverse("certificates:revoke", args=[certificate.display_code])
    assert trainee_client.get(url).status_code == 403
    assert trainee_client.post(url, {"reason": "x"}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_manager_revokes_a_certificate_of_their_cohort_with_reason(
    client, manager, trainee, certificate
):
    _manage(manager, trainee)
    client.force_login(manager)
    url = reverse("certificates:revoke", args=[certificate.display_code])
    page = client.get(url)
    assert page.status_code == 200
    assert_accessible(page)
    response = client.post(url, {"reason": "Completed by someone else."})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoke_reason == "Completed by someone else."
    assert certificate.revoked_by == manager
    verification = client.get(certificate.verify_path()).content.decode()
    assert "<strong>Revoked.</strong>" in verification


def _assert_revoke_is_404(client, user, certificate):
    client.force_login(user)
    url = reverse("certificates:revoke", args=[certificate.display_code])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "Not mine."}).status_code == 404
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_manager_of_another_cohort_cannot_revoke(
    client, manager, other_manager, trainee, certificate
):
    _manage(manager, trainee)
    make_cohort(managers=[other_manager])
    _assert_revoke_is_404(client, other_manager, certificate)


def test_manager_cannot_revoke_a_trainee_outside_their_cohorts(
    client, manager, trainee, other_trainee, certificate
):
    _manage(manager, other_trainee)
    _assert_revoke_is_404(client, manager, certificate)


def test_educator_revokes_any_certificate(educator_client, educator, certificate):
    url = reverse("certificates:revoke", args=[certificate.display_code])
    assert educator_client.get(url).status_code == 200
    response = educator_client.post(url, {"reason": "Exam irregularity."})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert (certificate.revoked_by, certificate.revoke_reason) == (educator, "Exam irregularity.")


def test_revoke_without_reason_is_refused(client, manager, trainee, certificate):
    _manage(manager, trainee)
    client.force_login(manager)
    url = reverse("certificates:revoke", args=[certificate.display_code])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_revoke_unknown_code_is_404(educator_client):
    response = educator_client.get(
        reverse("certificates:revoke", args=["0000-0000-0000-0000-0000"])
    )
    assert response.status_code == 404


def test_passing_a_quiz_then_dashboard_shows_certificate(trainee_client, trainee):
    program = make_program(lessons=1, quizzes=1)
    complete_lesson(trainee, program.required_lessons.get())
    graded_attempt(trainee, program.required_quizzes.get())
    trainee_client.post(reverse("certificates:claim", args=[program.slug]))
    body = trainee_client.get(reverse("trainee_home")).content.decode()
    assert "Certified until" in body


def test_public_home_links_to_verification(client):
    body = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("certificates:verify_form")}"' in body
