"""Reads for CPD: a trainee's record (certificates and external entries) and entry access.

The record is two queries whatever its length: the trainee's certificates (with their
programs) and their entries. Access to an entry or a trainee's record follows
quizzes/cohorts/scope.py: the owner, managers of a cohort the trainee belongs to, and
superusers; anyone else gets 404.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from quizzes.cohorts.scope import trainee_for_manager_or_404, trainees_for_manager
from quizzes.cpd.rules import SOURCE_CERTIFICATE, SOURCE_EXTERNAL, CpdLine, CpdTotals, cpd_totals
from quizzes.models import Certificate, CpdEntry
from trainingsite.roles import user_is_manager

ENTRY_NOT_FOUND = "No CPD entry found here."
CERTIFICATE_ISSUED, CERTIFICATE_REVOKED = "Issued", "Revoked"


@dataclass(frozen=True)
class CpdRecord:
    trainee: object
    lines: list[CpdLine]  # newest first
    certificates: list[Certificate]
    entries: list[CpdEntry]
    totals: CpdTotals
    approval_required: bool


def cpd_approval_required() -> bool:
    return bool(settings.CPD_APPROVAL_REQUIRED)


def _certificate_line(certificate: Certificate) -> CpdLine:
    return CpdLine(
        source=SOURCE_CERTIFICATE,
        title=certificate.program.name,
        provider=certificate.cpd_awarding_body,
        on=timezone.localdate(certificate.issued_at),
        hours=certificate.cpd_hours,
        status=CERTIFICATE_REVOKED if certificate.is_revoked else CERTIFICATE_ISSUED,
        counts=not certificate.is_revoked,
        code=certificate.display_code,
    )


def _entry_line(entry: CpdEntry) -> CpdLine:
    return CpdLine(
        source=SOURCE_EXTERNAL,
        title=entry.title,
        provider=entry.provider,
        on=entry.completed_on,
        hours=entry.hours,
        status=entry.get_status_display(),
        counts=entry.status in (CpdEntry.Status.RECORDED, CpdEntry.Status.APPROVED),
        entry_id=entry.pk,
        pending=entry.status == CpdEntry.Status.PENDING,
    )


def cpd_record(*, trainee, today: date | None = None) -> CpdRecord:
    """The trainee's CPD record: every certificate with its hours, every entry, the totals."""
    today = today or timezone.localdate()
    certificates = list(
        Certificate.objects.filter(user=trainee)
        .select_related("program")
        .defer("quiz_scores", "program__description")
        .order_by("-issued_at", "-id")
    )
    entries = list(
        CpdEntry.objects.filter(user=trainee)
        .select_related("reviewed_by")
        .order_by("-completed_on", "-id")
    )
    lines = [_certificate_line(c) for c in certificates] + [_entry_line(e) for e in entries]
    lines.sort(key=lambda line: line.on, reverse=True)
    return CpdRecord(
        trainee=trainee,
        lines=lines,
        certificates=certificates,
        entries=entries,
        totals=cpd_totals(lines=lines, today=today),
        approval_required=cpd_approval_required(),
    )


def cpd_entry_get_for_owner(*, user, pk: int) -> CpdEntry:
    """The user's own entry, or 404 for anyone else's."""
    entry = CpdEntry.objects.filter(pk=pk, user=user).first()
    if entry is None:
        raise Http404(ENTRY_NOT_FOUND)
    return entry


def cpd_entries_visible_to(user):
    """The entries the user may see: their own, their cohorts' trainees', all for superusers."""
    if not (user and user.is_authenticated):
        return CpdEntry.objects.none()
    if user.is_superuser:
        return CpdEntry.objects.all()
    own = CpdEntry.objects.filter(user=user)
    if not user_is_manager(user):
        return own
    return own | CpdEntry.objects.filter(user__in=trainees_for_manager(user).values("pk"))


def cpd_entry_get_for_viewer(*, user, pk: int) -> CpdEntry:
    """An entry the user may see (its evidence too), or 404."""
    entry = cpd_entries_visible_to(user).filter(pk=pk).first()
    if entry is None:
        raise Http404(ENTRY_NOT_FOUND)
    return entry


def cpd_entry_get_for_reviewer(*, user, pk: int) -> CpdEntry:
    """An entry of a trainee in the manager's cohorts (never their own), or 404."""
    entry = (
        CpdEntry.objects.filter(pk=pk, user__in=trainees_for_manager(user).values("pk"))
        .exclude(user=user)
        .select_related("user")
        .first()
    )
    if entry is None:
        raise Http404(ENTRY_NOT_FOUND)
    return entry


def cpd_trainee_for_manager(*, user, trainee_id: int):
    """A trainee in the manager's cohorts (every trainee for a superuser), or 404."""
    return trainee_for_manager_or_404(user, trainee_id)
