"""A program assigned through a cohort counts on the dashboard, program page, reports, reminders.

The effective assignment (individual or cohort, the earliest due date wins) is
applied once, by the bulk selector; every page reads the same status.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from quizzes.certification.reminders import reminders_due
from quizzes.certification.rules import ProgressStatus
from quizzes.certification.selectors import program_progress, trainee_dashboard
from quizzes.models.certification import ReminderSent
from quizzes.reports.overview import report_overview
from quizzes.reports.trainees import TraineeFilters, report_trainees
from tests.builders import assign, assign_to_cohort, make_cohort, make_program

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def cohort_overdue(trainee, manager):
    """The trainee's only assignment is through a cohort, due yesterday."""
    program = make_program(slug="cohort-only", name="Cohort program")
    cohort = make_cohort(name="Clinic", managers=[manager], trainees=[trainee])
    due = timezone.localdate() - DAY
    assign_to_cohort(cohort, program, due)
    return program, cohort, due


def test_cohort_due_date_makes_the_trainee_overdue_on_the_dashboard(
    trainee, trainee_client, cohort_overdue
):
    program, _, due = cohort_overdue
    dashboard = trainee_dashboard(user=trainee)
    (item,) = dashboard.programs
    assert item.program == program
    assert item.progress.status == ProgressStatus.OVERDUE
    assert item.assignment.due_date == due
    body = trainee_client.get(reverse("trainee_home")).content.decode()
    assert f"Due {due:%-d %B %Y}" in body
    assert ">Overdue<" in body


def test_cohort_due_date_makes_the_trainee_overdue_on_the_program_page(
    trainee, trainee_client, cohort_overdue
):
    program, _, due = cohort_overdue
    assert program_progress(user=trainee, program=program).progress.status == (
        ProgressStatus.OVERDUE
    )
    response = trainee_client.get(reverse("certificates:program", args=[program.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    assert ">Overdue<" in body
    assert f"Due {due:%-d %B %Y}" in body


def test_cohort_due_date_makes_the_trainee_overdue_in_the_reports(trainee, manager, cohort_overdue):
    program, cohort, due = cohort_overdue
    overview = report_overview(user=manager)
    (summary,) = overview.summaries
    assert summary.counts[ProgressStatus.OVERDUE] == 1
    assert [ref.user_id for ref in summary.overdue] == [trainee.pk]
    table = report_trainees(user=manager, filters=TraineeFilters(status="overdue"))
    assert [(row.user_id, row.status, row.due_date) for row in table.rows] == [
        (trainee.pk, ProgressStatus.OVERDUE, due)
    ]


def test_cohort_due_date_sends_the_overdue_reminder_once(trainee, cohort_overdue):
    program, _, due = cohort_overdue
    (reminder,) = reminders_due()
    assert (reminder.user_id, reminder.event, reminder.event_date) == (
        trainee.pk,
        ReminderSent.Event.OVERDUE,
        due,
    )
    out = StringIO()
    call_command("send_certification_reminders", stdout=out)
    call_command("send_certification_reminders", stdout=out)
    assert [message.subject for message in mail.outbox] == [f"Overdue: {program.name}"]


def test_earliest_due_date_wins_between_cohort_and_individual(trainee, manager):
    today = timezone.localdate()
    later_individual = make_program(slug="later-individual")
    earlier_individual = make_program(slug="earlier-individual")
    two_cohorts = make_program(slug="two-cohorts")
    first = make_cohort(managers=[manager], trainees=[trainee])
    second = make_cohort(managers=[manager], trainees=[trainee])
    assign_to_cohort(first, later_individual, today - DAY)
    assign(trainee, later_individual, due_date=today + 30 * DAY)
    assign_to_cohort(first, earlier_individual, today + 30 * DAY)
    assign(trainee, earlier_individual, due_date=today - 2 * DAY)
    assign_to_cohort(first, two_cohorts, today + 5 * DAY)
    assign_to_cohort(second, two_cohorts, today - 3 * DAY)
    dashboard = {item.program.slug: item for item in trainee_dashboard(user=trainee).programs}
    assert dashboard["later-individual"].assignment.due_date == today - DAY
    assert dashboard["earlier-individual"].assignment.due_date == today - 2 * DAY
    assert dashboard["two-cohorts"].assignment.due_date == today - 3 * DAY
    assert {item.progress.status for item in dashboard.values()} == {ProgressStatus.OVERDUE}
    table = report_trainees(user=manager, filters=TraineeFilters(status="overdue", sort="due"))
    assert [(row.program_name, row.due_date) for row in table.rows] == [
        (two_cohorts.name, today - 3 * DAY),
        (earlier_individual.name, today - 2 * DAY),
        (later_individual.name, today - DAY),
    ]


def test_a_cohort_date_in_the_future_is_not_overdue(trainee, manager):
    program = make_program(slug="later")
    cohort = make_cohort(managers=[manager], trainees=[trainee])
    assign_to_cohort(cohort, program, timezone.localdate() + 10 * DAY)
    item = program_progress(user=trainee, program=program)
    assert item.progress.status == ProgressStatus.NOT_STARTED
    assert [(r.event, r.event_date) for r in reminders_due()] == []
