"""The README's screenshots: each role's main page, taken from the demo by the browser.

Run with REQUIRE_BROWSER=1 to refresh docs/screenshots/ after a change to these pages; the
README's "What the site is" shows them.
"""

from pathlib import Path

import pytest
from django.conf import settings

from tests.e2e.conftest import BROWSER_TIMEOUT_MS, log_in
from tests.e2e.test_accessibility import Site, _build_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A blank or error page compresses to a few kilobytes; a real page is far larger.
MIN_BYTES = 15_000


def _shots(site: Site) -> list[tuple[str | None, list[tuple[str, str]]]]:
    """(demo account or None for anonymous, [(file name, URL)]), one browser context each."""
    return [
        (
            "trainee",
            [
                ("trainee-dashboard", "/me/"),
                ("trainee-attempt", f"/quizzes/attempts/{site.open_attempt.uuid}/"),
                ("trainee-result", f"/quizzes/attempts/{site.graded.uuid}/result/"),
            ],
        ),
        ("educator", [("educator-home", "/educator/")]),
        ("assessor", [("assessor-home", "/assessment/")]),
        ("manager", [("manager-overview", "/manager/")]),
        (None, [("anonymous-verification", f"/certificates/verify/{site.code}/")]),
    ]


def test_screenshots_of_each_roles_main_page_are_written(browser, live_server):
    site = _build_site()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    written = []
    for username, shots in _shots(site):
        context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
        page = context.new_page()
        if username:
            log_in(page, username, settings.DEMO_PASSWORD)
        for name, url in shots:
            response = page.goto(url)
            assert response.status == 200, (name, url)
            page.wait_for_load_state("networkidle")
            path = SCREENSHOTS / f"{name}.png"
            path.unlink(missing_ok=True)
            page.screenshot(path=path, full_page=False)
            written.append(path)
        context.close()

    for path in written:
        data = path.read_bytes()
        assert data[:8] == PNG_SIGNATURE, path
        assert len(data) > MIN_BYTES, (path, len(data))
    assert len(written) == 7
