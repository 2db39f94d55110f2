"""The certificate PDF is a real PDF carrying the name, program, dates and code."""

from datetime import UTC, datetime

from quizzes.certification.pdf import CertificateDocument, certificate_pdf

DOCUMENT = CertificateDocument(
    holder_name="Tara Trainee",
    program_name="Bleeding management in microneedling — foundation",
    issued_at=datetime(2026, 11, 26, 10, 0, tzinfo=UTC),
    expires_at=datetime(2028, 11, 26, 10, 0, tzinfo=UTC),
    code="ABCD-1234-EFGH-5678-JKMN",
    verify_url="https://training.example.org/certificates/verify/ABCD-1234-EFGH-5678-JKMN/",
)


def test_pdf_is_a_pdf():
    data = certificate_pdf(DOCUMENT)
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")


def test_uncompressed_pdf_shows_name_program_dates_code_and_address():
    data = certificate_pdf(DOCUMENT, compress=False)
    assert b"(Tara Trainee) Tj" in data
    assert b"(ABCD-1234-EFGH-5678-JKMN) Tj" in data
    # The em dash is drawn as Windows-1252 0x97, which the standard fonts have.
    assert b"(Bleeding management in microneedling \\227 foundation) Tj" in data
    assert b"26 November 2026" in data
    assert b"Valid until 26 November 2028" in data
    assert DOCUMENT.verify_url.encode() in data


def test_certificate_without_expiry_says_so():
    document = CertificateDocument(**{**DOCUMENT.__dict__, "expires_at": None})
    assert b"Does not expire" in certificate_pdf(document, compress=False)


def test_name_outside_latin1_does_not_break_the_pdf():
    document = CertificateDocument(**{**DOCUMENT.__dict__, "holder_name": "Zoë Łukasz 李"})
    data = certificate_pdf(document, compress=False)
    assert data.startswith(b"%PDF-")
    assert b"Zo\\353 ?ukasz ?" in data or b"Zo\xeb ?ukasz ?" in data
