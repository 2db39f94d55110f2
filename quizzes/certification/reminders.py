"""Reminder e-mails: due soon, overdue, expiring soon, expired, and an update after a material
change (when asked, and again when due soon), each sent once per event.

The daily command enqueues one job per e-mail (`reminder_enqueue`); the job records the
`ReminderSent` row and sends in one transaction, so a job run twice (a replay, two commands
before the worker caught up, a recovered job) mails once.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from quizzes.certification.rules import ProgressStatus
from quizzes.certification.selectors import programs_progress_bulk
from quizzes.models import CohortMembership
from quizzes.models.certification import Certificate, Program, ProgramAssignment, ReminderSent
from quizzes.updates.selectors import update_status_bulk

DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class Reminder:
    user_id: int
    email: str
    program: Program
    event: str
    event_date: date
    awaiting_sign_off: bool = False  # only observed practice is missing


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
    updates = update_status_bulk(
        user_ids=users.values("pk"), program_ids={key[1] for key in progress}, now=now
    )
    wanted = []
    for (user_id, program_id), item in progress.items():
        status = item.progress.status
        due = item.assignment.due_date if item.assignment else None
        update = updates.get((user_id, program_id))
        event = None
        if item.progress.holds_valid_certificate and update is not None and update.required:
            # An open update: its own reminders (asked, then due soon) stand for
            # "expiring soon", since the certificate now expires when the update falls due.
            due_on = timezone.localdate(update.due_at)
            soon = update.due_soon(now)
            kind = (
                ReminderSent.Event.UPDATE_DUE_SOON if soon else ReminderSent.Event.UPDATE_REQUIRED
            )
            event = (kind, due_on)
        elif status == ProgressStatus.EXPIRING_SOON:
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
                awaiting_sign_off=item.progress.awaiting_sign_off,
            )
        )
    return wanted


REMINDER_SUBJECTS = {
    ReminderSent.Event.DUE_SOON: "Due soon: {program}",
    ReminderSent.Event.OVERDUE: "Overdue: {program}",
    ReminderSent.Event.EXPIRING_SOON: "Your certificate is expiring soon: {program}",
    ReminderSent.Event.EXPIRED: "Your certificate has expired: {program}",
    ReminderSent.Event.UPDATE_REQUIRED: "Update required: {program}",
    ReminderSent.Event.UPDATE_DUE_SOON: "Update due soon: {program}",
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


@task()
def reminder_email(
    *,
    user_id: int,
    program_id: int,
    event: str,
    event_date: str,
    awaiting_sign_off: bool,
    site_url: str,
) -> bool:
    """The job: send one reminder unless it was sent already, or the trainee has no address."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    program = Program.objects.filter(pk=program_id).first()
    if user is None or program is None or not user.email:
        return False
    reminder = Reminder(
        user_id=user.pk,
        email=user.email,
        program=program,
        event=event,
        event_date=date.fromisoformat(event_date),
        awaiting_sign_off=awaiting_sign_off,
    )
    return reminder_send(reminder=reminder, site_url=site_url)


def reminder_enqueue(*, reminder: Reminder, site_url: str = "") -> None:
    """Queue the e-mail for one reminder.

    Enqueued at once, not on commit: the job depends on no uncommitted row (it writes its own
    ReminderSent guard), and the daily command runs outside any transaction.
    """
    kwargs = {
        "user_id": reminder.user_id,
        "program_id": reminder.program.pk,
        "event": str(reminder.event),
        "event_date": reminder.event_date.isoformat(),
        "awaiting_sign_off": reminder.awaiting_sign_off,
        "site_url": site_url,
    }
    reminder_email.enqueue(**kwargs)
