"""Bad input, generated, for the educator's unsaved lesson preview: whatever the change page
posts (missing, duplicated, oversized, wrong-typed or strange fields), it answers 200 with
the preview or 400 with a message, never a 5xx, and never saves anything."""

from __future__ import annotations

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from lessons.forms import LESSON_PREVIEW_MAX_CHARS
from lessons.models import Lesson, LessonCompletion, Topic
from tests.hardening.test_bad_input import (
    NASTY,
    TEXT,
    counts,
    form,
    fuzz_settings,
    keep_cookies,
    or_valid,
    post_form,
    run_case,
    signed_in,
    values,
)
from trainingsite.models import AuditEvent

EDUCATOR_FUZZ = fuzz_settings(60)
MARKDOWN = st.one_of(
    TEXT,
    NASTY,
    st.sampled_from(
        [
            "# Title\n\nText",
            '!!! red-flag "Stop"\n    Bleeding.',
            "<svg><g>",
            "<!-- open",
            "<script>alert(1)</script>",
            "[x](javascript:alert(1))",
            "```\n<svg>\n```",
        ]
    ),
    st.just("x" * (LESSON_PREVIEW_MAX_CHARS + 1)),
)


def test_unsaved_lesson_preview(world):
    name = "unsaved lesson preview"
    client = signed_in(world.educator)
    restore = keep_cookies(client)
    url = reverse("admin:lessons_lesson_preview_unsaved")
    state = counts(Lesson, Topic, LessonCompletion, AuditEvent)
    saved = list(Lesson.objects.order_by("pk").values_list("title", "body_markdown", "body_html"))
    topic = str(world.lesson.topic_id)
    fields = {
        "topic": values(topic, "0", "-1", "abc"),
        "title": values("Edited"),
        "summary": values("Summary"),
        "objectives": values("One\nTwo"),
        "reading_minutes": values("4", "-3", "99999999"),
        "status": values("draft", "published", "archived"),
        "body_markdown": MARKDOWN,
    }
    valid = {
        "topic": st.just(topic),
        "title": st.just("Edited"),
        "body_markdown": MARKDOWN.filter(lambda text: len(text) <= LESSON_PREVIEW_MAX_CHARS),
    }

    @EDUCATOR_FUZZ
    @given(pairs=or_valid(valid, form(fields)))
    def case(pairs):
        restore()
        response = run_case(
            name, lambda: post_form(client, url, pairs), allowed={200, 400}, state=state
        )
        body = response.content.decode()
        assert "<script>alert(1)</script>" not in body.split('id="main"')[-1]
        assert "javascript:alert" not in body

    case()
    assert (
        list(Lesson.objects.order_by("pk").values_list("title", "body_markdown", "body_html"))
        == saved
    )
