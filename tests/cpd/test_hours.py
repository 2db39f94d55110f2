"""CPD hours: copied onto the certificate when issued, and the same on page, PDF,
verification and credential; a later edit of the program changes none of them."""

import base64
import json
import re
import zlib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.certification.content import ProgramContentError, programs_load
from quizzes.certification.pdf import CertificateDocument, certificate_pdf
from quizzes.certification.services import certificate_issue_if_complete
from quizzes.models import Certificate, Program
from tests.builders import do_everything, make_program
from tests.credentials.ob3 import ob3_problems

pytestmark = pytest.mark.django_db

BODY = "Irish Society of Aesthetic Practitioners"


@pytest.fixture
def program():
    program = make_program(slug="cpd-foundation", name="Bleeding management foundation")
    program.cpd_hours = Decimal("3.0")
    program.cpd_awarding_body = BODY
    program.save()
    return program


def _issue(trainee, program) -> Certificate:
    do_everything(trainee, program, at=timezone.now() - timedelta(days=1))
    certificate = certificate_issue_if_complete(user=trainee, program=program)
    assert certificate is not None
    return certificate


@pytest.fixture
def certificate(trainee, program):
    return _issue(trainee, program)


def _payload(jwt: str) -> dict:
    body = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _pdf_text(data: bytes) -> str:
    """The text of a reportlab PDF: its compressed streams inflated."""
    text = data.decode("latin-1")
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = stream.strip()
        try:
            if raw.endswith(b"~>"):  # reportlab wraps its streams in ASCII85
                raw = base64.a85decode(raw, adobe=True)
            text += zlib.decompress(raw).decode("latin-1")
        except (ValueError, zlib.error):
            continue
    return text


def _edit_program(program):
    program.cpd_hours = Decimal("9.5")
    program.cpd_awarding_body = "Someone else"
    program.save()


def test_hours_are_copied_onto_the_certificate_when_issued(certificate):
    assert certificate.cpd_hours == Decimal("3.0")
    assert certificate.cpd_awarding_body == BODY


def test_a_later_program_edit_never_changes_an_issued_certificate(certificate, program):
    _edit_program(program)
    certificate.refresh_from_db()
    assert certificate.cpd_hours == Decimal("3.0")
    assert certificate.cpd_awarding_body == BODY
    claims = _payload(certificate.credential.jwt)
    assert claims["credentialSubject"]["creditsEarned"] == 3.0


def test_a_program_without_hours_issues_a_certificate_without_them(trainee):
    certificate = _issue(trainee, make_program(slug="no-cpd"))
    assert certificate.cpd_hours is None
    claims = _payload(certificate.credential.jwt)
    assert "creditsEarned" not in claims["credentialSubject"]
    assert "creditsAvailable" not in claims["credentialSubject"]["achievement"]
    assert "CPD" not in claims["credentialSubject"]["achievement"]["criteria"]["narrative"]


def test_the_certificate_page_shows_the_hours_of_the_certificate(
    trainee_client, certificate, program
):
    _edit_program(program)
    page = trainee_client.get(certificate.get_absolute_url()).content.decode()
    assert 'data-testid="cpd-hours">3.0 · awarded by ' + BODY in page
    assert "9.5" not in page


def test_the_pdf_shows_the_hours_of_the_certificate(trainee_client, certificate, program):
    _edit_program(program)
    response = trainee_client.get(reverse("certificates:download", args=[certificate.display_code]))
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "3.0 CPD hours" in text and BODY in text
    assert "9.5 CPD hours" not in text


def test_the_pdf_has_no_cpd_line_without_hours():
    document = CertificateDocument(
        holder_name="Tara Trainee",
        program_name="Foundation",
        issued_at=Certificate._meta.get_field("issued_at").to_python("2026-06-01T00:00:00Z"),
        expires_at=None,
        code="AAAA-BBBB-CCCC-DDDD-EEEE",
        verify_url="https://example.org/v/",
    )
    assert "CPD hours" not in certificate_pdf(document, compress=False).decode("latin-1")


def test_the_verification_page_shows_the_hours_and_no_more(client, certificate, program):
    _edit_program(program)
    page = client.get(certificate.verify_path()).content.decode()
    assert 'data-testid="cpd-hours">3.0<' in page
    assert BODY not in page  # hours only: nothing the page did not show before but them
    assert certificate.user.email not in page


def test_the_credential_carries_the_hours_as_numbers_and_names_the_body(certificate):
    claims = _payload(certificate.credential.jwt)
    achievement = claims["credentialSubject"]["achievement"]
    assert achievement["creditsAvailable"] == 3.0
    assert isinstance(achievement["creditsAvailable"], float)
    assert claims["credentialSubject"]["creditsEarned"] == 3.0
    assert f"Earns 3.0 CPD hours, awarded by {BODY}." in achievement["criteria"]["narrative"]
    assert ob3_problems(claims) == []


def test_the_program_admin_shows_the_cpd_fields(admin_client, program):
    page = admin_client.get(reverse("admin:quizzes_program_change", args=[program.pk]))
    assert 'name="cpd_hours"' in page.content.decode()
    assert 'name="cpd_awarding_body"' in page.content.decode()


def test_the_loader_reads_the_optional_cpd_keys(tmp_path):
    path = tmp_path / "programs.json"
    entries = [
        {"slug": "a", "name": "A", "lessons": [], "quizzes": [], "cpd_hours": 3},
        {
            "slug": "b",
            "name": "B",
            "lessons": [],
            "quizzes": [],
            "cpd_hours": 1.5,
            "cpd_awarding_body": BODY,
        },
        {"slug": "c", "name": "C", "lessons": [], "quizzes": []},
    ]
    path.write_text(json.dumps(entries))
    programs_load(path=path)
    hours = dict(Program.objects.values_list("slug", "cpd_hours"))
    assert hours == {"a": Decimal("3.0"), "b": Decimal("1.5"), "c": None}
    assert Program.objects.get(slug="b").cpd_awarding_body == BODY


@pytest.mark.parametrize("bad", ["three", True, [3], -1, 1000, 1.25])
def test_the_loader_refuses_bad_cpd_hours(tmp_path, bad):
    path = tmp_path / "programs.json"
    path.write_text(
        json.dumps([{"slug": "a", "name": "A", "lessons": [], "quizzes": [], "cpd_hours": bad}])
    )
    with pytest.raises(ProgramContentError, match="a.*cpd_hours|a"):
        programs_load(path=path)
    assert not Program.objects.filter(slug="a").exists()


def test_the_shipped_foundation_program_earns_hours():
    shipped = json.loads(
        (Path(__file__).resolve().parents[2] / "fixtures/certification/programs.json").read_text()
    )
    foundation = next(p for p in shipped if p["slug"] == "bleeding-management-foundation")
    assert foundation["cpd_hours"] == 3
