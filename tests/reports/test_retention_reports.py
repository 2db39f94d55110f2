"""Retention in the manager reports and on the educators' quiz list, on the hand-computed world.

The world is tests/review/retention_world.py, counted back from the clock, and the
reports read the trainees' stored days, so the fixture runs the daily job on it first:
cohort A's recall 75.768%, critical recall 63.14%, reviews done 2 of 4, Ben flagged;
Ann 86% / critical 90%, Ben 65% / 36%, Cat no cards ("—").
"""

import csv
import io
import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from quizzes.reports.exports import OVERVIEW_HEADER, TRAINEE_HEADER
from quizzes.spaced_review.retention_days import retention_days_record
from tests.builders import assign_to_cohort, make_program, make_question, make_trainee
from tests.review.retention_world import build_retention_world, card, log

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(manager, other_manager):
    world = build_retention_world(manager, other_manager, now=timezone.now())
    program = make_program(slug="retention-program", lessons=1, quizzes=0)
    assign_to_cohort(world.cohort_a, program)
    assign_to_cohort(world.cohort_b, program)
    retention_days_record()
    return world


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _retention_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    body = response.content.decode()
    if 'data-testid="retention-table"' not in body:
        return []
    table = body[body.index('data-testid="retention-table"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table, flags=re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.split(r"</t[hd]>", row)][:6]
        for row in rows
    ]


def _table_names(response) -> list[str]:
    assert response.status_code == 200
    body = response.content.decode()
    table = body[body.index('data-testid="trainees-table"') :]
    return re.findall(r'<td><a href="/reports/trainees/\d+/">([^<]+)</a>', table)


def test_the_overview_shows_retention_per_cohort(manager_client, world):
    rows = _retention_rows(manager_client.get(reverse("reports:overview")))
    assert rows == [["Alpha Clinic", "2 of 3", "75%", "63%", "50% (2/4)", "1 flagged"]]


def test_a_manager_sees_only_their_cohorts_retention(client, other_manager, world):
    client.force_login(other_manager)
    rows = _retention_rows(client.get(reverse("reports:overview")))
    assert rows == [["Beta Clinic", "1 of 1", "36%", "36%", "—", "1 flagged"]]


def test_the_flagged_count_links_to_the_filtered_table(manager_client, world):
    body = manager_client.get(reverse("reports:overview")).content.decode()
    link = f"/reports/trainees/?cohort={world.cohort_a.slug}&amp;retention=below&amp;sort=critical"
    assert f'href="{link}">1 flagged</a>' in body


def test_the_overview_csv_ends_with_the_cohorts_retention(manager_client, world):
    assert OVERVIEW_HEADER[-4:] == [
        "Mean recall %",
        "Critical recall %",
        "Reviews done in time %",
        "Trainees below retention threshold",
    ]
    (row,) = _csv(manager_client.get(reverse("reports:overview_export")))
    assert [row[name] for name in OVERVIEW_HEADER[-4:]] == ["75", "63", "50", "1"]


def test_the_trainees_table_shows_recall_and_flags_below_the_threshold(manager_client, world):
    body = manager_client.get(reverse("reports:trainees")).content.decode()
    table = body[body.index('data-testid="trainees-table"') :]
    rows = {
        name: row
        for name, row in re.findall(
            r'<td><a href="/reports/trainees/\d+/">([^<]+)</a>(.*?)</tr>', table, flags=re.S
        )
    }
    cells = {
        name: [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.split(r"</td>", row)][-4:-1]
        for name, row in rows.items()
    }
    assert cells == {
        "Ann Able": ["86%", "90%", "50% (1/2)"],
        "Ben Baker": ["65%", "36% Below 80%", "50% (1/2)"],
        "Cat Cole": ["—", "—", "—"],
    }


def test_below_threshold_filter_keeps_the_flagged_trainees(manager_client, world):
    response = manager_client.get(reverse("reports:trainees"), {"retention": "below"})
    assert _table_names(response) == ["Ben Baker"]


@override_settings(RETENTION_THRESHOLD_PERCENT=95)
def test_the_organisations_threshold_decides_who_is_flagged(manager_client, world):
    response = manager_client.get(reverse("reports:trainees"), {"retention": "below"})
    assert _table_names(response) == ["Ann Able", "Ben Baker"]
    assert "Below 95%" in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "names"),
    [
        ("critical", ["Ben Baker", "Ann Able", "Cat Cole"]),
        ("-critical", ["Ann Able", "Ben Baker", "Cat Cole"]),  # no recall: last either way
        ("recall", ["Ben Baker", "Ann Able", "Cat Cole"]),
        ("-recall", ["Ann Able", "Ben Baker", "Cat Cole"]),
    ],
)
def test_the_table_sorts_on_recall(manager_client, world, sort, names):
    response = manager_client.get(reverse("reports:trainees"), {"sort": sort})
    assert _table_names(response) == names


def test_the_trainees_csv_has_the_retention_columns(manager_client, world):
    assert TRAINEE_HEADER[-5:-1] == [
        "Recall %",
        "Critical recall %",
        "Reviews done in time %",
        "Below retention threshold",
    ]
    rows = {
        row["Name"]: row for row in _csv(manager_client.get(reverse("reports:trainees_export")))
    }
    assert {name: [row[h] for h in TRAINEE_HEADER[-5:-1]] for name, row in rows.items()} == {
        "Ann Able": ["86", "90", "50", ""],
        "Ben Baker": ["65", "36", "50", "yes"],
        "Cat Cole": ["", "", "", ""],
    }


def test_the_trainees_csv_keeps_the_below_threshold_filter(manager_client, world):
    response = manager_client.get(reverse("reports:trainees_export"), {"retention": "below"})
    assert [row["Name"] for row in _csv(response)] == ["Ben Baker"]


def test_another_managers_trainee_never_appears_below_threshold(client, other_manager, world):
    client.force_login(other_manager)
    response = client.get(reverse("reports:trainees"), {"retention": "below"})
    assert _table_names(response) == ["Out Sider"]


def test_educators_see_the_points_forgotten_fastest(educator_client, world):
    make_trainee(username="third")
    body = educator_client.get(reverse("reports:quizzes")).content.decode()
    section = body[body.index('data-testid="forgotten"') :]
    # The tourniquet point is held by three trainees (Ann, Ben, Out); the rest by fewer.
    assert "Prompt tourniquet?" in section
    assert "Prompt airway?" not in section
    assert "1.3 days" in section and "0.30" in section and "Critical" in section


def test_managers_do_not_see_points_across_every_cohort(manager_client, world):
    body = manager_client.get(reverse("reports:quizzes")).content.decode()
    assert 'data-testid="forgotten"' not in body


def _grow(world, n):
    question = make_question(f"grow-{n}", critical=True)
    now = timezone.now()
    for i in range(n):
        trainee = make_trainee(username=f"grow-{n}-{i}")
        world.cohort_a.memberships.create(user=trainee)
        held = card(trainee, question, stability=1.0 + i, days_ago=i % 5, now=now)
        log(held, reviewed_days_ago=30, due_days_ago=20, now=now)
    retention_days_record(now=now)


# Measured once and pinned. On a cache miss: the status snapshot, then the stored days
# (the newest day, the last two days' rows, the trainees whose latest day is older);
# cached, the status snapshot is reused and the stored days are read again (three
# queries: nothing of them is cached); the certificate updates (one, on the
# overview and the trainees table).
BUDGETS = {
    "overview": 14,
    "trainees": 24,
    "trainees_below_sorted": 24,
    "trainees_export": 20,
}
CACHED_BUDGETS = {
    **BUDGETS,
    "overview": 9,
    "trainees": 19,
    "trainees_below_sorted": 19,
    "trainees_export": 20,
}
QUIZ_LIST_BUDGET = 6


def _fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)


@pytest.mark.parametrize("n", [3, 30])
def test_retention_query_counts_are_flat(
    client, manager, educator, world, n, django_assert_max_num_queries
):
    _grow(world, n)
    urls = {
        "overview": reverse("reports:overview"),
        "trainees": reverse("reports:trainees"),
        "trainees_below_sorted": reverse("reports:trainees") + "?retention=below&sort=-critical",
        "trainees_export": reverse("reports:trainees_export") + "?retention=below",
    }
    client.force_login(manager)
    for name, url in urls.items():
        cache.clear()
        with django_assert_max_num_queries(BUDGETS[name]):
            _fetch(client, url)
        with django_assert_max_num_queries(CACHED_BUDGETS[name]):
            _fetch(client, url)
    client.force_login(educator)
    with django_assert_max_num_queries(QUIZ_LIST_BUDGET):
        _fetch(client, reverse("reports:quizzes"))


def test_the_trainee_page_shows_recall_per_topic_weakest_first(manager_client, world):
    body = manager_client.get(reverse("reports:trainee", args=[world.ann.pk])).content.decode()
    section = body[body.index('data-testid="trainee-retention"') :]
    section = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section[: section.index("</section>")]))
    assert "Predicted recall now 86% over 3 review cards; critical points 90% ;" in section
    assert "reviews done in time (last 90 days) 50% (1/2)" in section
    assert section.index("Bleeding 2 79% 90%") < section.index("Airway 1 99% —")


def test_a_trainee_without_cards_has_no_recall(manager_client, world):
    body = manager_client.get(reverse("reports:trainee", args=[world.cat.pk])).content.decode()
    assert "No review cards yet" in body


def test_the_flagged_trainees_page_says_so(manager_client, world):
    body = manager_client.get(reverse("reports:trainee", args=[world.ben.pk])).content.decode()
    assert "Below 80%" in body


def test_another_cohorts_trainee_page_is_a_404(manager_client, world):
    assert manager_client.get(reverse("reports:trainee", args=[world.out.pk])).status_code == 404
