"""The CPD record as an A4 PDF, drawn with reportlab like the certificate (certification/pdf.py).

Plain data in (the record's lines and totals), bytes out; long records run over pages.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from quizzes.certification.pdf import BRAND, draw_text, fonts
from quizzes.cpd.rules import SOURCE_CERTIFICATE, CpdLine, CpdTotals

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
ROW = 6 * mm
# Column x positions (from the left margin) and the widest text each holds, in characters.
COLUMNS = ((0, "Date", 12), (24, "Training", 44), (104, "Provider", 26), (152, "Hours", 6))


@dataclass(frozen=True)
class RecordDocument:
    holder_name: str
    lines: Sequence[CpdLine]
    totals: CpdTotals
    printed_on: date


def _drawable(text: str, width: int | None = None) -> str:
    """The text cut to `width` characters; the certificate's fonts draw any script."""
    if width is not None and len(text) > width:
        text = text[: width - 1] + "…"
    return text


def _hours(value) -> str:
    return f"{value:.1f}" if value is not None else "-"


def _header(pdf, top: float) -> float:
    for x, title, _ in COLUMNS:
        draw_text(pdf, MARGIN + x * mm, top, title, size=9, bold=True)
    pdf.setStrokeColor(BRAND)
    pdf.line(MARGIN, top - 2 * mm, PAGE_WIDTH - MARGIN, top - 2 * mm)
    return top - ROW


def record_pdf(document: RecordDocument, *, compress: bool = True) -> bytes:
    """Return the CPD record as PDF bytes; `compress=False` keeps the text readable."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(
        buffer,
        pagesize=A4,
        pageCompression=int(compress),
        initialFontName=fonts().name(bold=False),
    )
    pdf.setTitle(f"CPD record - {document.holder_name}")
    pdf.setAuthor("Bleeding management training")

    top = PAGE_HEIGHT - MARGIN - 8 * mm
    pdf.setFillColor(BRAND)
    draw_text(pdf, MARGIN, top, "CPD record", size=20, bold=True)
    pdf.setFillColor(colors.black)
    draw_text(pdf, MARGIN, top - 9 * mm, _drawable(document.holder_name, 80), size=12)
    totals = document.totals
    draw_text(
        pdf,
        MARGIN,
        top - 16 * mm,
        f"Total: {_hours(totals.all_time)} CPD hours  ·  last 12 months: "
        f"{_hours(totals.last_12_months)}  ·  printed {document.printed_on.isoformat()}",
        size=10,
    )
    if totals.pending:
        draw_text(
            pdf,
            MARGIN,
            top - 21 * mm,
            f"Waiting for approval (not counted): {_hours(totals.pending)}",
            size=10,
        )
    y = _header(pdf, top - 30 * mm)
    for line in document.lines:
        if y < MARGIN + ROW:
            pdf.showPage()
            y = _header(pdf, PAGE_HEIGHT - MARGIN)
        title = line.title if line.source != SOURCE_CERTIFICATE else f"{line.title} (certificate)"
        if not line.counts:
            title += f" [{line.status}]"
        cells = (line.on.isoformat(), title, line.provider, _hours(line.hours))
        for (x, _, width), text in zip(COLUMNS, cells, strict=True):
            draw_text(pdf, MARGIN + x * mm, y, _drawable(text, width), size=9)
        y -= ROW
    if not document.lines:
        draw_text(pdf, MARGIN, y, "Nothing recorded yet.", size=9)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
