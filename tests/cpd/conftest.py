"""CPD test helpers: small evidence files of each kind, and entries built by the service."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from quizzes.cpd.services import cpd_entry_create

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, format="JPEG")
    return buffer.getvalue()


def pdf_upload(name="attendance.pdf", content=PDF_BYTES, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type)


@pytest.fixture
def make_entry():
    def make(user, *, hours="2.0", on=date(2026, 5, 1), title="Haemostasis workshop", **fields):
        return cpd_entry_create(
            user=user,
            title=title,
            provider=fields.pop("provider", "Another academy"),
            completed_on=on,
            hours=Decimal(hours),
            **fields,
        )

    return make
