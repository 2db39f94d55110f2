"""The certificate as an A4 landscape PDF, drawn with reportlab.

Page one is the certificate; page two, when the certificate lists anything, says what it
certifies (lessons, quiz results, observed practice, attestations), read from the lists
frozen on the certificate. The QR code of the verification address uses reportlab's own
barcode module.

Names print in any script: text is drawn in DejaVu Sans (regular and bold), embedded as
a TrueType subset, found in FONT_DIRS (Debian's fonts-dejavu-core, or the copy that
matplotlib ships when it is installed). DejaVu has no Chinese, Japanese or Korean
characters: runs of those are drawn with reportlab's built-in CID fonts, which PDF
readers supply. Without DejaVu the PDF standard fonts are used, and characters outside
Windows-1252 print as "?" rather than breaking the document.
"""

import functools
import importlib.util
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
QR_SIZE = 38 * mm
BRAND = colors.HexColor("#0d4f8b")
MIN_SIZE = 9  # a long name or program title shrinks down to this, then is cut

SANS, SANS_BOLD = "DejaVuSans", "DejaVuSans-Bold"
FONT_FILES = {SANS: "DejaVuSans.ttf", SANS_BOLD: "DejaVuSans-Bold.ttf"}
STANDARD = {SANS: "Helvetica", SANS_BOLD: "Helvetica-Bold"}
# Chinese and Japanese characters, then Korean: reportlab's built-in CID fonts.
CJK_FONT, HANGUL_FONT = "HeiseiKakuGo-W5", "HYGothic-Medium"
CJK_RANGES = ((0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF))
HANGUL_RANGES = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF))


def _matplotlib_fonts() -> list[Path]:
    """matplotlib's bundled DejaVu, found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.origin:
        return []
    return [Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"]


FONT_DIRS: list[Path] = [Path("/usr/share/fonts/truetype/dejavu"), *_matplotlib_fonts()]


@dataclass(frozen=True)
class Fonts:
    embedded: bool  # DejaVu found and registered
    glyphs: frozenset[int] = frozenset()  # the code points DejaVu Sans draws

    def name(self, bold: bool) -> str:
        wanted = SANS_BOLD if bold else SANS
        return wanted if self.embedded else STANDARD[wanted]


@functools.cache
def fonts() -> Fonts:
    """Register DejaVu Sans with reportlab once; the standard fonts when it is missing."""
    for folder in FONT_DIRS:
        paths = {name: folder / file for name, file in FONT_FILES.items()}
        if all(path.is_file() for path in paths.values()):
            faces = {name: TTFont(name, str(path)) for name, path in paths.items()}
            for face in faces.values():
                pdfmetrics.registerFont(face)
            for cid in (CJK_FONT, HANGUL_FONT):
                pdfmetrics.registerFont(UnicodeCIDFont(cid))
            return Fonts(embedded=True, glyphs=frozenset(faces[SANS].face.charToGlyph))
    return Fonts(embedded=False)


def _in(ranges, point: int) -> bool:
    return any(low <= point <= high for low, high in ranges)


def text_runs(text: str, *, bold: bool = False) -> list[tuple[str, str]]:
    """Split text into (font name, text) runs, each drawable in its font."""
    found = fonts()
    if not found.embedded:
        return [(found.name(bold), _drawable(text))] if text else []
    runs: list[tuple[str, str]] = []
    for char in text:
        point = ord(char)
        font = found.name(bold)
        if point not in found.glyphs:
            if _in(CJK_RANGES, point):
                font = CJK_FONT
            elif _in(HANGUL_RANGES, point):
                font = HANGUL_FONT
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def text_width(text: str, *, size: float, bold: bool = False) -> float:
    return sum(
        pdfmetrics.stringWidth(part, font, size) for font, part in text_runs(text, bold=bold)
    )


def draw_text(
    pdf: canvas.Canvas,
    x: float,
    y: float,
    text: str,
    *,
    size: float,
    bold: bool = False,
    centred: bool = False,
) -> None:
    """Draw text at (x, y) (its centre when `centred`), switching fonts where a script needs."""
    if centred:
        x -= text_width(text, size=size, bold=bold) / 2
    for font, part in text_runs(text, bold=bold):
        pdf.setFont(font, size)
        pdf.drawString(x, y, part)
        x += pdfmetrics.stringWidth(part, font, size)


def fit(text: str, *, width: float, size: float, bold: bool = False) -> str:
    """The text, cut with an ellipsis so that it fits in `width` points."""
    if text_width(text, size=size, bold=bold) <= width:
        return text
    while text and text_width(text + "…", size=size, bold=bold) > width:
        text = text[:-1]
    return text + "…"


def fitting_size(text: str, *, width: float, size: float, bold: bool = False) -> float:
    """The largest size up to `size` (down to MIN_SIZE) at which the text fits in `width`."""
    natural = text_width(text, size=size, bold=bold)
    if natural <= width:
        return size
    return max(MIN_SIZE, int(size * width / natural * 10) / 10)


@dataclass(frozen=True)
class CertificateDocument:
    holder_name: str
    program_name: str
    issued_at: datetime
    expires_at: datetime | None
    code: str  # grouped, as people read it
    verify_url: str
    cpd_hours: Decimal | None = None
    cpd_awarding_body: str = ""
    # What it certifies: the certificate's frozen lists (shapes in Certificate's fields).
    lessons_completed: Sequence[dict] = field(default_factory=tuple)
    quiz_scores: Sequence[dict] = field(default_factory=tuple)
    observations: Sequence[dict] = field(default_factory=tuple)
    attestations: Sequence[dict] = field(default_factory=tuple)


def _drawable(text: str) -> str:
    """Keep what the standard fonts can draw (Windows-1252: Latin-1 plus dashes and quotes)."""
    return text.encode("cp1252", "replace").decode("cp1252")


def _date(moment: datetime | date) -> str:
    return f"{moment.day} {moment:%B %Y}"


def iso_day(value) -> str:
    """A stored ISO date or time as "2 December 2026"; the text as it is if it is not one."""
    if not value:
        return ""
    try:
        return _date(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def cpd_line(document: CertificateDocument) -> str:
    """The certificate's CPD statement, e.g. "3.0 CPD hours · awarded by ..."."""
    line = f"{document.cpd_hours:.1f} CPD hours"
    if document.cpd_awarding_body:
        line += f"  ·  awarded by {document.cpd_awarding_body}"
    return line


def _score(item: dict) -> str:
    title, percent = item.get("title", ""), item.get("percent")
    if item.get("renewal_by_review"):
        title += " (renewal by review)"  # as the certificate's page says
    if percent is None:
        return title  # no score recorded: the quiz is named, no result invented
    # Half up, as the pages' floatformat rounds.
    whole = Decimal(str(percent)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{title}: {whole}%"


def certified_sections(document: CertificateDocument) -> list[tuple[str, list[str]]]:
    """The headed lines of page two; an empty list has no section."""
    sections = [
        (
            "Lessons completed",
            [
                f"{item.get('title', '')}"
                + (f" — {iso_day(item['completed_at'])}" if item.get("completed_at") else "")
                for item in document.lessons_completed
            ],
        ),
        ("Quiz results", [_score(item) for item in document.quiz_scores]),
        (
            "Observed practice",
            [
                f"{item.get('title', '')}: signed off by {item.get('assessor', '')}, "
                f"{iso_day(item.get('observed_on'))}"
                + (f" ({item['setting']})" if item.get("setting") else "")
                for item in document.observations
            ],
        ),
        (
            "Attestations",
            [
                f"{item.get('title', '')}, version {item.get('version', '')}: signed "
                f"{iso_day(item.get('attested_at'))}"
                for item in document.attestations
            ],
        ),
    ]
    return [(heading, lines) for heading, lines in sections if lines]


def _frame(pdf: canvas.Canvas) -> float:
    margin = 14 * mm
    pdf.setStrokeColor(BRAND)
    pdf.setLineWidth(3)
    pdf.rect(margin, margin, PAGE_WIDTH - 2 * margin, PAGE_HEIGHT - 2 * margin)
    pdf.setLineWidth(0.8)
    inner = margin + 4 * mm
    pdf.rect(inner, inner, PAGE_WIDTH - 2 * inner, PAGE_HEIGHT - 2 * inner)
    return inner


def _certified_pages(pdf: canvas.Canvas, document: CertificateDocument) -> None:
    sections = certified_sections(document)
    if not sections:
        return
    inner = _frame(pdf)
    left, width = inner + 12 * mm, PAGE_WIDTH - 2 * inner - 24 * mm
    top = PAGE_HEIGHT - inner - 16 * mm
    bottom = inner + 10 * mm
    pdf.setFillColor(BRAND)
    draw_text(pdf, left, top, "What this certificate certifies", size=18, bold=True)
    pdf.setFillColor(colors.black)
    draw_text(pdf, left, top - 8 * mm, f"{document.holder_name} · {document.program_name}", size=11)
    y = top - 20 * mm
    for heading, lines in sections:
        if y - 14 * mm < bottom:
            pdf.showPage()
            inner = _frame(pdf)
            y = top
        draw_text(pdf, left, y, heading, size=13, bold=True)
        y -= 7 * mm
        for line in lines:
            if y < bottom:
                pdf.showPage()
                inner = _frame(pdf)
                y = top
            draw_text(pdf, left + 4 * mm, y, "• " + fit(line, width=width, size=10), size=10)
            y -= 5.5 * mm
        y -= 4 * mm
    pdf.showPage()


def certificate_pdf(document: CertificateDocument, *, compress: bool = True) -> bytes:
    """Return the certificate as PDF bytes; `compress=False` keeps the text readable."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        pageCompression=int(compress),
        initialFontName=fonts().name(bold=False),
    )
    pdf.setTitle(f"Certificate - {document.holder_name} - {document.program_name}")
    pdf.setAuthor("Bleeding management training")
    pdf.setSubject(f"Verification code {document.code}")

    inner = _frame(pdf)
    centre = PAGE_WIDTH / 2
    wide = PAGE_WIDTH - 2 * inner - 20 * mm
    pdf.setFillColor(BRAND)
    draw_text(
        pdf,
        centre,
        PAGE_HEIGHT - 52 * mm,
        "Certificate of completion",
        size=30,
        bold=True,
        centred=True,
    )
    pdf.setFillColor(colors.black)
    draw_text(pdf, centre, PAGE_HEIGHT - 68 * mm, "This certifies that", size=14, centred=True)
    holder_name_size = fitting_size(document.holder_name, width=wide, size=26, bold=True)
    draw_text(
        pdf,
        centre,
        PAGE_HEIGHT - 84 * mm,
        fit(document.holder_name, width=wide, size=holder_name_size, bold=True),
        size=holder_name_size,
        bold=True,
        centred=True,
    )
    draw_text(
        pdf,
        centre,
        PAGE_HEIGHT - 98 * mm,
        "has completed the certification program",
        size=14,
        centred=True,
    )
    program_name_size = fitting_size(document.program_name, width=wide, size=17, bold=True)
    draw_text(
        pdf,
        centre,
        PAGE_HEIGHT - 110 * mm,
        fit(document.program_name, width=wide, size=program_name_size, bold=True),
        size=program_name_size,
        bold=True,
        centred=True,
    )
    validity = (
        f"Valid until {_date(document.expires_at)}" if document.expires_at else "Does not expire"
    )
    draw_text(
        pdf,
        centre,
        PAGE_HEIGHT - 124 * mm,
        f"Issued {_date(document.issued_at)}  ·  {validity}",
        size=12,
        centred=True,
    )
    if document.cpd_hours is not None:
        draw_text(pdf, centre, PAGE_HEIGHT - 132 * mm, cpd_line(document), size=12, centred=True)
    if certified_sections(document):
        draw_text(
            pdf,
            centre,
            PAGE_HEIGHT - 140 * mm,
            "What it certifies is listed on the next page.",
            size=10,
            centred=True,
        )

    left = inner + 10 * mm
    draw_text(pdf, left, inner + 24 * mm, "Verification code", size=10)
    pdf.setFont("Courier-Bold", 15)
    pdf.drawString(left, inner + 17 * mm, _drawable(document.code))
    draw_text(pdf, left, inner + 10 * mm, "Check this certificate at", size=10)
    draw_text(pdf, left, inner + 5 * mm, document.verify_url, size=10)

    widget = QrCodeWidget(document.verify_url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(
        QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, PAGE_WIDTH - inner - 8 * mm - QR_SIZE, inner + 4 * mm)

    pdf.showPage()
    _certified_pages(pdf, document)
    pdf.save()
    return buffer.getvalue()
