"""The certificate page, its PDF and the verification page say what was certified."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tests.builders import make_certificate, make_program
from tests.certification.pdf_text import pdf_lines
from tests.certification.test_pdf import CERTIFIED

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
SECTIONS = (
    "certified-lessons",
    "certified-quizzes",
    "certified-observations",
    "certified-attestations",
)


@pytest.fixture(autouse=True)
def _clear_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certified(trainee):
    certificate = make_certificate(
        trainee,
        make_program(name="Foundation", lessons=0, quizzes=0),
        issued_at=timezone.now() - DAY,
        expires_at=timezone.now() + 700 * DAY,
    )
    for name, value in CERTIFIED.items():
        setattr(certificate, name, value)
    certificate.save()
    return certificate


def _assert_lists_everything(body: str, *, typed_name_shown: bool) -> None:
    for section in SECTIONS:
        assert f'data-testid="{section}"' in body, section
    assert "Why it bleeds" in body and "2026-11-20" in body
    assert "Topic quiz: 93%" in body and "<li>Final</li>" in body
    assert (
        "Observed practice: signed off by Asha Assessor on 2026-11-21 (Supervised clinic)" in body
    )
    assert "Bleeding management protocol, version 2: signed 2026-11-22" in body
    assert ("Tara Trainee" in body.split('data-testid="certified-attestations"')[1]) is (
        typed_name_shown
    )


def test_the_certificate_page_lists_what_was_certified(trainee_client, certified):
    response = trainee_client.get(certified.get_absolute_url())
    assert response.status_code == 200
    _assert_lists_everything(response.content.decode(), typed_name_shown=False)


def test_an_old_certificate_shows_no_empty_section(trainee_client, trainee):
    certificate = make_certificate(
        trainee, make_program(name="Old", lessons=0, quizzes=0), issued_at=timezone.now() - DAY
    )
    body = trainee_client.get(certificate.get_absolute_url()).content.decode()
    assert not any(f'data-testid="{section}"' in body for section in SECTIONS)


def test_the_verification_template_lists_what_was_certified():
    verification = SimpleNamespace(
        status="valid",
        holder_name="Tara Trainee",
        program_name="Foundation",
        issued_at=timezone.now(),
        expires_at=None,
        revoked_at=None,
        code="ABCD",
        cpd_hours=None,
        superseded=False,
        **CERTIFIED,
    )
    body = render_to_string("certificates/verify.html", {"verification": verification})
    _assert_lists_everything(body, typed_name_shown=False)


def test_the_public_verification_page_lists_what_was_certified(client, certified):
    response = client.get(reverse("certificates:verify", args=[certified.display_code]))
    assert response.status_code == 200
    _assert_lists_everything(response.content.decode(), typed_name_shown=False)


def test_the_downloaded_pdf_lists_what_was_certified(trainee_client, certified):
    response = trainee_client.get(reverse("certificates:download", args=[certified.code]))
    assert response.status_code == 200
    lines = pdf_lines(response.content)
    assert "Attestations" in lines
    assert "• Bleeding management protocol, version 2: signed 22 November 2026" in lines
