from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from lessons.models import Lesson
from lessons.services import lessons_load
from tests.e2e.conftest import csp_console_messages, log_in
from trainingsite.demo import demo_accounts_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHIPPED = Path(settings.BASE_DIR) / "fixtures" / "lessons"


def test_demo_trainee_reads_the_first_lesson_and_sees_progress(page):
    demo_accounts_ensure()
    lessons_load(directory=SHIPPED)
    published = list(Lesson.objects.published().order_by("topic__order", "order", "id"))
    first, total = published[0], len(published)
    csp_violations = csp_console_messages(page)

    log_in(page, "trainee", settings.DEMO_PASSWORD)
    page.get_by_test_id("role-nav").get_by_role("link", name="Lessons", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lessons")
    expect(page.get_by_test_id("progress-text")).to_have_text(
        f"0 of {total} lessons completed (0%)"
    )
    expect(page.get_by_test_id("progress-bar")).to_have_attribute("value", "0")
    row = page.get_by_test_id(f"lesson-{first.slug}")
    expect(row.get_by_test_id("completed-tick")).to_have_count(0)

    row.get_by_role("link", name=first.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first.title)
    expect(page.get_by_test_id("lesson-body").locator(".admonition.key-points")).to_be_visible()
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_text("Lesson marked as complete.")).to_be_visible()
    expect(page.get_by_test_id("completed-state")).to_contain_text("Completed on")
    expect(page.get_by_role("button", name="Mark as complete")).to_have_count(0)

    page.get_by_role("link", name="Lessons", exact=True).first.click()
    percent = 100 // total
    expect(page.get_by_test_id("progress-text")).to_have_text(
        f"1 of {total} lessons completed ({percent}%)"
    )
    expect(page.get_by_test_id("progress-bar")).to_have_attribute("value", "1")
    expect(page.get_by_test_id("progress-bar")).to_have_attribute("aria-valuenow", "1")
    tick = page.get_by_test_id(f"lesson-{first.slug}").get_by_test_id("completed-tick")
    expect(tick).to_be_visible()
    expect(tick).to_contain_text("Completed")
    assert csp_violations == []


def test_demo_educator_writes_previews_and_publishes_a_lesson_the_trainee_then_sees(page):
    demo_accounts_ensure()
    lessons_load(directory=SHIPPED)

    log_in(page, "educator", settings.DEMO_PASSWORD)
    page.goto("/admin/lessons/lesson/add/")
    page.get_by_label("Topic:").select_option(label="Managing bleeding")
    page.get_by_label("Title:").press_sequentially("Cold compress after treatment")
    # The admin fills the slug from the title as the educator types.
    expect(page.get_by_label("Slug:")).to_have_value("cold-compress-after-treatment")
    page.get_by_label("Summary:").fill("When a cold compress helps and how to apply it.")
    page.get_by_label("Order:").fill("9")
    page.get_by_label("Body:").fill(
        '!!! red-flag "Stop and escalate"\n    Bleeding that does not slow with pressure.\n'
    )
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.get_by_role("link", name="Preview").click()
    expect(page.get_by_test_id("draft-banner")).to_have_text("Draft — not visible to trainees")
    expect(page.locator(".admonition.red-flag .admonition-title")).to_have_text("Stop and escalate")

    page.goto("/admin/lessons/lesson/?status__exact=draft")
    page.get_by_role(
        "checkbox", name="Select this object for an action - Cold compress after treatment"
    ).check()
    page.locator("select[name=action]").select_option("publish_selected")
    page.get_by_role("button", name="Go", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Published 1 lesson.")

    page.context.clear_cookies()
    log_in(page, "trainee", settings.DEMO_PASSWORD)
    page.goto("/lessons/")
    page.get_by_role("link", name="Cold compress after treatment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cold compress after treatment")
    expect(page.get_by_test_id("draft-banner")).to_have_count(0)
