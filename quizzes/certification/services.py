"""Writes for certification: issuing, revoking and assigning programs.

A certificate is issued with its signed credential (quizzes/credentials/services.py) in
one transaction; revoking it flips the credential's bit in the status list, which is
built from ``revoked_at`` (no second record to keep in step).

Loading the shipped programs lives in content.py, the reminder e-mails in reminders.py.
"""

from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from lessons.models import Lesson, LessonCompletion
from quizzes.certification.codes import code_generate
from quizzes.certification.rules import (
    Progress,
    ProgressStatus,
    certificate_expires_at,
    certificate_is_valid,
)
from quizzes.certification.selectors import certificates_revocable_by, program_progress
from quizzes.certification.signals import certificate_issued, certificate_revoked
from quizzes.credentials.services import credential_issue
from quizzes.models import (
    Attempt,
    Attestation,
    AttestationStatement,
    Observation,
    PracticalChecklist,
    Quiz,
)
from quizzes.models.certification import Certificate, Program, ProgramAssignment
from quizzes.updates.services import certificate_updates_settle
from trainingsite.audit import audit_record
from trainingsite.models import AuditEvent

REVOKE_REASON_REQUIRED = "Give the reason for revoking this certificate."
CERTIFICATE_ALREADY_REVOKED = "This certificate has already been revoked."
REVOKE_NOT_ALLOWED = "You do not have permission to revoke certificates."
REVOKE_OUT_OF_SCOPE = "You may revoke only the certificates of trainees in your cohorts."
SUPERSEDED_REASON = "Superseded by the renewed certificate {code}."
PROGRAM_NOT_PUBLISHED = "Only a published program can be assigned."
CODE_ATTEMPTS = 5


def _holder_name(user) -> str:
    return user.get_full_name().strip() or user.get_username()


def _quiz_scores(*, user, program: Program, progress: Progress) -> list[dict]:
    """The best passed graded score per required quiz in the current cycle (one query).

    Renewed by review without passing every required quiz: the renewal quiz's score,
    marked so (`renewal_by_review`), stands for them.
    """
    since, quizzes = progress.cycle_started_at, program.required_quiz_list
    by_review = progress.renewal_quiz_id is not None and not all(
        quiz.pk in progress.quizzes_passed_ids for quiz in quizzes
    )
    if by_review:
        quizzes = [program.renewal_quiz]
    attempts = Attempt.objects.counted().filter(user=user, quiz__in=quizzes, passed=True)
    if since is not None:
        attempts = attempts.filter(submitted_at__gt=since)
    best = dict(
        attempts.values("quiz_id").annotate(best=Max("percent")).values_list("quiz_id", "best")
    )
    marker = {"renewal_by_review": True} if by_review else {}
    return [
        {"quiz": quiz.slug, "title": quiz.title, "percent": best.get(quiz.pk), **marker}
        for quiz in quizzes
    ]


def _what_is_certified(*, user, program: Program, since: datetime | None) -> dict[str, list]:
    """What the certificate certifies besides quiz scores, as it stands now (three queries).

    The lessons with their completion, the observations that signed off each checklist
    in this cycle (checklist, assessor, date, setting) and the attestations of the
    statements' current versions. Copied onto the certificate, so its page, PDF and
    verification say it whatever later happens to the content.
    """
    lessons = program.required_lesson_list
    completed = dict(
        LessonCompletion.objects.filter(user=user, lesson__in=lessons).values_list(
            "lesson_id", "completed_at"
        )
    )
    checklists = program.required_checklist_list
    observations = Observation.objects.filter(
        trainee=user,
        checklist__in=checklists,
        outcome=Observation.Outcome.COMPETENT,
        acknowledged_at__isnull=False,
        superseded_by__isnull=True,
    ).order_by("-recorded_at", "-id")
    if since is not None:
        observations = observations.filter(recorded_at__gt=since)
    by_checklist: dict[int, list[Observation]] = {}
    for observation in observations:
        by_checklist.setdefault(observation.checklist_id, []).append(observation)
    observed = []
    for checklist in checklists:
        counted = by_checklist.get(checklist.pk, [])[: checklist.observations_required]
        for observation in reversed(counted):
            observed.append(
                {
                    "checklist": checklist.slug,
                    "title": checklist.title,
                    "assessor": observation.assessor_name,
                    "observed_on": observation.observed_on.isoformat(),
                    "setting": observation.get_setting_display(),
                }
            )
    attestations = Attestation.objects.filter(
        user=user,
        statement__in=program.required_attestation_list,
        version=F("statement__version"),
    ).select_related("statement")
    return {
        "lessons_completed": [
            {
                "lesson": lesson.slug,
                "title": lesson.title,
                "completed_at": completed[lesson.pk].isoformat()
                if lesson.pk in completed
                else None,
            }
            for lesson in lessons
        ],
        "observations": observed,
        "attestations": [
            {
                "statement": attestation.statement.slug,
                "title": attestation.statement.title,
                "version": attestation.version,
                "typed_name": attestation.typed_name,
                "attested_at": attestation.attested_at.isoformat(),
            }
            for attestation in sorted(attestations, key=lambda a: (a.statement.title, a.pk))
        ],
    }


@transaction.atomic
def certificate_issue_if_complete(
    *, user, program: Program, now: datetime | None = None
) -> Certificate | None:
    """Issue the next certificate if every requirement of the current cycle is met.

    Returns the new certificate, or None when nothing is due. A trainee holding
    a certificate that is not yet expiring soon is not re-certified early.
    Exactly once: the unique (user, program, cycle) constraint makes a
    concurrent second request fail inside its savepoint, and it returns None.
    The certificate's Open Badges credential is signed and stored in the same
    transaction: if signing fails (no key configured), no certificate is left.
    """
    now = now or timezone.now()
    if not program.is_published:
        return None
    # One issuer at a time per trainee: a concurrent request waits here, then
    # sees what the first committed (including activity the first could not see).
    get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    current = program_progress(user=user, program=program, now=now)
    progress = current.progress
    if not progress.is_complete or progress.status == ProgressStatus.CERTIFIED:
        return None
    previous = current.certificate
    cycle = previous.cycle + 1 if previous else 1
    program = current.program  # with its requirements prefetched
    values = {
        "user": user,
        "program": program,
        "holder_name": _holder_name(user),
        "issued_at": now,
        "expires_at": certificate_expires_at(
            issued_at=now, validity_months=program.validity_months
        ),
        "cycle": cycle,
        "quiz_scores": _quiz_scores(user=user, program=program, progress=progress),
        **_what_is_certified(user=user, program=program, since=progress.cycle_started_at),
        # The certificate keeps the hours it was issued with: editing the program later
        # never changes it, its PDF or its credential.
        "cpd_hours": program.cpd_hours,
        "cpd_awarding_body": program.cpd_awarding_body,
    }
    for _ in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(code=code_generate(), **values)
        except IntegrityError:
            if Certificate.objects.filter(user=user, program=program, cycle=cycle).exists():
                return None  # a concurrent request issued this cycle's certificate
            continue  # a code collision (about 2**-100): draw another code
        break
    else:
        raise RuntimeError("Could not draw a unique certificate code.")
    credential_issue(certificate=certificate, now=now)
    audit_record(
        actor=user,
        action=AuditEvent.Action.CERTIFICATE_ISSUED,
        target=certificate,
        summary=f"{certificate.holder_name} · {program.name} · cycle {cycle}",
        details={
            "program": program.slug,
            "cycle": cycle,
            "code": certificate.display_code,
            "expires_at": certificate.expires_at.isoformat() if certificate.expires_at else None,
        },
    )
    certificate_issued.send(sender=Certificate, certificate=certificate)
    if previous is not None and program.renewal_supersedes:
        _certificate_supersede(previous=previous, renewal=certificate, now=now)
    return certificate


def _certificate_supersede(*, previous: Certificate, renewal: Certificate, now: datetime) -> None:
    """Revoke the previous cycle's certificate as superseded by its renewal (same transaction).

    A revocation like any other, so the verification page, the credential's status
    list bit and the downloads all say so at once; `superseded_by` tells them why.
    """
    valid = certificate_is_valid(
        expires_at=previous.expires_at, revoked=previous.is_revoked, now=now
    )
    if not valid:
        return  # an expired certificate stays expired; a revoked one stays revoked
    reason = SUPERSEDED_REASON.format(code=renewal.display_code)
    updated = Certificate.objects.filter(pk=previous.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoke_reason=reason, superseded_by=renewal
    )
    if updated:
        audit_record(
            actor=renewal.user,
            action=AuditEvent.Action.CERTIFICATE_REVOKED,
            target=previous,
            summary=f"{previous.holder_name} · {previous.display_code} · superseded",
            details={"code": previous.display_code, "reason": reason},
        )
        previous.refresh_from_db()
        certificate_revoked.send(sender=Certificate, certificate=previous)


def certificates_check_after_activity(
    *,
    user,
    lesson: Lesson | None = None,
    quiz: Quiz | None = None,
    checklist: PracticalChecklist | None = None,
    statement: AttestationStatement | None = None,
    now: datetime | None = None,
) -> list[Certificate]:
    """Issue what an activity just completed; return the new certificates.

    The activity is a lesson completion, a passed quiz, an acknowledged observation
    (`checklist`) or a signed attestation (`statement`). Looks at every published
    program that requires it (all published programs when none is given). Call it
    inside the transaction of the activity, so the certificate is issued with it or
    not at all.
    """
    programs = Program.objects.published()
    condition = Q()
    if lesson is not None:
        condition |= Q(required_lessons=lesson)
    if quiz is not None:  # a required quiz, or the renewal quiz of renewal by review
        condition |= Q(required_quizzes=quiz) | Q(renewal_by_review=True, renewal_quiz=quiz)
    if checklist is not None:
        condition |= Q(required_checklists=checklist)
    if statement is not None:
        condition |= Q(required_attestations=statement)
    if condition:
        programs = programs.filter(condition).distinct()
    issued = []
    for program in programs:
        certificate = certificate_issue_if_complete(user=user, program=program, now=now)
        if certificate is not None:
            issued.append(certificate)
    # The same activity (a re-read, an observation) may complete an update of a certificate.
    certificate_updates_settle(user=user, now=now)
    return issued


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by, reason: str) -> Certificate:
    """Revoke a certificate with a reason; it then shows as revoked on verification."""
    if not by.has_perm("quizzes.revoke_certificate"):
        raise PermissionDenied(REVOKE_NOT_ALLOWED)
    if not certificates_revocable_by(by).filter(pk=certificate.pk).exists():
        raise PermissionDenied(REVOKE_OUT_OF_SCOPE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(REVOKE_REASON_REQUIRED)
    now = timezone.now()
    updated = Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=by, revoke_reason=reason
    )
    if not updated:
        raise ValidationError(CERTIFICATE_ALREADY_REVOKED)
    certificate.revoked_at, certificate.revoked_by, certificate.revoke_reason = now, by, reason
    audit_record(
        actor=by,
        action=AuditEvent.Action.CERTIFICATE_REVOKED,
        target=certificate,
        summary=f"{certificate.holder_name} · {certificate.display_code}",
        details={"code": certificate.display_code, "reason": reason},
    )
    certificate_revoked.send(sender=Certificate, certificate=certificate)
    return certificate


@transaction.atomic
def program_assign(
    *, user, program: Program, due_date: date | None, by
) -> tuple[ProgramAssignment, bool]:
    """Assign the program to the trainee (or change the due date); return (assignment, created)."""
    if not program.is_published:
        raise ValidationError(PROGRAM_NOT_PUBLISHED)
    assignment, created = ProgramAssignment.objects.get_or_create(
        user=user,
        program=program,
        defaults={"due_date": due_date, "assigned_by": by if by and by.pk else None},
    )
    if not created and assignment.due_date != due_date:
        assignment.due_date = due_date
        assignment.save(update_fields=["due_date"])
    return assignment, created


def program_demo_assign(*, username: str, slug: str, due_in_days: int = 30) -> bool:
    """Assign the demo trainee a program, due in `due_in_days`, unless already assigned."""
    user = get_user_model().objects.filter(username=username).first()
    program = Program.objects.published().filter(slug=slug).first()
    if user is None or program is None:
        return False
    if ProgramAssignment.objects.filter(user=user, program=program).exists():
        return False
    due_date = timezone.localdate() + timedelta(days=due_in_days)
    program_assign(user=user, program=program, due_date=due_date, by=None)
    return True
