"""Writes for attestations: signing a statement, and saving a statement's wording.

An attestation is never edited or deleted here: it keeps the exact text and version the
trainee confirmed. A changed wording raises the statement's version, so older
attestations stop counting and the trainee is asked to sign again.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_ipv46_address
from django.db import IntegrityError, transaction
from django.utils import timezone

from quizzes.attestations.rules import typed_name_problem
from quizzes.certification.services import certificates_check_after_activity
from quizzes.models import Attestation, AttestationStatement
from trainingsite.audit import audit_record
from trainingsite.models import AuditEvent

ALREADY_SIGNED = "You have already signed version {version} of this statement."
NOT_SIGNED_IN = "Sign in to sign a statement."
TEXT_EMPTY = "A statement needs its text."


class AlreadySigned(Exception):
    """A second signature of the same version: answered with 409."""


def _address(value: str | None) -> str | None:
    """The client's address if it is one (a forged header may hold anything), else None."""
    try:
        validate_ipv46_address(value or "")
    except ValidationError:
        return None
    return value


@transaction.atomic
def attestation_sign(
    *,
    user,
    statement: AttestationStatement,
    typed_name: str,
    ip_address: str | None,
    now: datetime | None = None,
) -> Attestation:
    """Record the user's signature of the statement's current text and version."""
    if not (user and user.is_authenticated):
        raise PermissionDenied(NOT_SIGNED_IN)
    now = now or timezone.now()
    problem = typed_name_problem(
        typed_name=typed_name, full_name=user.get_full_name(), username=user.get_username()
    )
    if problem:
        raise ValidationError(problem, code="name_mismatch")
    # Read the wording inside the transaction, so the text stored is the version stored.
    current = AttestationStatement.objects.get(pk=statement.pk)
    message = ALREADY_SIGNED.format(version=current.version)
    if Attestation.objects.filter(user=user, statement=current, version=current.version).exists():
        raise AlreadySigned(message)
    try:
        with transaction.atomic():
            attestation = Attestation.objects.create(
                user=user,
                statement=current,
                version=current.version,
                text=current.text,
                typed_name=typed_name.strip(),
                attested_at=now,
                ip_address=_address(ip_address),
            )
    except IntegrityError as error:
        raise AlreadySigned(message) from error
    audit_record(
        actor=user,
        action=AuditEvent.Action.ATTESTATION_SIGNED,
        target=attestation,
        details={"statement": current.slug, "version": current.version},
    )
    certificates_check_after_activity(user=user, statement=current, now=now)
    return attestation


@transaction.atomic
def statement_save(
    *, statement: AttestationStatement, text: str, title: str, by=None
) -> AttestationStatement:
    """Save the statement's title and text; a changed text raises its version by one."""
    if not text.strip():
        raise ValidationError(TEXT_EMPTY, code="text_empty")
    if statement.pk is not None:
        stored = AttestationStatement.objects.filter(pk=statement.pk).values_list("text", "version")
        previous = stored.first()
        if previous is not None:
            old_text, old_version = previous
            statement.version = old_version + 1 if old_text != text else old_version
    statement.text = text
    statement.title = title
    statement.save()
    return statement
