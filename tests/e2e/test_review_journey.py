"""Browser: a spaced-review session from the dashboard's nudge to what was strengthened."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.models import Attempt, ReviewCard
from quizzes.spaced_review.services import PointMet, review_cards_record
from tests.builders import TEST_PASSWORD, make_question, make_trainee
from tests.builders.bank import EXPLANATION_MARK
from tests.e2e.axe import blocking_findings
from tests.e2e.conftest import csp_console_messages, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reviewer():
    trainee = make_trainee(username="rene")
    questions = [make_question(f"review-{i}", variant_group="") for i in range(2)]
    review_cards_record(
        user_id=trainee.pk,
        met=[
            PointMet(
                point=f"question:{q.pk}",
                question_id=q.pk,
                topic_id=q.topic_id,
                critical=False,
                correct=True,
            )
            for q in questions
        ],
        source="practice",
        at=timezone.now() - timedelta(days=7),
    )
    return trainee


def _card(page, number: int):
    return page.locator(f"#question-{number}")


def test_dashboard_start_check_next_and_summary(page, reviewer):
    csp = csp_console_messages(page)
    log_in(page, "rene", TEST_PASSWORD)
    page.goto("/me/")
    nudge = page.get_by_test_id("review-card")
    expect(nudge).to_contain_text("2 questions due for review")
    assert blocking_findings(page) == []
    nudge.get_by_role("link", name="Review now").click()

    expect(page).to_have_url(re.compile(r"/review/$"))
    expect(page.get_by_test_id("review-due-count")).to_have_text("2")
    assert blocking_findings(page) == []
    page.get_by_role("button", name="Start a review").click()

    expect(page).to_have_url(re.compile(r"/review/[0-9a-f-]+/$"))
    assert blocking_findings(page) == []
    # Right first: checked in place by the practice page's script, the feedback focused.
    _card(page, 1).get_by_label(re.compile("Right answer")).check()
    _card(page, 1).get_by_role("button", name="Check").click()
    feedback = _card(page, 1).locator(".practice-feedback")
    expect(feedback).to_contain_text("Correct")
    expect(feedback).to_contain_text(EXPLANATION_MARK)
    expect(feedback).to_be_focused()
    expect(page.locator("#practice-checked-count")).to_have_text("1")
    assert blocking_findings(page) == []

    _card(page, 1).get_by_role("link", name="Next question").click()
    _card(page, 2).get_by_label(re.compile("Wrong answer A")).check()
    _card(page, 2).get_by_role("button", name="Check").click()
    expect(_card(page, 2).locator("[data-testid=check-outcome]")).to_contain_text("Wrong")

    page.get_by_role("button", name="Finish and see what was strengthened").click()
    expect(page).to_have_url(re.compile(r"/review/[0-9a-f-]+/summary/$"))
    summary = page.get_by_test_id("review-summary")
    expect(summary).to_contain_text("Right: strengthened")
    expect(summary).to_contain_text("Missed: back soon")
    expect(page.get_by_test_id("review-summary-count")).to_contain_text("1 of 2 right")
    assert blocking_findings(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    session = Attempt.objects.get(user=reviewer, kind=Attempt.Kind.REVIEW)
    assert session.state == Attempt.State.SUBMITTED and session.passed is None
    assert ReviewCard.objects.filter(user=reviewer, due__lte=timezone.now()).count() == 0
    page.goto("/me/")
    expect(page.get_by_test_id("review-card")).to_have_count(0)
    assert csp == []
