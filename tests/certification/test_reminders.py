"""Reminder e-mails: due soon, overdue, expiring soon, expired; at most once per event."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from quizzes.certification.reminders import reminders_due
from quizzes.models.certification import ReminderSent
from tests.builders import assign, make_certificate, make_program, make_trainee

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def run(*args) -> str:
    """Run the command; the suite's immediate backend runs each queued e-mail job at once."""
    out = StringIO()
    call_command("send_certification_reminders", *args, stdout=out)
    return out.getvalue()


def test_each_event_is_mailed_once(trainee):
    now = timezone.now()
    today = timezone.localdate()
    due_soon = make_program(slug="due-soon", name="Due soon program")
    overdue = make_program(slug="overdue", name="Overdue program")
    expiring = make_program(slug="expiring", name="Expiring program")
    expired = make_program(slug="expired", name="Expired program")
    assign(trainee, due_soon, due_date=today + 7 * DAY)
    assign(trainee, overdue, due_date=today - DAY)
    make_certificate(trainee, expiring, issued_at=now - 700 * DAY, expires_at=now + 10 * DAY)
    make_certificate(trainee, expired, issued_at=now - 800 * DAY, expires_at=now - 10 * DAY)

    output = run()
    assert "4 reminders queued." in output
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == [
        "Due soon: Due soon program",
        "Overdue: Overdue program",
        "Your certificate has expired: Expired program",
        "Your certificate is expiring soon: Expiring program",
    ]
    assert all(message.to == [trainee.email] for message in mail.outbox)
    assert "/me/" in mail.outbox[0].body

    assert "0 reminders queued." in run()
    assert len(mail.outbox) == 4
    assert ReminderSent.objects.count() == 4


def test_nothing_for_far_due_dates_certified_or_unassigned(trainee, other_trainee):
    now = timezone.now()
    far = make_program(slug="far")
    assign(trainee, far, due_date=timezone.localdate() + 8 * DAY)
    certified = make_program(slug="certified")
    assign(trainee, certified, due_date=timezone.localdate() - DAY)
    make_certificate(trainee, certified, issued_at=now - DAY, expires_at=now + 700 * DAY)
    make_program(slug="unassigned")
    assert "0 reminders queued." in run()
    assert mail.outbox == []


def test_dry_run_sends_and_records_nothing(trainee):
    assign(trainee, make_program(), due_date=timezone.localdate() - DAY)
    output = run("--dry-run")
    assert "Would send: overdue" in output
    assert "Dry run: 1 reminder due, none sent." in output
    assert mail.outbox == []
    assert not ReminderSent.objects.exists()


def test_a_new_due_date_is_a_new_event(trainee):
    program = make_program()
    assignment = assign(trainee, program, due_date=timezone.localdate() - DAY)
    run()
    assignment.due_date = timezone.localdate() - 2 * DAY
    assignment.save()
    run()
    assert len(mail.outbox) == 2


def test_trainee_without_email_is_skipped():
    user = make_trainee(username="noemail", email="")
    assign(user, make_program(), due_date=timezone.localdate() - DAY)
    assert "0 reminders queued." in run()
    assert mail.outbox == []


def test_reminders_use_a_fixed_number_of_queries(django_assert_max_num_queries):
    program = make_program()
    for i in range(15):
        assign(make_trainee(username=f"late{i}"), program, due_date=timezone.localdate() - DAY)
    # 12 for the progress of everyone concerned and the reminders sent; 1 for the open
    # certificate updates (quizzes/updates/), whatever the number of trainees.
    with django_assert_max_num_queries(13):
        assert len(reminders_due()) == 15
