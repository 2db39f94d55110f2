"""Reads for attestations: the trainee's statements and their state, and one statement page.

A statement is shown to a trainee when a published program they have begun (assigned,
started or certified, as on the dashboard) requires it; a statement page is reachable
only while a published program requires it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from quizzes.certification.selectors import programs_progress_bulk
from quizzes.models import Attestation, AttestationStatement, Program

STATEMENT_NOT_FOUND = "No such statement."

SIGNED = "signed"
NEVER_SIGNED = "never_signed"
OLDER_VERSION = "older_version"


@dataclass(frozen=True)
class StatementState:
    statement: AttestationStatement
    state: str  # SIGNED, NEVER_SIGNED or OLDER_VERSION
    current: Attestation | None  # the signature of the current version
    latest: Attestation | None  # the latest signature of any version
    programs: list[str]

    @property
    def signed(self) -> bool:
        return self.state == SIGNED


def _state(statement, signatures: list[Attestation], programs: list[str]) -> StatementState:
    current = next((a for a in signatures if a.version == statement.version), None)
    latest = signatures[0] if signatures else None
    if current is not None:
        state = SIGNED
    elif latest is not None:
        state = OLDER_VERSION
    else:
        state = NEVER_SIGNED
    return StatementState(
        statement=statement, state=state, current=current, latest=latest, programs=programs
    )


def _signatures(*, user, statement_ids) -> dict[int, list[Attestation]]:
    rows: dict[int, list[Attestation]] = {}
    for attestation in Attestation.objects.filter(
        user=user, statement_id__in=statement_ids
    ).order_by("-attested_at", "-id"):
        rows.setdefault(attestation.statement_id, []).append(attestation)
    return rows


def statements_for_trainee(*, user) -> list[StatementState]:
    """The statements required by the trainee's begun published programs, with their state."""
    programs = Program.objects.published().filter(required_attestations__isnull=False).distinct()
    progress = programs_progress_bulk(users=[user], programs=programs)
    begun = [
        item.program
        for item in progress.values()
        if item.assignment or item.certificate or item.progress.started
    ]
    names: dict[int, list[str]] = {}
    for program in sorted(begun, key=lambda p: (p.name.lower(), p.pk)):
        for statement in program.required_attestation_list:
            names.setdefault(statement.pk, []).append(program.name)
    statements = list(AttestationStatement.objects.filter(pk__in=names).order_by("title", "id"))
    signatures = _signatures(user=user, statement_ids=names)
    return [_state(s, signatures.get(s.pk, []), names[s.pk]) for s in statements]


def statement_get_or_404(*, slug: str) -> AttestationStatement:
    """A statement that a published program requires."""
    statement = (
        AttestationStatement.objects.filter(slug=slug, programs__in=Program.objects.published())
        .distinct()
        .first()
    )
    if statement is None:
        raise Http404(STATEMENT_NOT_FOUND)
    return statement


def statement_state(*, user, statement: AttestationStatement) -> StatementState:
    """The user's signatures of one statement."""
    signatures = _signatures(user=user, statement_ids=[statement.pk]).get(statement.pk, [])
    programs = list(
        statement.programs.published().order_by("name", "id").values_list("name", flat=True)
    )
    return _state(statement, signatures, programs)
