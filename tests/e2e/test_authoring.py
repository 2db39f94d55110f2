"""The demo educator imports a hand-written GIFT file through the admin: preview, then confirm."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from quizzes.models import Quiz
from tests.builders import shared_topic
from tests.e2e.conftest import log_in
from trainingsite.demo import demo_accounts_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HAND_WRITTEN = """\
// Written by hand for the demo.
::expected::Which finding is expected at capillary depth? {
    =Pinpoint bleeding#Right: expected once the needles reach the capillaries.
    ~Bleeding that soaks gauze within a minute#That is excessive.
    ####Pinpoint bleeding is normal at that depth.
}

Firm, steady pressure is the first step for oozing. {T}
"""


def test_demo_educator_imports_a_hand_written_gift_file(page):
    demo_accounts_ensure()
    quiz = Quiz.objects.create(
        title="Imported bank", slug="imported-bank", topic=shared_topic(), status="draft"
    )
    log_in(page, "educator", settings.DEMO_PASSWORD)
    page.goto(f"/admin/quizzes/quiz/{quiz.pk}/change/")
    page.get_by_role("link", name="Import questions").click()

    page.get_by_label("File:").set_input_files(
        files=[{"name": "demo.gift", "mimeType": "text/plain", "buffer": HAND_WRITTEN.encode()}]
    )
    page.get_by_role("button", name="Preview the import").click()
    expect(page.locator("#count-create")).to_have_text("2 questions to create")
    expect(page.locator("#import-preview")).to_contain_text("Which finding is expected")
    assert quiz.pool.count() == 0

    page.get_by_role("button", name="Confirm: import 2 questions").click()
    expect(page.locator(".messagelist")).to_contain_text("2 questions imported")
    assert list(quiz.questions.values_list("kind", flat=True).order_by("pool_entries__order")) == [
        "single",
        "true_false",
    ]
