"""The certificate PDF is a real PDF carrying the name, program, dates and code."""

import re
from datetime import UTC, date, datetime

import pytest

from quizzes.certification import pdf as pdf_module
from quizzes.certification.pdf import (
    CJK_FONT,
    HANGUL_FONT,
    CertificateDocument,
    certificate_pdf,
    fit,
    fonts,
    text_runs,
)
from quizzes.cpd.pdf import RecordDocument, record_pdf
from quizzes.cpd.rules import cpd_totals
from tests.certification.pdf_text import pdf_lines

WORLD_NAME = "Zoë Łukasiewicz 山田 Ναταλία Ивановa"

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
    lines = pdf_lines(data)
    assert "Tara Trainee" in lines
    assert "ABCD-1234-EFGH-5678-JKMN" in lines
    assert "Bleeding management in microneedling — foundation" in lines
    assert "Issued 26 November 2026  ·  Valid until 26 November 2028" in lines
    assert DOCUMENT.verify_url in lines
    # ASCII stays readable in the raw content stream of the embedded subset.
    assert b"(Tara Trainee) Tj" in data


def test_certificate_without_expiry_says_so():
    document = CertificateDocument(**{**DOCUMENT.__dict__, "expires_at": None})
    assert "Issued 26 November 2026  ·  Does not expire" in pdf_lines(certificate_pdf(document))


def test_dejavu_sans_is_embedded():
    assert fonts().embedded is True, "DejaVu Sans not found in FONT_DIRS"
    data = certificate_pdf(DOCUMENT, compress=False)
    assert b"/BaseFont /AAAAAA+DejaVuSans " in data
    assert b"/BaseFont /AAAAAA+DejaVuSans-Bold " in data
    assert b"/FontFile2" in data


@pytest.mark.parametrize("compress", [False, True])
def test_names_in_any_script_print_as_written(compress):
    document = CertificateDocument(**{**DOCUMENT.__dict__, "holder_name": WORLD_NAME})
    data = certificate_pdf(document, compress=compress)
    lines = pdf_lines(data)
    assert WORLD_NAME in lines
    assert not any("?" in line for line in lines)
    assert f"{WORLD_NAME} · {DOCUMENT.program_name}" not in lines  # nothing certified listed


def test_chinese_and_japanese_use_a_cid_font():
    assert text_runs("Zoë 山田") == [("DejaVuSans", "Zoë "), (CJK_FONT, "山田")]
    assert text_runs("김", bold=True) == [(HANGUL_FONT, "김")]


def test_long_names_are_cut_to_fit():
    assert fit("x" * 500, width=100, size=10).endswith("…")
    assert fit("Tara", width=100, size=10) == "Tara"


def test_without_dejavu_the_standard_fonts_replace_what_they_cannot_draw(monkeypatch):
    monkeypatch.setattr(pdf_module, "FONT_DIRS", [])
    fonts.cache_clear()
    try:
        document = CertificateDocument(**{**DOCUMENT.__dict__, "holder_name": "Zoë Łukasz 李"})
        lines = pdf_lines(certificate_pdf(document, compress=False))
        assert "Zoë ?ukasz ?" in lines
    finally:
        fonts.cache_clear()
        monkeypatch.undo()
        fonts()


CERTIFIED = {
    "lessons_completed": [
        {"lesson": "why", "title": "Why it bleeds", "completed_at": "2026-11-20T09:00:00+00:00"}
    ],
    "quiz_scores": [
        {"quiz": "q1", "title": "Topic quiz", "percent": 92.5},
        {"quiz": "q2", "title": "Final", "percent": None},
    ],
    "observations": [
        {
            "checklist": "observed",
            "title": "Observed practice",
            "assessor": "Asha Assessor",
            "observed_on": "2026-11-21",
            "setting": "Supervised clinic",
        }
    ],
    "attestations": [
        {
            "statement": "protocol",
            "title": "Bleeding management protocol",
            "version": 2,
            "typed_name": "Tara Trainee",
            "attested_at": "2026-11-22T10:00:00+00:00",
        }
    ],
}


def test_the_second_page_lists_what_is_certified():
    document = CertificateDocument(**{**DOCUMENT.__dict__, **CERTIFIED})
    lines = pdf_lines(certificate_pdf(document))
    start = lines.index("What this certificate certifies")
    assert lines[start + 2 :] == [
        "Lessons completed",
        "• Why it bleeds — 20 November 2026",
        "Quiz results",
        "• Topic quiz: 93%",
        "• Final",
        "Observed practice",
        "• Observed practice: signed off by Asha Assessor, 21 November 2026 (Supervised clinic)",
        "Attestations",
        "• Bleeding management protocol, version 2: signed 22 November 2026",
    ]
    assert "What it certifies is listed on the next page." in lines


def test_an_old_certificate_has_one_page_and_no_sections():
    lines = pdf_lines(certificate_pdf(DOCUMENT))
    assert "What this certificate certifies" not in lines
    assert "What it certifies is listed on the next page." not in lines


def test_many_lines_run_onto_more_pages():
    lessons = [{"lesson": f"l{i}", "title": f"Lesson {i}", "completed_at": None} for i in range(60)]
    document = CertificateDocument(**{**DOCUMENT.__dict__, "lessons_completed": lessons})
    data = certificate_pdf(document)
    lines = pdf_lines(data)
    assert [line for line in lines if line.startswith("• Lesson ")] == [
        f"• Lesson {i}" for i in range(60)
    ]
    assert data.count(b"/Type /Page\n") >= 0  # pages counted below
    assert len(re.findall(rb"/Type /Page[^s]", data)) >= 3


def test_the_cpd_record_prints_names_in_any_script():
    document = RecordDocument(
        holder_name=WORLD_NAME,
        lines=[],
        totals=cpd_totals(lines=[], today=date(2026, 6, 1)),
        printed_on=date(2026, 6, 1),
    )
    lines = pdf_lines(record_pdf(document))
    assert WORLD_NAME in lines
    assert "Nothing recorded yet." in lines


def test_a_long_name_shrinks_to_fit_rather_than_being_cut():
    name = "Maria Fernanda de los Ángeles Rodríguez-Castellanos y Villanueva"
    document = CertificateDocument(**{**DOCUMENT.__dict__, "holder_name": name})
    assert name in pdf_lines(certificate_pdf(document))
