"""The certificate as a one-page A4 landscape PDF, drawn with reportlab.

The QR code of the verification address uses reportlab's own barcode module,
so no extra dependency is needed. Text uses the PDF standard fonts, which
cover Windows-1252 (Latin-1 names, dashes, quotes); other characters are
replaced by "?" rather than breaking the document.
"""

import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
QR_SIZE = 38 * mm
BRAND = colors.HexColor("#0d4f8b")


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


def _drawable(text: str) -> str:
    """Keep what the standard fonts can draw (Windows-1252: Latin-1 plus dashes and quotes)."""
    return text.encode("cp1252", "replace").decode("cp1252")


def _date(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def cpd_line(document: CertificateDocument) -> str:
    """The certificate's CPD statement, e.g. "3.0 CPD hours · awarded by ..."."""
    line = f"{document.cpd_hours:.1f} CPD hours"
    if document.cpd_awarding_body:
        line += f"  ·  awarded by {document.cpd_awarding_body}"
    return line


def certificate_pdf(document: CertificateDocument, *, compress: bool = True) -> bytes:
    """Return the certificate as PDF bytes; `compress=False` keeps the text readable."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=int(compress))
    pdf.setTitle(_drawable(f"Certificate - {document.holder_name} - {document.program_name}"))
    pdf.setAuthor("Bleeding management training")
    pdf.setSubject(_drawable(f"Verification code {document.code}"))

    margin = 14 * mm
    pdf.setStrokeColor(BRAND)
    pdf.setLineWidth(3)
    pdf.rect(margin, margin, PAGE_WIDTH - 2 * margin, PAGE_HEIGHT - 2 * margin)
    pdf.setLineWidth(0.8)
    inner = margin + 4 * mm
    pdf.rect(inner, inner, PAGE_WIDTH - 2 * inner, PAGE_HEIGHT - 2 * inner)

    centre = PAGE_WIDTH / 2
    pdf.setFillColor(BRAND)
    pdf.setFont("Helvetica-Bold", 30)
    pdf.drawCentredString(centre, PAGE_HEIGHT - 52 * mm, "Certificate of completion")
    pdf.setFillColor(colors.black)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(centre, PAGE_HEIGHT - 68 * mm, "This certifies that")
    pdf.setFont("Helvetica-Bold", 26)
    pdf.drawCentredString(centre, PAGE_HEIGHT - 84 * mm, _drawable(document.holder_name))
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(centre, PAGE_HEIGHT - 98 * mm, "has completed the certification program")
    pdf.setFont("Helvetica-Bold", 17)
    pdf.drawCentredString(centre, PAGE_HEIGHT - 110 * mm, _drawable(document.program_name))

    pdf.setFont("Helvetica", 12)
    validity = (
        f"Valid until {_date(document.expires_at)}" if document.expires_at else "Does not expire"
    )
    pdf.drawCentredString(
        centre, PAGE_HEIGHT - 124 * mm, f"Issued {_date(document.issued_at)}  ·  {validity}"
    )
    if document.cpd_hours is not None:
        pdf.drawCentredString(centre, PAGE_HEIGHT - 132 * mm, _drawable(cpd_line(document)))

    left = inner + 10 * mm
    pdf.setFont("Helvetica", 10)
    pdf.drawString(left, inner + 24 * mm, "Verification code")
    pdf.setFont("Courier-Bold", 15)
    pdf.drawString(left, inner + 17 * mm, document.code)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(left, inner + 10 * mm, "Check this certificate at")
    pdf.drawString(left, inner + 5 * mm, _drawable(document.verify_url))

    widget = QrCodeWidget(document.verify_url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(
        QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, PAGE_WIDTH - inner - 8 * mm - QR_SIZE, inner + 4 * mm)

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
