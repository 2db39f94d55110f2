"""Printing a lesson or a certificate prints the content, not the site's chrome."""

import re

import pytest
from playwright.sync_api import expect

from quizzes.certification.services import certificate_issue_if_complete
from quizzes.models import Certificate
from tests.builders import TEST_PASSWORD, do_everything, make_program, make_trainee
from tests.builders.lessons import make_lesson
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LESSON_BODY = """Pinpoint bleeding is expected when the needles reach the capillaries.

See the [national guidance](https://example.org/guidance) and [the lessons](/lessons/).
"""


def _certified_trainee():
    trainee = make_trainee(username="tara", first_name="Tara", last_name="Trainee")
    lesson = make_lesson(slug="pinpoint", title="Pinpoint bleeding", body_markdown=LESSON_BODY)
    # Many requirements: the certificate's lists must still fit one sheet.
    program = make_program(lessons=12, quizzes=6)
    program.required_lessons.add(lesson)
    do_everything(trainee, program)
    certificate = certificate_issue_if_complete(user=trainee, program=program)
    return lesson, certificate or Certificate.objects.get(user=trainee, program=program)


def _pdf_pages(page) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", page.pdf(format="A4")))


def test_printing_a_lesson_or_a_certificate_hides_the_navbar_footer_and_buttons(page):
    lesson, certificate = _certified_trainee()
    log_in(page, "tara", TEST_PASSWORD)

    page.goto(f"/lessons/{lesson.slug}/")
    expect(page.locator(".site-navbar")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-navbar")).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    expect(page.get_by_test_id("lesson-completion")).to_be_hidden()
    expect(page.get_by_test_id("lesson-body")).to_be_visible()
    outside = page.get_by_role("link", name="national guidance")
    after = outside.evaluate("(el) => getComputedStyle(el, '::after').content")
    assert after == '" (" attr(href) ")"' or "https://example.org/guidance" in after, after
    inside = page.get_by_role("link", name="the lessons")
    assert inside.evaluate("(el) => getComputedStyle(el, '::after').content") == "none"
    colour = page.locator("body").evaluate("(el) => getComputedStyle(el).color")
    assert colour == "rgb(0, 0, 0)"

    page.emulate_media(media="screen")
    page.goto(f"/certificates/{certificate.display_code}/")
    expect(page.get_by_test_id("download")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-navbar")).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    expect(page.get_by_test_id("download")).to_be_hidden()
    expect(page.get_by_test_id("code")).to_be_visible()
    assert _pdf_pages(page) == 1
