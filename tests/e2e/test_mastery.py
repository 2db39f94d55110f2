"""The progress-by-topic page in Chromium: no critical or serious axe finding, at full width
and at 390 px, no sideways scroll on a phone, and no Content-Security-Policy complaint."""

from datetime import timedelta

import pytest
from django.utils import timezone

from quizzes.models import Attempt
from tests.builders import (
    TEST_PASSWORD,
    make_lesson,
    make_question,
    make_quiz,
    make_topic,
    make_trainee,
)
from tests.builders.mastery import answered_attempt
from tests.e2e.axe import NARROW, blocking_findings
from tests.e2e.conftest import BROWSER_TIMEOUT_MS, csp_console_messages, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URL = "/me/progress/"


def _new_page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
    return context.new_page()


@pytest.fixture
def learner(db):
    """A trainee with answers in three topics (one with a long title), over several weeks."""
    user = make_trainee(username="mia", first_name="Mia", last_name="Mastery")
    now = timezone.now()
    titles = [
        "Assessing bleeding risk",
        "Managing bleeding during and after microneedling treatment of the face and neck",
        "Consent",
    ]
    for i, title in enumerate(titles):
        topic = make_topic(f"e2e-topic-{i}", title=title, order=i)
        make_lesson(f"e2e-lesson-{i}", topic=topic, title=f"Lesson on {title.lower()}")
        questions = [make_question(f"e2e-{i}-{j}", topic=topic) for j in range(4)]
        quiz = make_quiz(questions, slug=f"e2e-quiz-{i}", topic=topic)
        for k in range(4):
            right = (i + k) % 4
            answered_attempt(
                user=user,
                quiz=quiz,
                kind=Attempt.Kind.PRACTICE if k % 2 else Attempt.Kind.GRADED,
                answers=[(q, j < right, float(j < right)) for j, q in enumerate(questions)],
                at=now - timedelta(days=12 * k),
            )
    make_lesson("e2e-untried", topic=make_topic("e2e-untried", title="Aftercare", order=9))
    return user


def test_progress_page_has_no_serious_axe_finding_and_fits_390px(browser, live_server, learner):
    page = _new_page(browser, live_server, bypass_csp=True)
    log_in(page, learner.username, TEST_PASSWORD)
    response = page.goto(URL)
    assert response.status == 200
    assert page.get_by_role("heading", name="What to review next").is_visible()
    assert page.get_by_role("img", name="Share answered correctly by topic").is_visible()
    assert blocking_findings(page) == []

    page.set_viewport_size(NARROW)
    page.goto(URL)
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    assert blocking_findings(page) == []
    page.context.close()


def test_progress_page_empty_state_passes_axe_and_obeys_the_csp(browser, live_server, db):
    make_trainee(username="nia")
    page = _new_page(browser, live_server)
    messages = csp_console_messages(page)
    log_in(page, "nia", TEST_PASSWORD)
    page.set_viewport_size(NARROW)
    assert page.goto(URL).status == 200
    assert page.get_by_test_id("mastery-empty").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    assert messages == []
    page.context.close()


def test_dashboard_links_to_the_progress_page(browser, live_server, learner):
    page = _new_page(browser, live_server, bypass_csp=True)
    log_in(page, learner.username, TEST_PASSWORD)
    page.goto("/me/")
    page.get_by_test_id("mastery-link").click()
    page.wait_for_url(f"**{URL}")
    assert page.get_by_role("heading", name="My progress by topic", level=1).is_visible()
    page.context.close()
