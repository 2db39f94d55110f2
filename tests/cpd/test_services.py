"""CPD entries: create, change and delete (not once approved), evidence checks, review."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from quizzes.cpd.evidence import EVIDENCE_TOO_LARGE, EVIDENCE_WRONG_TYPE, evidence_storage
from quizzes.cpd.rules import MAX_EVIDENCE_BYTES
from quizzes.cpd.services import (
    APPROVAL_OFF,
    ENTRY_LOCKED,
    ENTRY_NOT_PENDING,
    cpd_entry_delete,
    cpd_entry_review,
    cpd_entry_update,
)
from quizzes.models import CpdEntry
from tests.cpd.conftest import PDF_BYTES, jpeg_bytes, pdf_upload, png_bytes
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db


def _update(entry, **fields):
    values = {
        "title": entry.title,
        "provider": entry.provider,
        "completed_on": entry.completed_on,
        "hours": entry.hours,
    }
    values.update(fields)
    return cpd_entry_update(entry=entry, **values)


def test_without_approval_a_new_entry_is_recorded(trainee, make_entry, settings):
    settings.CPD_APPROVAL_REQUIRED = False
    assert make_entry(trainee).status == CpdEntry.Status.RECORDED


def test_with_approval_a_new_entry_waits(trainee, make_entry, settings):
    settings.CPD_APPROVAL_REQUIRED = True
    assert make_entry(trainee).status == CpdEntry.Status.PENDING


@pytest.mark.parametrize("hours", ["0", "-1", "100.1"])
def test_hours_out_of_range_are_refused(trainee, make_entry, hours):
    with pytest.raises(ValidationError):
        make_entry(trainee, hours=hours)
    assert CpdEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "kind", "extension"),
    [(PDF_BYTES, "pdf", "pdf"), (png_bytes(), "png", "png"), (jpeg_bytes(), "jpeg", "jpg")],
)
def test_evidence_is_typed_by_content_and_stored_under_a_random_name(
    trainee, make_entry, content, kind, extension
):
    entry = make_entry(
        trainee, evidence=pdf_upload(name="Tara Trainee clinic.exe", content=content)
    )
    assert entry.evidence_kind == kind
    assert entry.evidence_original_name == "Tara Trainee clinic.exe"
    name = entry.evidence.name
    assert name.startswith("cpd/") and name.endswith(f".{extension}")
    assert "Tara" not in name and len(name.rsplit("/", 1)[1]) == 32 + 1 + len(extension)
    assert evidence_storage().open(name).read() == content


def test_evidence_has_no_public_url(trainee, make_entry):
    entry = make_entry(trainee, evidence=pdf_upload())
    with pytest.raises(ValueError):
        entry.evidence.url  # noqa: B018


@pytest.mark.parametrize(
    "content",
    [b"<svg onload=alert(1)>", b"GIF89a\x01\x00", b"\x89PNG\r\n\x1a\nbroken", b"", b"PK\x03\x04"],
)
def test_evidence_of_another_type_is_refused(trainee, make_entry, content):
    with pytest.raises(ValidationError, match=EVIDENCE_WRONG_TYPE.split(" (")[0]):
        make_entry(trainee, evidence=pdf_upload(name="looks.pdf", content=content))
    assert CpdEntry.objects.count() == 0


def test_evidence_over_5_mb_is_refused(trainee, make_entry):
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * MAX_EVIDENCE_BYTES, "application/pdf")
    with pytest.raises(ValidationError) as refused:
        make_entry(trainee, evidence=big)
    assert refused.value.messages == [EVIDENCE_TOO_LARGE]


def test_editing_changes_the_entry_and_replaces_its_file(trainee, make_entry):
    entry = make_entry(trainee, evidence=pdf_upload())
    old = entry.evidence.name
    changed = _update(entry, title="Renamed", hours=Decimal("4.5"), evidence=pdf_upload("b.pdf"))
    assert (changed.title, changed.hours, changed.evidence_original_name) == (
        "Renamed",
        Decimal("4.5"),
        "b.pdf",
    )
    assert changed.evidence.name != old


def test_a_changed_entry_needs_approval_again(trainee, make_entry, settings, manager):
    settings.CPD_APPROVAL_REQUIRED = True
    entry = make_entry(trainee)
    CpdEntry.objects.filter(pk=entry.pk).update(
        status=CpdEntry.Status.REJECTED, reviewed_at=timezone.now()
    )
    entry.refresh_from_db()
    assert _update(entry, hours=Decimal("1.0")).status == CpdEntry.Status.PENDING


def test_an_approved_entry_is_locked(trainee, make_entry):
    entry = make_entry(trainee)
    CpdEntry.objects.filter(pk=entry.pk).update(
        status=CpdEntry.Status.APPROVED, reviewed_at=timezone.now()
    )
    with pytest.raises(ValidationError) as refused:
        _update(entry, title="Changed")
    assert refused.value.messages == [ENTRY_LOCKED]
    with pytest.raises(ValidationError):
        cpd_entry_delete(entry=entry)
    assert CpdEntry.objects.get(pk=entry.pk).title == entry.title


def test_delete_removes_the_entry_and_its_file(
    trainee, make_entry, django_capture_on_commit_callbacks
):
    entry = make_entry(trainee, evidence=pdf_upload())
    name = entry.evidence.name
    with django_capture_on_commit_callbacks(execute=True):
        cpd_entry_delete(entry=entry)
    assert not CpdEntry.objects.filter(pk=entry.pk).exists()
    assert not evidence_storage().exists(name)


def test_review_approves_once_and_is_audited(trainee, manager, make_entry, settings):
    settings.CPD_APPROVAL_REQUIRED = True
    entry = make_entry(trainee)
    cpd_entry_review(entry=entry, by=manager, approve=True)
    entry.refresh_from_db()
    assert (entry.status, entry.reviewed_by, entry.reviewed_at is not None) == (
        CpdEntry.Status.APPROVED,
        manager,
        True,
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.CPD_ENTRY_APPROVED)
    assert (event.actor, event.target_type, event.target_id) == (
        manager,
        "quizzes.cpdentry",
        str(entry.pk),
    )
    with pytest.raises(ValidationError) as again:
        cpd_entry_review(entry=entry, by=manager, approve=False)
    assert again.value.messages == [ENTRY_NOT_PENDING]
    assert AuditEvent.objects.filter(action__startswith="cpd.").count() == 1


def test_review_rejects(trainee, manager, make_entry, settings):
    settings.CPD_APPROVAL_REQUIRED = True
    entry = make_entry(trainee)
    cpd_entry_review(entry=entry, by=manager, approve=False)
    assert CpdEntry.objects.get(pk=entry.pk).status == CpdEntry.Status.REJECTED
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CPD_ENTRY_REJECTED).count() == 1


def test_review_is_refused_when_approval_is_off(trainee, manager, make_entry, settings):
    settings.CPD_APPROVAL_REQUIRED = False
    entry = make_entry(trainee)
    with pytest.raises(PermissionDenied, match=APPROVAL_OFF):
        cpd_entry_review(entry=entry, by=manager, approve=True)
    assert CpdEntry.objects.get(pk=entry.pk).status == CpdEntry.Status.RECORDED


def test_the_date_is_kept(trainee, make_entry):
    assert make_entry(trainee, on=date(2025, 12, 31)).completed_on == date(2025, 12, 31)
