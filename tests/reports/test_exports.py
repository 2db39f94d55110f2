"""The reports' CSV downloads: streamed, filtered like the pages, formula-safe."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

pytestmark = pytest.mark.django_db


def csv_rows(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_trainees_export_streams_with_the_filters(manager_client, world):
    response = manager_client.get(
        reverse("reports:trainees_export"), {"status": "overdue", "cohort": world.cohort_a.slug}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="trainees-')
    rows = csv_rows(response)
    assert rows[0][:5] == ["Name", "E-mail", "Cohorts", "Program", "Status"]
    assert [(r[1], r[4], r[5]) for r in rows[1:]] == [
        (world.overdue.email, "Overdue", "2026-11-01")
    ]


def test_export_neutralises_formulas(manager_client, world):
    world.overdue.first_name = "=HYPERLINK(1)"
    world.overdue.save()
    rows = csv_rows(manager_client.get(reverse("reports:trainees_export"), {"status": "overdue"}))
    assert rows[1][0].startswith("'=HYPERLINK(1)")


def test_every_export_streams(manager_client, world):
    urls = [
        reverse("reports:overview_export"),
        reverse("reports:trainee_attempts_export", args=[world.certified.pk]),
        reverse("reports:quiz_export", args=[world.quiz.pk]),
        reverse("reports:questions_export", args=[world.quiz.pk]),
    ]
    for url in urls:
        rows = csv_rows(manager_client.get(url))
        assert len(rows) > 1, url
