"""Writes for CPD: the trainee's own entries, and a manager's approval or rejection.

Approved entries are locked: the trainee may no longer change or delete them. With
settings.CPD_APPROVAL_REQUIRED on, a new or changed entry waits for a manager of one of
the trainee's cohorts; off, it is recorded and counts at once. State changes are
conditional updates, so two managers deciding at once decide once.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from quizzes.cpd.evidence import original_name, validate_evidence
from quizzes.cpd.selectors import cpd_approval_required
from quizzes.models import CpdEntry
from trainingsite.audit import audit_record
from trainingsite.models import AuditEvent

ENTRY_LOCKED = "This entry has been approved and can no longer be changed or deleted."
ENTRY_NOT_PENDING = "This entry is not waiting for approval."
APPROVAL_OFF = "CPD entries need no approval on this site."


def _evidence_set(entry: CpdEntry, upload) -> None:
    entry.evidence_kind = validate_evidence(upload)
    entry.evidence_original_name = original_name(upload)
    entry.evidence = upload  # stored under a random name on save (evidence_path)


def _new_status() -> str:
    return CpdEntry.Status.PENDING if cpd_approval_required() else CpdEntry.Status.RECORDED


def _file_delete_on_commit(name: str) -> None:
    if name:
        storage = CpdEntry._meta.get_field("evidence").storage
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def cpd_entry_create(
    *, user, title: str, provider: str, completed_on: date, hours: Decimal, evidence=None
) -> CpdEntry:
    """Record training done elsewhere; pending approval when the site requires it."""
    entry = CpdEntry(
        user=user,
        title=title,
        provider=provider,
        completed_on=completed_on,
        hours=hours,
        status=_new_status(),
    )
    if evidence is not None:
        _evidence_set(entry, evidence)
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def cpd_entry_update(
    *,
    entry: CpdEntry,
    title: str,
    provider: str,
    completed_on: date,
    hours: Decimal,
    evidence=None,
    evidence_clear: bool = False,
) -> CpdEntry:
    """Change the trainee's entry (not once approved); a change needs approval again."""
    current = CpdEntry.objects.select_for_update().get(pk=entry.pk)
    if current.is_locked:
        raise ValidationError(ENTRY_LOCKED)
    old_file = current.evidence.name
    current.title, current.provider = title, provider
    current.completed_on, current.hours = completed_on, hours
    current.status = _new_status()
    current.reviewed_by, current.reviewed_at = None, None
    if evidence is not None:
        _evidence_set(current, evidence)
    elif evidence_clear:
        current.evidence, current.evidence_kind, current.evidence_original_name = "", "", ""
    current.full_clean()
    current.save()
    if old_file and old_file != current.evidence.name:
        _file_delete_on_commit(old_file)
    return current


@transaction.atomic
def cpd_entry_delete(*, entry: CpdEntry) -> None:
    """Delete the trainee's entry and its evidence file (not once approved)."""
    deleted, _ = (
        CpdEntry.objects.filter(pk=entry.pk).exclude(status=CpdEntry.Status.APPROVED).delete()
    )
    if not deleted:
        raise ValidationError(ENTRY_LOCKED)
    _file_delete_on_commit(entry.evidence.name)


@transaction.atomic
def cpd_entry_review(*, entry: CpdEntry, by, approve: bool) -> CpdEntry:
    """Approve or reject a pending entry; the caller found it through the manager's scope."""
    if not cpd_approval_required():
        raise PermissionDenied(APPROVAL_OFF)
    if entry.user_id == by.pk:
        raise PermissionDenied(ENTRY_NOT_PENDING)
    status = CpdEntry.Status.APPROVED if approve else CpdEntry.Status.REJECTED
    now = timezone.now()
    updated = CpdEntry.objects.filter(pk=entry.pk, status=CpdEntry.Status.PENDING).update(
        status=status, reviewed_by=by, reviewed_at=now, updated_at=now
    )
    if not updated:
        raise ValidationError(ENTRY_NOT_PENDING)
    entry.status, entry.reviewed_by, entry.reviewed_at = status, by, now
    audit_record(
        actor=by,
        action=(
            AuditEvent.Action.CPD_ENTRY_APPROVED
            if approve
            else AuditEvent.Action.CPD_ENTRY_REJECTED
        ),
        target=entry,
        summary=f"{entry.title} · {entry.hours} h · {entry.user.get_username()}",
        details={"entry": entry.pk, "hours": str(entry.hours), "status": status},
    )
    return entry
