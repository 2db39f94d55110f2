"""Writes for credentials: sign and store the Open Badges credential of a certificate.

`credential_issue` runs inside `certificate_issue_if_complete`'s transaction, so a
certificate and its credential are issued together or not at all. Revocation needs no
write here: the status list is built from the certificates' ``revoked_at``
(selectors.status_list_jwt), so it can never disagree with the revocation record, and
revoking a certificate flips its bit in the same transaction as the record.
"""

import uuid
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from lessons.models import Lesson
from quizzes.credentials.badge import BadgeFacts, badge_credential, jwt_claims
from quizzes.credentials.keys import jwt_sign
from quizzes.credentials.selectors import JWT_TYPE, achievement_url, issuer
from quizzes.credentials.status_list import status_index_draw
from quizzes.models import Certificate, Credential, Program, Quiz

INDEX_ATTEMPTS = 5


def _required_titles(program) -> tuple[list[str], list[str]]:
    """The program's lessons and quizzes by title (prefetched lists when the caller has them)."""
    lessons = getattr(program, "required_lesson_list", None)
    if lessons is None:
        lessons = program.required_lessons.order_by("topic__order", "topic_id", "order", "id")
    quizzes = getattr(program, "required_quiz_list", None)
    if quizzes is None:
        quizzes = program.required_quizzes.order_by("order", "id")
    return [lesson.title for lesson in lessons], [quiz.title for quiz in quizzes]


@transaction.atomic
def credential_issue(
    *, certificate: Certificate, now: datetime | None = None, taken: set[int] | None = None
) -> Credential:
    """Sign the certificate's OpenBadgeCredential (VC-JWT, EdDSA) and store it.

    Raises CredentialKeysError when no key is configured, which rolls back the
    certificate being issued with it. A status index is drawn at random among the
    free ones; a concurrent issue that took the same index makes this draw again.
    `taken` (the indexes in use, kept up to date here) spares a caller issuing many
    credentials one query each; a stale set only costs a retry.
    """
    now = now or timezone.now()
    program = certificate.program
    lesson_titles, quiz_titles = _required_titles(program)
    current = issuer()
    for attempt in range(INDEX_ATTEMPTS):
        in_use = Credential.objects.order_by().values_list("status_index", flat=True)
        if taken is None:
            taken = set(in_use)
        elif attempt:
            taken.update(in_use)  # a retry: another issue took the index drawn
        credential_uuid = uuid.uuid4()
        index = status_index_draw(taken=taken)
        facts = BadgeFacts(
            credential_id=f"urn:uuid:{credential_uuid}",
            holder_name=certificate.holder_name,
            program_name=program.name,
            program_description=program.description,
            achievement_id=achievement_url(program.slug),
            lesson_titles=lesson_titles,
            quiz_titles=quiz_titles,
            issued_at=certificate.issued_at,
            expires_at=certificate.expires_at,
            status_index=index,
            cpd_hours=certificate.cpd_hours,
            cpd_awarding_body=certificate.cpd_awarding_body,
            # From the certificate's own record of what it certifies.
            checklist_titles=list(
                dict.fromkeys(entry["title"] for entry in certificate.observations)
            ),
            statement_titles=[entry["title"] for entry in certificate.attestations],
        )
        claims = jwt_claims(
            credential=badge_credential(facts=facts, issuer=current),
            issuer=current,
            issued_at=certificate.issued_at,
            now=now,
        )
        token, kid = jwt_sign(claims=claims, typ=JWT_TYPE)
        try:
            with transaction.atomic():
                credential = Credential.objects.create(
                    certificate=certificate,
                    uuid=credential_uuid,
                    jwt=token,
                    kid=kid,
                    status_index=index,
                )
            taken.add(index)
            return credential
        except IntegrityError:
            if Credential.objects.filter(certificate=certificate).exists():
                raise  # one credential per certificate: the caller issued twice
            continue  # a concurrent issue took this index: draw another
    raise RuntimeError("Could not draw a free status list index.")


def credentials_backfill() -> int:
    """Issue a credential for every certificate that has none (older sites, the demo)."""
    missing = list(Certificate.objects.filter(credential__isnull=True).order_by("pk"))
    lessons = Lesson.objects.order_by("topic__order", "topic_id", "order", "id")
    programs = Program.objects.filter(pk__in={c.program_id for c in missing}).prefetch_related(
        Prefetch("required_lessons", queryset=lessons, to_attr="required_lesson_list"),
        Prefetch(
            "required_quizzes",
            queryset=Quiz.objects.order_by("order", "id"),
            to_attr="required_quiz_list",
        ),
    )
    by_pk = {program.pk: program for program in programs}
    taken = set(Credential.objects.order_by().values_list("status_index", flat=True))
    for certificate in missing:
        certificate.program = by_pk[certificate.program_id]
        credential_issue(certificate=certificate, taken=taken)
    return len(missing)
