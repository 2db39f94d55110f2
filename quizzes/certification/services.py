"""Writes for certification: issuing, revoking, assigning, loading programs, reminders."""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from lessons.models import Lesson
from quizzes.certification.codes import code_generate
from quizzes.certification.rules import ProgressStatus, add_months
from quizzes.certification.selectors import (
    certificates_revocable_by,
    program_progress,
    programs_progress_bulk,
)
from quizzes.models import Attempt, CohortMembership, Quiz
from quizzes.models.certification import Certificate, Program, ProgramAssignment, ReminderSent
from trainingsite.audit import audit_record
from trainingsite.models import AuditEvent

REVOKE_REASON_REQUIRED = "Give the reason for revoking this certificate."
CERTIFICATE_ALREADY_REVOKED = "This certificate has already been revoked."
REVOKE_NOT_ALLOWED = "You do not have permission to revoke certificates."
REVOKE_OUT_OF_SCOPE = "You may revoke only the certificates of trainees in your cohorts."
PROGRAM_NOT_PUBLISHED = "Only a published program can be assigned."
CODE_ATTEMPTS = 5


def _holder_name(user) -> str:
    return user.get_full_name().strip() or user.get_username()


def _quiz_scores(*, user, program: Program, since: datetime | None) -> list[dict]:
    """The best passed graded score per required quiz in the current cycle (one query)."""
    attempts = Attempt.objects.filter(
        user=user,
        quiz__in=program.required_quiz_list,
        kind=Attempt.Kind.GRADED,
        state=Attempt.State.SUBMITTED,
        passed=True,
    )
    if since is not None:
        attempts = attempts.filter(submitted_at__gt=since)
    best = dict(
        attempts.values("quiz_id").annotate(best=Max("percent")).values_list("quiz_id", "best")
    )
    return [
        {"quiz": quiz.slug, "title": quiz.title, "percent": best.get(quiz.pk)}
        for quiz in program.required_quiz_list
    ]


@transaction.atomic
def certificate_issue_if_complete(
    *, user, program: Program, now: datetime | None = None
) -> Certificate | None:
    """Issue the next certificate if every requirement of the current cycle is met.

    Returns the new certificate, or None when nothing is due. A trainee holding
    a certificate that is not yet expiring soon is not re-certified early.
    Exactly once: the unique (user, program, cycle) constraint makes a
    concurrent second request fail inside its savepoint, and it returns None.
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
        "expires_at": (
            add_months(now, program.validity_months) if program.validity_months else None
        ),
        "cycle": cycle,
        "quiz_scores": _quiz_scores(user=user, program=program, since=progress.cycle_started_at),
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
    return certificate


def certificates_check_after_activity(
    *,
    user,
    lesson: Lesson | None = None,
    quiz: Quiz | None = None,
    now: datetime | None = None,
) -> list[Certificate]:
    """Issue what a lesson completion or a passed quiz just completed; return the new ones.

    Looks at every published program that requires the lesson or quiz (all
    published programs when neither is given). Call it inside the transaction
    of the activity, so the certificate is issued with it or not at all.
    """
    programs = Program.objects.published()
    if lesson is not None or quiz is not None:
        condition = Q()
        if lesson is not None:
            condition |= Q(required_lessons=lesson)
        if quiz is not None:
            condition |= Q(required_quizzes=quiz)
        programs = programs.filter(condition).distinct()
    issued = []
    for program in programs:
        certificate = certificate_issue_if_complete(user=user, program=program, now=now)
        if certificate is not None:
            issued.append(certificate)
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


# Shipped programs ----------------------------------------------------------------------

PROGRAMS_FILE = "programs.json"
PROGRAM_KEYS = {"slug", "name", "lessons", "quizzes"}
PROGRAM_OPTIONAL_KEYS = {"description", "validity_months", "status"}


class ProgramContentError(ValueError):
    """The shipped programs cannot be loaded; the message names the entry."""


@dataclass
class ProgramsLoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


@transaction.atomic
def programs_load(
    *, path: Path, overwrite: bool = False, dry_run: bool = False
) -> ProgramsLoadResult:
    """Load programs.json keyed on slug; an existing program is kept unless overwrite is True."""
    path = Path(path)
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ProgramContentError(f"{path}: file not found.") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ProgramContentError(f"{path}: not valid JSON ({error}).") from error
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ProgramContentError(f"{path}: expected a list of objects.")
    result = ProgramsLoadResult()
    for index, entry in enumerate(entries, start=1):
        where = f"{path.name} entry {index} ({entry.get('slug', 'no slug')})"
        missing = PROGRAM_KEYS - entry.keys()
        unknown = entry.keys() - PROGRAM_KEYS - PROGRAM_OPTIONAL_KEYS
        if missing or unknown:
            problem = f"missing {', '.join(sorted(missing))}" if missing else ""
            problem += f"unknown {', '.join(sorted(unknown))}" if unknown and not missing else ""
            raise ProgramContentError(f"{where}: {problem}.")
        for key in ("lessons", "quizzes"):
            if not isinstance(entry[key], list) or not all(isinstance(v, str) for v in entry[key]):
                raise ProgramContentError(f"{where}: {key} must be a list of slugs.")
        lessons = {
            lesson.slug: lesson for lesson in Lesson.objects.filter(slug__in=entry["lessons"])
        }
        quizzes = {quiz.slug: quiz for quiz in Quiz.objects.filter(slug__in=entry["quizzes"])}
        absent = [s for s in entry["lessons"] if s not in lessons] + [
            s for s in entry["quizzes"] if s not in quizzes
        ]
        if absent:
            raise ProgramContentError(f"{where}: unknown lessons or quizzes {', '.join(absent)}.")
        program = Program.objects.filter(slug=entry["slug"]).first()
        if program is not None and not overwrite:
            result.kept.append(program.slug)
            continue
        created = program is None
        program = program or Program(slug=entry["slug"])
        program.name = entry["name"]
        program.description = entry.get("description", "")
        program.validity_months = entry.get("validity_months")
        program.status = entry.get("status", Program.Status.PUBLISHED)
        try:
            program.full_clean()
        except ValidationError as error:
            raise ProgramContentError(f"{where}: {'; '.join(error.messages)}") from error
        program.save()
        program.required_lessons.set(lessons.values())
        program.required_quizzes.set(quizzes.values())
        (result.created if created else result.updated).append(program.slug)
    if dry_run:
        transaction.set_rollback(True)
    return result


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


# Reminders -------------------------------------------------------------------------------

DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class Reminder:
    user_id: int
    email: str
    program: Program
    event: str
    event_date: date


def reminders_due(*, now: datetime | None = None) -> list[Reminder]:
    """Return the reminders the daily command should send now, not yet sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    programs = Program.objects.published()
    # Assigned individually or through a cohort (the effective due date is the
    # bulk selector's), or holding a certificate that may expire.
    assigned = ProgramAssignment.objects.filter(program__in=programs).values("user_id")
    via_cohort = CohortMembership.objects.filter(
        cohort__cohort_programs__program__in=programs
    ).values("user_id")
    certified = Certificate.objects.filter(program__in=programs).values("user_id")
    users = get_user_model().objects.filter(
        Q(pk__in=assigned) | Q(pk__in=via_cohort) | Q(pk__in=certified), is_active=True
    )
    emails = dict(users.values_list("pk", "email"))
    progress = programs_progress_bulk(users=users, programs=programs, now=now)
    sent = set(
        ReminderSent.objects.filter(user_id__in=users.values("pk")).values_list(
            "user_id", "program_id", "event", "event_date"
        )
    )
    wanted = []
    for (user_id, program_id), item in progress.items():
        status = item.progress.status
        due = item.assignment.due_date if item.assignment else None
        event = None
        if status == ProgressStatus.EXPIRING_SOON:
            event = (ReminderSent.Event.EXPIRING_SOON, item.certificate.expires_at.date())
        elif status == ProgressStatus.EXPIRED:
            event = (ReminderSent.Event.EXPIRED, item.certificate.expires_at.date())
        elif status == ProgressStatus.OVERDUE:
            event = (ReminderSent.Event.OVERDUE, due)
        elif (
            due is not None
            and not item.progress.holds_valid_certificate
            and today <= due <= today + timedelta(days=DUE_SOON_DAYS)
        ):
            event = (ReminderSent.Event.DUE_SOON, due)
        if event is None or not emails.get(user_id):
            continue
        if (user_id, program_id, *event) in sent:
            continue
        wanted.append(
            Reminder(
                user_id=user_id,
                email=emails[user_id],
                program=item.program,
                event=event[0],
                event_date=event[1],
            )
        )
    return wanted


REMINDER_SUBJECTS = {
    ReminderSent.Event.DUE_SOON: "Due soon: {program}",
    ReminderSent.Event.OVERDUE: "Overdue: {program}",
    ReminderSent.Event.EXPIRING_SOON: "Your certificate is expiring soon: {program}",
    ReminderSent.Event.EXPIRED: "Your certificate has expired: {program}",
}


def reminder_send(*, reminder: Reminder, site_url: str = "") -> bool:
    """Record and send one reminder; False if it was already recorded (sent by another run)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                ReminderSent.objects.create(
                    user_id=reminder.user_id,
                    program=reminder.program,
                    event=reminder.event,
                    event_date=reminder.event_date,
                )
        except IntegrityError:
            return False
        context = {
            "reminder": reminder,
            "program": reminder.program,
            "dashboard_url": f"{site_url}{reverse('trainee_home')}",
        }
        send_mail(
            subject=REMINDER_SUBJECTS[reminder.event].format(program=reminder.program.name),
            message=render_to_string("certificates/reminder_email.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[reminder.email],
        )
    return True
