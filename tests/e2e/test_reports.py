"""The demo manager: overview, overdue trainees, one trainee, the CSV download."""

import csv
import io
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_manager_finds_overdue_trainees_and_downloads_them(page):
    call_command("setup_demo", stdout=StringIO())
    log_in(page, "manager", settings.DEMO_PASSWORD)

    page.get_by_test_id("role-nav").get_by_role("link", name="Reports").click()
    assert page.get_by_role("heading", name="Cohort overview").is_visible()
    assert page.get_by_role(
        "heading", name="Riverside Clinic — 2026 intake: Bleeding management in microneedling"
    ).is_visible()
    assert page.locator("svg[role=img]").first.is_visible()

    page.get_by_role("link", name="Trainees", exact=True).click()
    page.get_by_label("Status").select_option("overdue")
    page.get_by_role("button", name="Filter").click()
    rows = page.get_by_test_id("trainees-table").locator("tbody tr")
    assert rows.count() == 2
    names = sorted(rows.nth(i).locator("td").first.locator("a").inner_text() for i in range(2))
    assert names == ["Ivan Varga", "Jade Chen"]

    rows.first.locator("td").first.locator("a").click()
    assert page.get_by_role("heading", name="Attempts").is_visible()
    page.go_back()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("trainees-")
    with open(download.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert rows[0][:5] == ["Name", "E-mail", "Cohorts", "Program", "Status"]
    assert sorted(row[0] for row in rows[1:]) == ["Ivan Varga", "Jade Chen"]
    assert {row[4] for row in rows[1:]} == {"Overdue"}
