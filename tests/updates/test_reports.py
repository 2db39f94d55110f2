"""Managers see update status: the overview per program, the trainees table and CSV, the
trainee's page."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from lessons.services import lesson_complete
from quizzes.reports.exports import TRAINEE_HEADER
from tests.builders import assign_to_cohort, make_cohort
from tests.updates.conftest import change_lesson, take_update_quiz

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def managed(world, trainee, manager):
    cohort = make_cohort(managers=[manager], trainees=[trainee])
    assign_to_cohort(cohort, world["program"])
    return cohort


def _csv(client) -> list[dict]:
    response = client.get(reverse("reports:trainees_export"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_an_open_update_shows_on_the_overview_table_csv_and_trainee_page(
    world, managed, trainee, manager_client, educator
):
    now = world["now"]
    change_lesson(world["first"], by=educator, now=now - DAY)
    due = timezone.localdate(now - DAY + 60 * DAY)
    label = f"Update required by {due:%-d %b %Y}"

    overview = manager_client.get(reverse("reports:overview")).content.decode()
    section = overview[overview.index('data-testid="updates-table"') :]
    assert f'<th scope="row">{world["program"].name}</th><td>1</td>' in section
    assert f"{due:%-d %b %Y}" in section

    table = manager_client.get(reverse("reports:trainees")).content.decode()
    assert f'data-testid="update-badge">{label}</span>' in table
    (row,) = _csv(manager_client)
    assert TRAINEE_HEADER[-1] == "Update after a material change"
    assert row["Update after a material change"] == label
    detail = manager_client.get(reverse("reports:trainee", args=[trainee.pk])).content.decode()
    assert label in detail


def test_updated_and_expired_early_are_counted(
    world, managed, trainee, other_trainee, manager_client, educator
):
    now = world["now"]
    change_lesson(world["first"], by=educator, now=now - 3 * DAY)
    lesson_complete(user=trainee, lesson=world["first"], now=now - 2 * DAY)
    take_update_quiz(trainee, world["program"], now=now - DAY)
    cache.clear()
    table = manager_client.get(reverse("reports:trainees")).content.decode()
    assert 'data-testid="update-badge">Updated to version 1</span>' in table
    overview = manager_client.get(reverse("reports:overview")).content.decode()
    section = overview[overview.index('data-testid="updates-table"') :]
    assert "<td>0</td><td>—</td><td>1</td><td>0</td>" in section


def test_an_update_not_done_in_time_is_expired_early(
    world, managed, trainee, manager_client, educator
):
    now = world["now"]
    change_lesson(world["first"], by=educator, now=now - 70 * DAY)
    table = manager_client.get(reverse("reports:trainees")).content.decode()
    assert (
        '<span class="badge status-expired">Expired</span> <span class="badge text-bg-warning" '
        'data-testid="update-badge">Update not done in time</span>'
    ) in table
    overview = manager_client.get(reverse("reports:overview")).content.decode()
    section = overview[overview.index('data-testid="updates-table"') :]
    assert "<td>0</td><td>—</td><td>0</td><td>1</td>" in section


def test_another_managers_cohort_sees_nothing_of_it(
    world, managed, other_manager, client, educator
):
    change_lesson(world["first"], by=educator, now=world["now"] - DAY)
    make_cohort(managers=[other_manager])
    client.force_login(other_manager)
    overview = client.get(reverse("reports:overview")).content.decode()
    assert 'data-testid="updates-table"' not in overview
