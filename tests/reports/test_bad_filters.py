"""A bad filter in a report's link: the site's 400 page, saying what was wrong, escaped."""

import pytest
from django.urls import reverse

from quizzes.reports.forms import (
    BAD_COHORT,
    BAD_PAGE,
    SEARCH_TOO_LONG,
    UNKNOWN_PROGRAM,
    UNKNOWN_RETENTION,
    UNKNOWN_SORT,
    UNKNOWN_STATUS,
)
from quizzes.reports.views import BAD_FILTER

pytestmark = pytest.mark.django_db

PAGE_400 = "That request could not be understood"


def _refused(response, message: str) -> str:
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert PAGE_400 in body
    assert '<div class="alert alert-danger" role="alert">' in body
    assert "<nav" in body and "<footer" in body  # the site's page, not plain text
    assert message in body
    return body


def _says(template: str, value: str) -> str:
    """The message as the page shows it (HTML-escaped quotes)."""
    return (template % {"value": value}).replace("'", "&#x27;")


@pytest.mark.parametrize(
    ("field", "value", "template"),
    [
        ("status", "foo", UNKNOWN_STATUS),
        ("sort", "shoe-size", UNKNOWN_SORT),
        ("sort", "--name", UNKNOWN_SORT),
        ("program", "999999", UNKNOWN_PROGRAM),
        ("program", "abc", UNKNOWN_PROGRAM),
        ("cohort", "not a slug!", BAD_COHORT),
        ("retention", "above", UNKNOWN_RETENTION),
    ],
)
def test_each_bad_trainee_filter_gives_the_400_page_with_its_message(
    manager_client, world, field, value, template
):
    for name in ("reports:trainees", "reports:trainees_export"):
        response = manager_client.get(reverse(name), {field: value})
        _refused(response, _says(template, value))


def test_the_unknown_status_message_lists_the_statuses(manager_client, world):
    body = _refused(
        manager_client.get(reverse("reports:trainees"), {"status": "foo"}),
        "Unknown status &#x27;foo&#x27;. Choose one of: not_started, in_progress, certified,",
    )
    assert BAD_FILTER.split("{")[0] in body


@pytest.mark.parametrize("value", ["0", "-3", "two", "100001"])
def test_a_bad_page_number_gives_the_400_page(manager_client, world, value):
    _refused(manager_client.get(reverse("reports:trainees"), {"page": value}), BAD_PAGE)


def test_a_search_too_long_gives_the_400_page(manager_client, world):
    _refused(manager_client.get(reverse("reports:trainees"), {"q": "x" * 101}), SEARCH_TOO_LONG)


def test_two_bad_filters_are_both_named(manager_client, world):
    body = _refused(
        manager_client.get(reverse("reports:trainees"), {"status": "foo", "sort": "bar"}),
        _says(UNKNOWN_STATUS, "foo"),
    )
    assert _says(UNKNOWN_SORT, "bar") in body


def test_the_value_sent_is_escaped_and_shortened(manager_client, world):
    value = "<script>alert(1)</script>" + "x" * 200
    body = _refused(manager_client.get(reverse("reports:trainees"), {"status": value}), "Unknown")
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "x" * 60 not in body


@pytest.mark.parametrize(
    "name",
    ["reports:overview", "reports:overview_export"],
)
def test_a_bad_cohort_on_the_overview_gives_the_400_page(manager_client, world, name):
    _refused(
        manager_client.get(reverse(name), {"cohort": "no such!"}), _says(BAD_COHORT, "no such!")
    )


@pytest.mark.parametrize(
    "name", ["reports:quiz", "reports:quiz_export", "reports:questions", "reports:questions_export"]
)
def test_a_bad_cohort_on_a_quiz_report_gives_the_400_page(manager_client, world, name):
    url = reverse(name, args=[world.quiz.pk])
    _refused(manager_client.get(url, {"cohort": "a/b"}), _says(BAD_COHORT, "a/b"))


def test_a_well_formed_cohort_outside_scope_is_still_a_404(manager_client, world):
    response = manager_client.get(reverse("reports:trainees"), {"cohort": world.cohort_b.slug})
    assert response.status_code == 404


def test_good_filters_still_open_the_page(manager_client, world):
    response = manager_client.get(
        reverse("reports:trainees"),
        {"status": "certified", "sort": "-due", "cohort": world.cohort_a.slug, "page": "1"},
    )
    assert response.status_code == 200


def test_other_400s_keep_their_message_off_the_page(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    body = response.content.decode()
    assert PAGE_400 in body
    assert "evil.example" not in body
