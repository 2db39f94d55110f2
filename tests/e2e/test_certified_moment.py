"""Browser: passing the last requirement celebrates it, links the certificate, and closes the final.

The trainee has read the program's lesson; the final assessment is the last requirement.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.models import Attempt, Certificate
from tests.builders import TEST_PASSWORD, assign, make_program, make_quiz, make_trainee
from tests.builders.lessons import complete_lesson
from tests.e2e.conftest import csp_console_messages, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRAM_NAME = "Foundation in bleeding"


@pytest.fixture
def last_requirement():
    trainee = make_trainee(username="tara", first_name="Tara", last_name="Trainee")
    program = make_program(slug="foundation", name=PROGRAM_NAME, lessons=1, quizzes=0)
    quiz = make_quiz(questions=3, slug="final")
    quiz.title = "Final assessment"
    quiz.save(update_fields=["title"])
    program.required_quizzes.set([quiz])
    due = timezone.localdate() + timedelta(days=60)
    assign(trainee, program, due_date=due)
    complete_lesson(trainee, program.required_lessons.get())
    return trainee, due


def _answer_correctly(page, trainee) -> None:
    attempt = Attempt.objects.get(user=trainee, state=Attempt.State.IN_PROGRESS)
    for question in attempt.paper["questions"]:
        for position, choice in enumerate(question["choices"]):
            if choice["is_correct"]:
                page.locator(f'input[name="q-{question["id"]}"][value="{position}"]').check()


def test_passing_the_last_requirement_celebrates_and_closes_the_final(page, last_requirement):
    trainee, due = last_requirement
    csp = csp_console_messages(page)
    log_in(page, "tara", TEST_PASSWORD)
    page.goto("/me/")
    card = page.get_by_test_id("program-foundation")
    expect(card).to_contain_text(f"Due {due:%-d %B %Y}")

    card.get_by_test_id("next-step").click()
    page.get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(re.compile(r"/quizzes/attempts/[0-9a-f-]{36}/$"))
    _answer_correctly(page, trainee)
    page.get_by_role("button", name="Submit answers").click()
    expect(page).to_have_url(re.compile(r"/result/$"))

    # The celebration, with the certificate and its PDF one click away.
    moment = page.get_by_test_id("certified-moment")
    expect(moment.get_by_role("heading", name=f"You are certified: {PROGRAM_NAME}")).to_be_visible()
    expect(moment.get_by_test_id("completed-here")).to_be_visible()
    certificate = Certificate.objects.get(user=trainee)
    expect(moment.get_by_test_id("certificate-pdf")).to_have_attribute(
        "href", f"/certificates/{certificate.display_code}/pdf/"
    )
    moment.get_by_test_id("certificate-link").click()
    expect(page).to_have_url(re.compile(re.escape(certificate.get_absolute_url()) + "$"))

    # The final offers no new attempt before renewal, and says why.
    page.goto("/quizzes/final/")
    expect(page.get_by_test_id("retake-hold")).to_contain_text("You passed this on")
    expect(page.get_by_test_id("retake-hold")).to_contain_text("to renew")
    expect(page.get_by_role("button", name="Start a new attempt")).to_have_count(0)

    # The dashboard: certified until, no due date.
    page.goto("/me/")
    card = page.get_by_test_id("program-foundation")
    expect(card).to_contain_text(f"Certified until {certificate.expires_at:%-d %B %Y}")
    expect(card).not_to_contain_text("Due ")
    assert csp == []
