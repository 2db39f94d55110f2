"""Every CSV export: dates as YYYY-MM-DD, moments to the minute with the zone, same figures."""

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from quizzes.reports.exports import TRAINEE_HEADER, _cell, csv_moment

pytestmark = pytest.mark.django_db

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$")
# What an ISO timestamp with seconds, fractions or an offset looks like in a cell.
ISO_LEFTOVER = re.compile(r"\d{4}-\d{2}-\d{2}T|\d:\d{2}:\d{2}|[+-]\d{2}:\d{2}$")


def csv_dicts(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _trainee_rows(client) -> dict[str, dict[str, str]]:
    return {row["E-mail"]: row for row in csv_dicts(client.get(reverse("reports:trainees_export")))}


def test_a_certified_row_counts_every_requirement_done(manager_client, world):
    row = _trainee_rows(manager_client)[world.certified.email]
    assert row["Status"] == "Certified"
    assert (row["Progress %"], row["Requirements done"], row["Requirements"]) == ("100", "2", "2")
    # The quiz was passed before the certificate: nothing counts toward renewal yet.
    assert row["Renewal requirements done"] == "0 of 2"


def test_progress_percent_always_agrees_with_requirements_done(manager_client, world):
    for email, row in _trainee_rows(manager_client).items():
        done, required = int(row["Requirements done"]), int(row["Requirements"])
        assert int(row["Progress %"]) == done * 100 // required, email


def test_rows_without_a_valid_certificate_have_no_renewal_count(manager_client, world):
    rows = _trainee_rows(manager_client)
    assert rows[world.in_progress.email]["Renewal requirements done"] == ""
    assert rows[world.expired.email]["Renewal requirements done"] == ""
    assert rows[world.expiring.email]["Renewal requirements done"] != ""


def test_the_renewal_column_is_added_last(manager_client, world):
    # Then the retention columns (tests/reports/test_retention_reports.py), after it.
    assert TRAINEE_HEADER[15] == "Renewal requirements done"
    assert TRAINEE_HEADER[:3] == ["Name", "E-mail", "Cohorts"]


def test_trainee_export_dates_are_days_and_moments_are_minutes_with_the_zone(manager_client, world):
    rows = _trainee_rows(manager_client)
    certified = rows[world.certified.email]
    assert certified["Due date"] == "2026-12-31"
    assert certified["Certificate expires"] == "2027-06-01 00:00 UTC"
    in_progress = rows[world.in_progress.email]
    assert in_progress["Last activity"] == "2026-11-02 00:00 UTC"
    for row in rows.values():
        assert row["Due date"] == "" or DATE.match(row["Due date"])
        for column in ("Last activity", "Certificate expires"):
            assert row[column] == "" or MOMENT.match(row[column]), (column, row[column])


def test_attempts_export_times_are_to_the_minute_with_the_zone(manager_client, world):
    rows = csv_dicts(
        manager_client.get(reverse("reports:trainee_attempts_export", args=[world.certified.pk]))
    )
    assert [(r["Started"], r["Submitted"], r["Minutes"]) for r in rows] == [
        ("2026-05-01 09:00 UTC", "2026-05-01 09:10 UTC", "10.0")
    ]


def test_overview_export_due_dates_are_days(manager_client, world):
    rows = csv_dicts(manager_client.get(reverse("reports:overview_export")))
    assert [(r["Cohort"], r["Due date"]) for r in rows] == [("Alpha Clinic", "2026-12-31")]


def test_cpd_exports_dates_are_days(manager_client, world, client):
    url = reverse("cpd:trainee_export_csv", args=[world.certified.pk])
    rows = csv_dicts(manager_client.get(url))
    assert [(r["Source"], r["Date"]) for r in rows] == [("Certificate", "2026-06-01")]
    client.force_login(world.certified)
    own = csv_dicts(client.get(reverse("cpd:export_csv")))
    assert [r["Date"] for r in own] == ["2026-06-01"]


def test_no_export_has_an_iso_timestamp_left(manager_client, world):
    urls = [
        reverse("reports:trainees_export"),
        reverse("reports:overview_export"),
        reverse("reports:trainee_attempts_export", args=[world.certified.pk]),
        reverse("reports:quiz_export", args=[world.quiz.pk]),
        reverse("reports:questions_export", args=[world.quiz.pk]),
        reverse("cpd:trainee_export_csv", args=[world.certified.pk]),
    ]
    for url in urls:
        for row in csv_dicts(manager_client.get(url)):
            for column, cell in row.items():
                assert not ISO_LEFTOVER.search(cell), (url, column, cell)


def test_moments_are_written_in_the_site_time_zone_with_its_name(settings):
    settings.TIME_ZONE = "Europe/London"
    assert csv_moment(datetime(2026, 6, 3, 6, 3, 2, 239349, tzinfo=UTC)) == "2026-06-03 07:03 BST"
    assert csv_moment(datetime(2026, 12, 3, 6, 3, tzinfo=UTC)) == "2026-12-03 06:03 GMT"
    settings.TIME_ZONE = "UTC"
    assert csv_moment(datetime(2026, 6, 3, 6, 3, 2, 239349, tzinfo=UTC)) == "2026-06-03 06:03 UTC"


def test_plain_dates_keep_their_day():
    assert _cell(date(2026, 6, 3)) == "2026-06-03"
