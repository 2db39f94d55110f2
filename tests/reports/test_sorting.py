"""The trainees table's sortable headers, and names said once instead of on every row."""

import re
from datetime import date
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from quizzes.reports.forms import UNKNOWN_SORT
from tests.builders import assign_to_cohort, make_program

pytestmark = pytest.mark.django_db

HEADER = re.compile(
    r'<th scope="col"(?: aria-sort="(?P<sort>\w+)")?><a class="sort-link" href="(?P<href>[^"]+)">'
    r"(?P<label>[^<]+)<"
)


def _headers(response) -> dict[str, tuple[str, dict[str, list[str]]]]:
    """Each sortable header's label -> (its aria-sort, its link's query)."""
    assert response.status_code == 200
    found = {}
    for match in HEADER.finditer(response.content.decode()):
        query = parse_qs(urlsplit(unescape(match["href"])).query)
        found[match["label"]] = (match["sort"] or "", query)
    return found


def _names(response) -> list[str]:
    body = response.content.decode()
    table = body[body.index('data-testid="trainees-table"') :]
    return re.findall(r'<td><a href="/reports/trainees/\d+/">([^<]+)</a>', table)


def test_headers_are_links_that_sort_each_column(manager_client, world):
    headers = _headers(manager_client.get(reverse("reports:trainees")))
    assert list(headers) == [
        "Trainee",
        "Status",
        "Due",
        "Progress",
        "Last activity",
        "Recall",
        "Critical recall",
    ]
    assert {label: query["sort"] for label, (_, query) in headers.items()} == {
        "Trainee": ["-name"],  # the default sort: the link turns it around
        "Status": ["status"],
        "Due": ["due"],
        "Progress": ["percent"],
        "Last activity": ["activity"],
        "Recall": ["recall"],
        "Critical recall": ["critical"],
    }


def test_the_sorted_header_has_aria_sort_and_the_others_none(manager_client, world):
    headers = _headers(manager_client.get(reverse("reports:trainees")))
    assert {label: sort for label, (sort, _) in headers.items()} == {
        "Trainee": "ascending",
        "Status": "",
        "Due": "",
        "Progress": "",
        "Last activity": "",
        "Recall": "",
        "Critical recall": "",
    }


def test_a_descending_sort_toggles_back_to_ascending(manager_client, world):
    headers = _headers(manager_client.get(reverse("reports:trainees"), {"sort": "-due"}))
    assert headers["Due"] == ("descending", {"sort": ["due"]})
    headers = _headers(manager_client.get(reverse("reports:trainees"), {"sort": "due"}))
    assert headers["Due"] == ("ascending", {"sort": ["-due"]})


def test_header_links_keep_the_filters_and_drop_the_page(manager_client, world):
    response = manager_client.get(
        reverse("reports:trainees"),
        {"cohort": world.cohort_a.slug, "status": "certified", "q": "A", "page": "1"},
    )
    _, query = _headers(response)["Status"]
    assert query == {
        "cohort": [world.cohort_a.slug],
        "status": ["certified"],
        "q": ["A"],
        "sort": ["status"],
    }


def test_rows_follow_the_header_sort_both_ways(manager_client, world):
    url = reverse("reports:trainees")
    up = _names(manager_client.get(url, {"sort": "name"}))
    down = _names(manager_client.get(url, {"sort": "-name"}))
    assert up == sorted(up, key=str.casefold)
    assert down == list(reversed(up))
    by_due = _names(manager_client.get(url, {"sort": "due"}))
    assert by_due[0] == "Overdue A"  # its individual due date (1 Nov) comes first


def test_the_sort_dropdown_still_works(manager_client, world):
    response = manager_client.get(reverse("reports:trainees"), {"sort": "-percent"})
    body = response.content.decode()
    assert '<option value="-percent" selected>' in body
    assert _headers(response)["Progress"][0] == "descending"


def test_an_unknown_sort_key_gives_the_400_page(manager_client, world):
    response = manager_client.get(reverse("reports:trainees"), {"sort": "height"})
    assert response.status_code == 400
    assert (UNKNOWN_SORT % {"value": "height"}).replace("'", "&#x27;") in response.content.decode()


def test_a_program_and_cohort_shared_by_every_row_are_said_once(manager_client, world):
    response = manager_client.get(reverse("reports:trainees"))
    body = response.content.decode()
    shared = body[body.index('data-testid="shared-columns"') : body.index("trainees-table")]
    assert "Foundation" in shared and "Alpha Clinic" in shared
    table = body[body.index('data-testid="trainees-table"') :]
    assert "Foundation" not in table
    assert "Alpha Clinic" not in table
    assert '<th scope="col">Cohorts</th>' not in table


def test_several_programs_keep_the_column_and_group_rows_when_sorted_by_program(
    manager_client, world
):
    second = make_program(
        slug="advanced", name="Advanced haemostasis", lessons=[world.lesson], quizzes=[]
    )
    assign_to_cohort(world.cohort_a, second, date(2027, 3, 1))
    body = manager_client.get(reverse("reports:trainees")).content.decode()
    assert "Program" in _headers_from(body)
    assert 'class="report-group"' not in body
    grouped = manager_client.get(reverse("reports:trainees"), {"sort": "program"})
    groups = re.findall(
        r'<tr class="report-group"><th scope="colgroup" colspan="\d">([^<]+)</th></tr>',
        grouped.content.decode(),
    )
    assert groups == ["Advanced haemostasis", "Foundation"]


def _headers_from(body: str) -> list[str]:
    return [match["label"] for match in HEADER.finditer(body)]


def test_the_table_scrolls_in_a_labelled_focusable_region(manager_client, world):
    body = manager_client.get(reverse("reports:trainees")).content.decode()
    assert (
        '<div class="table-responsive" tabindex="0" role="region" '
        'aria-label="Trainees table, scrolls sideways">'
    ) in body
