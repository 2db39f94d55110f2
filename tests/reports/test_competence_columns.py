"""Reports, exports and reminders know observed practice: who awaits sign-off, what is done."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.builders import (
    assign_to_cohort,
    attest,
    do_everything,
    make_checklist,
    make_cohort,
    make_program,
    make_statement,
    make_trainee,
    observe,
)

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@pytest.fixture
def cohort_world(manager, assessor):
    program = make_program(slug="observed", name="Observed program", lessons=1, quizzes=1)
    checklist = make_checklist(programs=[program])
    statement = make_statement(programs=[program])
    waiting = make_trainee(username="waiting", first_name="Wanda", last_name="Waiting")
    signed = make_trainee(username="signed", first_name="Sid", last_name="Signed")
    cohort = make_cohort(name="Alpha Clinic", managers=[manager], trainees=[waiting, signed])
    assign_to_cohort(cohort, program, timezone.localdate() + 3 * DAY)
    for person in (waiting, signed):
        do_everything(person, program, at=timezone.now() - DAY)
        attest(person, statement)
    observe(signed, checklist, assessor=assessor, acknowledged=False)
    return {"program": program, "waiting": waiting, "signed": signed, "checklist": checklist}


def _export(client) -> list[list[str]]:
    response = client.get(reverse("reports:trainees_export"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_trainees_export_says_who_awaits_sign_off(manager_client, cohort_world):
    header, *rows = _export(manager_client)
    # The two competence columns, then the renewal progress and retention columns after them.
    assert header[13:15] == ["Awaiting sign-off", "Observed practice signed off"]
    by_email = {row[1]: row for row in rows}
    assert by_email[cohort_world["waiting"].email][13:15] == ["yes", "0 of 1"]
    # Observed but not yet acknowledged: still awaiting sign-off.
    assert by_email[cohort_world["signed"].email][13:15] == ["yes", "0 of 1"]


def test_the_trainees_page_shows_awaiting_sign_off(manager_client, cohort_world):
    response = manager_client.get(reverse("reports:trainees"))
    assert response.status_code == 200
    assert response.content.decode().count("Awaiting sign-off") == 2


def test_a_program_without_checklists_leaves_the_columns_empty(manager_client, manager):
    program = make_program(slug="plain", lessons=1, quizzes=1)
    person = make_trainee(username="plain")
    cohort = make_cohort(name="Plain", managers=[manager], trainees=[person])
    assign_to_cohort(cohort, program, None)
    header, row = _export(manager_client)
    assert row[-2:] == ["", ""]


def test_the_due_soon_reminder_says_observed_practice_awaits_sign_off(cohort_world):
    call_command("send_certification_reminders", stdout=io.StringIO())
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "awaiting sign-off" in bodies[cohort_world["waiting"].email]
    assert "Ask your assessor to observe you" in bodies[cohort_world["waiting"].email]


def test_the_drill_down_shows_the_outcome_of_observed_practice_and_attestations(
    manager_client, cohort_world, django_assert_max_num_queries
):
    waiting, signed = cohort_world["waiting"], cohort_world["signed"]
    first = observe(waiting, cohort_world["checklist"], competent=False)
    observe(waiting, cohort_world["checklist"], supersedes=first)
    url = reverse("reports:trainee", kwargs={"pk": waiting.pk})
    with django_assert_max_num_queries(40):
        response = manager_client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-testid="observation-row"') == 2
    assert "Not yet competent" in page and "(superseded by a correction)" in page
    assert "signed “Wanda Waiting”" in page
    other = manager_client.get(reverse("reports:trainee", kwargs={"pk": signed.pk}))
    assert other.content.decode().count('data-testid="observation-row"') == 1


def test_the_drill_down_query_count_does_not_grow_with_observations(
    manager_client, cohort_world, django_assert_num_queries
):
    waiting = cohort_world["waiting"]
    url = reverse("reports:trainee", kwargs={"pk": waiting.pk})
    observe(waiting, cohort_world["checklist"])
    manager_client.get(url)
    with CaptureQueriesContext(connection) as few:
        manager_client.get(url)
    for _ in range(5):
        observe(waiting, cohort_world["checklist"])
    with django_assert_num_queries(len(few.captured_queries)):
        manager_client.get(url)


def test_another_cohorts_manager_cannot_see_the_drill_down(client, other_manager, cohort_world):
    client.force_login(other_manager)
    url = reverse("reports:trainee", kwargs={"pk": cohort_world["waiting"].pk})
    assert client.get(url).status_code == 404
