"""The managers' retention figures read each trainee's latest stored day, however old.

Days are written by hand here (the job's own figures are tests/review/test_retention_days.py):
Ann's today (recall 90%, critical 90%), Ben's five days ago (recall 60%, critical 50%,
flagged) with an older, better day under it, Cat none ("—"). Cohort A: recall 75%,
critical 70%, reviews done 3 of 6, one flagged.
"""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.models import TraineeRetention
from quizzes.spaced_review.retention import retention_in_cohorts, retention_stored
from tests.builders import assign_to_cohort, make_cohort, make_program, make_trainee

pytestmark = pytest.mark.django_db


def stored_day(user, *, days_ago, recall, critical, due=0, done=0):
    today = timezone.localdate()
    return TraineeRetention.objects.create(
        user=user,
        taken_on=today - timedelta(days=days_ago),
        cards=4,
        recall=recall,
        critical_recall=critical,
        reviews_due=due,
        reviews_done=done,
        computed_at=timezone.now() - timedelta(days=days_ago),
    )


@pytest.fixture
def people(manager):
    ann = make_trainee(username="ann", first_name="Ann", last_name="Able")
    ben = make_trainee(username="ben", first_name="Ben", last_name="Baker")
    cat = make_trainee(username="cat", first_name="Cat", last_name="Cole")
    cohort = make_cohort(name="Alpha Clinic", managers=[manager], trainees=[ann, ben, cat])
    assign_to_cohort(cohort, make_program(slug="stored-program", lessons=1, quizzes=0))
    stored_day(ann, days_ago=0, recall=0.9, critical=0.9, due=2, done=2)
    stored_day(ben, days_ago=30, recall=0.99, critical=0.99, due=9, done=9)
    stored_day(ben, days_ago=5, recall=0.6, critical=0.5, due=4, done=1)
    return {"ann": ann, "ben": ben, "cat": cat, "cohort": cohort}


def _retention_row(response) -> list[str]:
    assert response.status_code == 200
    body = response.content.decode()
    table = body[body.index('data-testid="retention-table"') :]
    row = re.search(r"<tr><th scope=\"row\">(.*?)</tr>", table, flags=re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.split(r"</t[hd]>", row)][:6]


def _table_names(response) -> list[str]:
    assert response.status_code == 200
    body = response.content.decode()
    table = body[body.index('data-testid="trainees-table"') :]
    return re.findall(r'<td><a href="/reports/trainees/\d+/">([^<]+)</a>', table)


def test_each_trainees_latest_day_is_read_however_old(people):
    found = retention_stored(users=[p.pk for p in (people["ann"], people["ben"], people["cat"])])
    today = timezone.localdate()
    assert {uid: (t.recall, t.critical_recall, t.taken_on) for uid, t in found.items()} == {
        people["ann"].pk: (0.9, 0.9, today),
        people["ben"].pk: (0.6, 0.5, today - timedelta(days=5)),
    }


def test_the_overview_shows_the_stored_days_as_of_the_newest(manager_client, people):
    response = manager_client.get(reverse("reports:overview"))
    assert _retention_row(response) == [
        "Alpha Clinic",
        "2 of 3",
        "75%",
        "70%",
        "50% (3/6)",
        "1 flagged",
    ]
    today = timezone.localdate()
    assert f"As of {today.day} {today:%B %Y}: recorded daily" in response.content.decode()


def test_the_table_filter_sort_and_csv_read_the_stored_days(manager_client, people):
    below = manager_client.get(reverse("reports:trainees"), {"retention": "below"})
    assert _table_names(below) == ["Ben Baker"]
    ordered = manager_client.get(reverse("reports:trainees"), {"sort": "critical"})
    assert _table_names(ordered) == ["Ben Baker", "Ann Able", "Cat Cole"]
    today = timezone.localdate()
    assert f"Recall as of {today.day} {today:%B %Y}" in ordered.content.decode()
    export = manager_client.get(reverse("reports:trainees_export"))
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = {row["Name"]: row for row in csv.DictReader(io.StringIO(text))}
    assert [rows["Ben Baker"][h] for h in ("Recall %", "Critical recall %")] == ["60", "50"]
    assert rows["Ben Baker"]["Below retention threshold"] == "yes"
    assert rows["Cat Cole"]["Recall %"] == ""


def test_a_cohort_with_no_stored_day_says_none_is_recorded(client, other_manager):
    make_cohort(name="Beta", managers=[other_manager], trainees=[make_trainee(username="b")])
    client.force_login(other_manager)
    body = client.get(reverse("reports:overview")).content.decode()
    assert "No figures are recorded yet: they are recorded daily." in body
    assert retention_in_cohorts(cohort_ids=[]).as_of is None


@pytest.mark.parametrize("n", [3, 30])
def test_reading_the_days_is_four_queries_when_some_are_old(people, n):
    for i in range(n):
        trainee = make_trainee(username=f"old-{n}-{i}")
        people["cohort"].memberships.create(user=trainee)
        stored_day(trainee, days_ago=10 + i, recall=0.8, critical=None)
        stored_day(trainee, days_ago=40 + i, recall=0.7, critical=None)
    with CaptureQueriesContext(connection) as queries:
        snapshot = retention_in_cohorts(cohort_ids=[people["cohort"].pk])
    assert len(queries) == 1 + 4  # the members, then the newest day, recent, older, their rows
    assert len(snapshot.trainees) == 2 + n
    assert snapshot.as_of == timezone.localdate()
