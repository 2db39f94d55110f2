"""CPD evidence files: the upload checks, the random stored name and the private storage.

Evidence (a certificate from another provider, an attendance letter) may name the
trainee and their clinic, so it is never public: it is stored outside MEDIA_ROOT, in
settings.CPD_EVIDENCE_ROOT, by a storage that has no URL, and served only by the CPD
pages to those who may see the entry. Files are PDF, PNG or JPEG of at most 5 MB, their
type read from their content; they are stored under a random name with the extension of
that type, and the uploader's own name is kept only as metadata. The migration imports
evidence_storage and evidence_path by this module's path: keep them here.
"""

from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from PIL import Image

from quizzes.cpd.rules import (
    EVIDENCE_TYPES,
    JPEG,
    MAX_EVIDENCE_BYTES,
    PDF,
    PNG,
    SIGNATURE_BYTES,
    evidence_kind,
)

RANDOM_NAME_BYTES = 16
ORIGINAL_NAME_MAX_LENGTH = 255

EVIDENCE_TOO_LARGE = "The evidence file is larger than 5 MB. Compress it and upload it again."
EVIDENCE_WRONG_TYPE = (
    "The evidence file is not a PDF, PNG or JPEG (its content was checked, not its name)."
)


@deconstructible(path="quizzes.cpd.evidence.EvidenceStorage")
class EvidenceStorage(FileSystemStorage):
    """Files under settings.CPD_EVIDENCE_ROOT, read at use (tests change it), with no URL."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.CPD_EVIDENCE_ROOT)

    @cached_property
    def base_url(self):
        return None  # url() refuses: evidence is served by the CPD pages only

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "CPD_EVIDENCE_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


_STORAGE = EvidenceStorage()


def evidence_storage() -> EvidenceStorage:
    return _STORAGE


def upload_kind(upload) -> str | None:
    """The evidence type of an upload, read from its content; images must also open."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        kind = evidence_kind(upload.read(SIGNATURE_BYTES))
        if kind in (PNG, JPEG):
            upload.seek(0)
            try:
                with Image.open(upload) as image:
                    image.verify()
            except Exception:  # Pillow raises many kinds for broken or hostile files
                return None
        return kind
    finally:
        upload.seek(position)


def validate_evidence(upload) -> str:
    """Return the evidence type of a new upload; refuse it if too large or not allowed."""
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(EVIDENCE_TOO_LARGE, code="evidence_too_large")
    kind = upload_kind(upload)
    if kind not in EVIDENCE_TYPES:
        raise ValidationError(EVIDENCE_WRONG_TYPE, code="evidence_wrong_type")
    return kind


def evidence_path(instance, filename: str) -> str:
    """Where an entry's evidence is stored: cpd/<year>/<month>/<random>.<type>."""
    kind = getattr(instance, "evidence_kind", "") or PDF
    extension = EVIDENCE_TYPES.get(kind, EVIDENCE_TYPES[PDF])[1]
    month = timezone.now().strftime("%Y/%m")
    return f"cpd/{month}/{secrets.token_hex(RANDOM_NAME_BYTES)}.{extension}"


def original_name(upload) -> str:
    """The uploader's file name, printable and at most 255 characters."""
    name = os.path.basename(getattr(upload, "name", "") or "")
    name = "".join(char for char in name if char.isprintable())
    return name[:ORIGINAL_NAME_MAX_LENGTH]
