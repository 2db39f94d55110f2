"""Browser: two tabs on one attempt merge and conflict loudly; a keyboard-only attempt;
times in the browser's zone, 24-hour, the zone named once."""

import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from quizzes.models import Attempt, AttemptAnswer
from tests.builders import TEST_PASSWORD, make_question, make_quiz, make_trainee
from tests.e2e.axe import NARROW, blocking_findings
from tests.e2e.conftest import BROWSER_TIMEOUT_MS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const style = getComputedStyle(el);
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== 'none';
  return el.matches(':focus-visible') && ring;
}"""


@pytest.fixture
def context_for(browser, live_server):
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def stored(attempt):
    return {
        row.question_id: sorted(row.selected)
        for row in AttemptAnswer.objects.filter(attempt=attempt)
    }


def choice_id(attempt, index, position):
    return attempt.paper["questions"][index]["choices"][position]["id"]


def test_two_tabs_merge_different_questions_and_conflict_loudly_on_the_same(context_for):
    make_trainee(username="tabs")
    make_quiz(3, slug="two-tabs")
    context = context_for()
    one = context.new_page()
    log_in(one, "tabs", TEST_PASSWORD)
    one.goto("/quizzes/two-tabs/")
    one.get_by_role("button", name="Start the quiz").click()
    expect(one).to_have_url(re.compile(r"/quizzes/attempts/[0-9a-f-]{36}/$"))
    two = context.new_page()
    two.goto(one.url)
    attempt = Attempt.objects.get(user__username="tabs")
    q1, q2, q3 = (one.locator("fieldset[data-question]").nth(i) for i in range(3))

    # Different questions in the two tabs: both kept, and tab two is shown tab one's answer.
    q1.locator("input").nth(0).check()
    expect(one.locator("#save-status")).to_contain_text("All answers saved")
    two.locator("fieldset[data-question]").nth(1).locator("input").nth(0).check()
    expect(two.locator("#save-status")).to_contain_text("All answers saved")
    expect(two.locator("fieldset[data-question]").nth(0).locator("input").nth(0)).to_be_checked()
    ids = [q["id"] for q in attempt.paper["questions"]]
    assert stored(attempt) == {
        ids[0]: [choice_id(attempt, 0, 0)],
        ids[1]: [choice_id(attempt, 1, 0)],
        ids[2]: [],
    }

    # The same question in both: tab one's answer stands, tab two says so loudly.
    q3.locator("input").nth(1).check()
    expect(one.locator("#save-status")).to_contain_text("All answers saved")
    two_q3 = two.locator("fieldset[data-question]").nth(2)
    two_q3.locator("input").nth(2).check()
    banner = two.get_by_role("alert").filter(has_text="changed in another tab")
    expect(banner).to_be_visible()
    expect(banner).to_be_focused()
    expect(banner).to_contain_text("Question 3 was changed in another tab")
    expect(two_q3.locator("input").nth(1)).to_be_checked()
    expect(two_q3.locator("input").nth(2)).not_to_be_checked()
    expect(two_q3).to_have_class(re.compile("quiz-question-conflict"))
    two.bring_to_front()
    banner.get_by_role("link", name="Question 3").click()
    expect(two_q3.locator("input").nth(1)).to_be_focused()
    assert stored(attempt)[ids[2]] == [choice_id(attempt, 2, 1)]
    assert stored(attempt)[ids[1]] == [choice_id(attempt, 1, 0)]

    # Tab two can answer it again: the next save holds.
    two_q3.locator("input").nth(2).check()
    expect(two.locator("#save-status")).to_contain_text("All answers saved")
    assert stored(attempt)[ids[2]] == [choice_id(attempt, 2, 2)]
    expect(two.locator("#answered-count")).to_have_text("3 of 3 answered")


def tab_to(page, matches: str, *, shift=False, limit=60):
    """Press Tab until the focused element matches the JS predicate; focus visible each step."""
    key = "Shift+Tab" if shift else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("() => document.activeElement !== document.body"):
            assert page.evaluate(FOCUS_VISIBLE), page.evaluate(
                "() => document.activeElement.outerHTML.slice(0, 200)"
            )
        if page.evaluate(f"() => {{ const el = document.activeElement; return {matches}; }}"):
            return
    raise AssertionError(f"{matches} never took the focus")


def test_keyboard_only_attempt_from_log_in_to_result(context_for):
    make_trainee(username="keys")
    make_quiz(3, slug="keyboard-quiz")
    page = context_for().new_page()
    page.goto("/accounts/login/")
    tab_to(page, "el.name === 'username'")
    page.keyboard.type("keys")
    tab_to(page, "el.name === 'password'")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile("/accounts/login/"))

    page.goto("/quizzes/keyboard-quiz/")
    tab_to(page, "el.textContent.trim() === 'Start the quiz'")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/quizzes/attempts/[0-9a-f-]{36}/$"))
    expect(page.locator("#answered-count")).to_have_text("0 of 3 answered")

    # Answer the first two questions: Tab reaches each radio group, Space picks.
    for number in (1, 2):
        tab_to(page, f"el.type === 'radio' && el.closest('fieldset').dataset.number === '{number}'")
        page.keyboard.press("Space")
        expect(page.locator("#answered-count")).to_have_text(f"{number} of 3 answered")

    # The question list jumps to Submit without tabbing through every question.
    page.keyboard.press("Shift+Tab")
    tab_to(page, "el.hasAttribute('data-jump-submit')", shift=True)
    page.keyboard.press("Enter")
    expect(page.locator("#submit-attempt")).to_be_focused()
    page.keyboard.press("Enter")

    # One unanswered: the dialog opens on "Keep answering"; Enter keeps answering.
    dialog = page.locator("dialog#confirm-submit")
    expect(dialog).to_be_visible()
    keep = dialog.get_by_role("button", name="Keep answering")
    expect(keep).to_be_focused()
    assert page.evaluate(FOCUS_VISIBLE)
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    assert Attempt.objects.get(user__username="keys").is_open is True

    # The dialog's question number is a link to that question.
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    tab_to(page, "el.getAttribute('aria-label') === 'Go to question 3'", shift=True)
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    third = page.locator("fieldset[data-number='3'] input").first
    expect(third).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#answered-count")).to_have_text("3 of 3 answered")

    tab_to(page, "el.id === 'submit-attempt'")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/result/$"))
    expect(page.get_by_test_id("outcome")).to_have_text(re.compile(r"Passed|Not passed"))
    attempt = Attempt.objects.get(user__username="keys")
    assert attempt.state == Attempt.State.SUBMITTED
    assert attempt.answers.exclude(selected=[]).count() == 3


def test_times_show_in_the_browsers_zone_24_hour_zone_named_once(context_for):
    make_trainee(username="clock")
    make_quiz(2, slug="timed-quiz", time_limit_minutes=30)
    page = context_for(timezone_id="Asia/Tokyo").new_page()
    log_in(page, "clock", TEST_PASSWORD)
    page.goto("/quizzes/timed-quiz/")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(re.compile(r"/quizzes/attempts/[0-9a-f-]{36}/$"))
    attempt = Attempt.objects.get(user__username="clock")
    tokyo = attempt.deadline.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%H:%M")
    expect(page.locator("#quiz-closes-at")).to_have_text(f"{tokyo} (Asia/Tokyo)")
    page.locator("fieldset[data-question] input").first.check()
    expect(page.locator("#save-status")).to_have_text(
        re.compile(r"^All answers saved at \d\d:\d\d\.$")
    )
    assert "Asia/Tokyo" not in page.locator("#save-status").inner_text()
    # Pages that list moments show them in the browser's zone too; the footer names it once.
    page.goto("/quizzes/timed-quiz/history/")
    started = attempt.started_at.astimezone(ZoneInfo("Asia/Tokyo"))
    expect(page.get_by_test_id("history-row").locator("time")).to_have_text(
        f"{started.day} {started:%B %Y}, {started:%H:%M}"
    )
    expect(page.get_by_test_id("time-zone")).to_have_text(
        "Times are shown in your time zone, Asia/Tokyo, 24-hour."
    )
    assert page.get_by_text("Asia/Tokyo").count() == 1


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, NARROW])
def test_attempt_page_with_conflict_and_dialog_has_no_serious_axe_findings(context_for, viewport):
    make_trainee(username="axe")
    questions = [make_question("axe-crit", critical=True), make_question("axe-multi", "multiple")]
    make_quiz(questions, slug="axe-quiz", time_limit_minutes=30)
    context = context_for(bypass_csp=True, viewport=viewport)
    one = context.new_page()
    log_in(one, "axe", TEST_PASSWORD)
    one.goto("/quizzes/axe-quiz/")
    one.get_by_role("button", name="Start the quiz").click()
    expect(one).to_have_url(re.compile(r"/quizzes/attempts/[0-9a-f-]{36}/$"))
    two = context.new_page()
    two.goto(one.url)
    assert blocking_findings(two) == []
    assert two.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    one.locator("fieldset[data-question]").first.locator("input").nth(0).check()
    expect(one.locator("#save-status")).to_contain_text("All answers saved")
    two.bring_to_front()
    two.locator("fieldset[data-question]").first.locator("input").nth(1).check()
    expect(two.get_by_role("alert").filter(has_text="changed in another tab")).to_be_visible()
    assert blocking_findings(two) == []
    assert two.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    two.get_by_role("button", name="Submit answers").click()
    expect(two.locator("dialog#confirm-submit")).to_be_visible()
    assert blocking_findings(two) == []
