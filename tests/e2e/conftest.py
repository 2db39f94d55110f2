"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

They skip when Chromium is absent, unless REQUIRE_BROWSER=1 (CI sets it) makes
a missing browser a failure.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made
# by the tests themselves are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Generous waits: on a busy machine a page can take seconds. They bound a failure's wait;
# a passing test never waits them out (Playwright polls).
BROWSER_TIMEOUT_MS = 30_000

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(autouse=True)
def quick_autosave(settings):
    """Browser tests that check what a save does, not when, would each wait out the
    30-second autosave period: give them one second. tests/e2e/test_autosave.py puts the
    real period back and drives the page's clock instead."""
    settings.QUIZ_AUTOSAVE_SECONDS = 1


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(
                f"Chromium not found at {CHROMIUM}; CI must install the 'chromium' package."
            )
        pytest.skip("Chromium is not installed (apt-get install chromium) - browser tests skipped.")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        expect.set_options(timeout=BROWSER_TIMEOUT_MS)
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, timeout=BROWSER_TIMEOUT_MS * 2
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def csp_console_messages(page) -> list[str]:
    """Return a list that fills with the page's Content Security Policy console messages."""
    messages: list[str] = []
    page.on(
        "console",
        lambda message: (
            messages.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return messages
