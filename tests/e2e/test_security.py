"""The Content-Security-Policy holds in a real browser: no page triggers a violation."""

import pytest
from django.contrib import admin
from django.urls import reverse

from lessons.models import Lesson
from tests.builders import TEST_PASSWORD, UserFactory, make_educator
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs in every page before its own scripts; the browser fires this event for
# each blocked inline script, inline style, eval or foreign origin.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"}` +
    ` at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


class ViolationWatch:
    """Collect CSP violations reported on the console and through DOM events."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.add_init_script(COLLECT_VIOLATIONS)
        page.on("console", self._on_console)

    def _on_console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        assert "default-src 'self'" in response.headers["content-security-policy"], url
        self.page.wait_for_load_state("load")
        self.assert_clean(url)

    def assert_clean(self, where: str) -> None:
        events = self.page.evaluate("window.__cspViolations || []")
        assert self.console == [], (where, self.console)
        assert events == [], (where, events)


def test_public_pages_have_no_csp_violations(page):
    watch = ViolationWatch(page)
    watch.visit("/")
    watch.visit(reverse("login"))
    watch.visit(reverse("password_reset"))


def test_educator_admin_has_no_csp_violations(page):
    make_educator(username="eddie")
    watch = ViolationWatch(page)
    log_in(page, "eddie", TEST_PASSWORD)
    watch.assert_clean("after login")
    watch.visit(reverse("admin:index"))
    if not admin.site.is_registered(Lesson):
        pytest.skip("lessons.Lesson is not registered in the admin yet")
    watch.visit(reverse("admin:lessons_lesson_changelist"))
    watch.visit(reverse("admin:lessons_lesson_add"))


def test_superuser_admin_forms_have_no_csp_violations(page):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    other = UserFactory(username="someone")
    watch = ViolationWatch(page)
    log_in(page, "root", TEST_PASSWORD)
    watch.visit(reverse("admin:index"))
    watch.visit(reverse("admin:auth_user_changelist"))
    # The user form carries the admin's heaviest widgets (the two-box group picker).
    watch.visit(reverse("admin:auth_user_change", args=[other.pk]))
    # SelectFilter2.js builds the "available" box only if the admin's scripts ran.
    page.locator("#id_groups_from").wait_for(state="attached")
    watch.visit(reverse("admin:trainingsite_auditevent_changelist"))
    watch.visit(reverse("admin:axes_accessattempt_changelist"))


def test_bootstrap_collapse_and_dropdown_work_under_the_policy(page):
    UserFactory(username="tara", first_name="Tara", last_name="Trainee")
    watch = ViolationWatch(page)
    page.set_viewport_size({"width": 400, "height": 800})
    log_in(page, "tara", TEST_PASSWORD)
    # A page owned by django.contrib.auth, so the check does not follow the role pages.
    watch.visit(reverse("password_change"))
    # Under load the page can be interactive before Bootstrap has wired its toggles up.
    page.wait_for_function(
        "() => window.bootstrap !== undefined && document.readyState === 'complete'"
    )
    toggler = page.get_by_role("button", name="Toggle navigation")
    nav_link = page.get_by_test_id("role-nav").get_by_role("link", name="My training")
    assert nav_link.is_visible() is False
    toggler.click()
    nav_link.wait_for(state="visible")
    # Bootstrap adds "show" once the collapse has finished moving: a click on the menu
    # button while the navbar still slides open can land before the button is in place.
    page.locator("#main-nav.show:not(.collapsing)").wait_for()
    page.get_by_role("button", name="Tara Trainee").click()
    page.get_by_role("link", name="Change password").wait_for(state="visible")
    watch.assert_clean("navigation")
