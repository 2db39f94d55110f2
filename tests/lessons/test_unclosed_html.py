"""Raw HTML left open in a lesson never hides the rest of it, and the admin names the line.

Before the fix an unclosed <math> or <svg> (or <script>, <textarea>, a comment ...)
silently dropped everything after it: Python-Markdown turned the rest into one
raw block, and the sanitiser removed that block with the element's content.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lessons.markdown import (
    COMMENT,
    FOREIGN_ROOTS,
    RAW_TEXT_TAGS,
    UNCLOSED_COMMENT,
    UNCLOSED_TAG,
    UnclosedHtml,
    lesson_markdown_problems,
    render_lesson_markdown,
)
from lessons.models import Lesson
from tests.builders import make_lesson, make_topic

LESSON = "Before it.\n\n{html}\n\nThe next paragraph.\n\n## A heading after\n\nThe very end.\n"
# Besides the raw-text and foreign roots: elements the sanitiser drops with their content,
# and SVG/MathML element names, whose content it drops even outside <svg> or <math>.
HIDING_TAGS = RAW_TEXT_TAGS | FOREIGN_ROOTS | {"object", "template", "select", "applet", "table"}
OPENERS = sorted(f"<{tag}>" for tag in HIDING_TAGS | {"circle", "path", "mi", "mtext", "desc"}) + [
    "<!--",
    "<SVG>",
    '<svg viewBox="0 0 10 10"><circle r="4"/>',
    "<math><mi>x</mi>",
    "<div><svg>",
]


def _assert_whole(html: str) -> None:
    assert "<p>Before it.</p>" in html
    assert "The next paragraph." in html
    assert "A heading after" in html
    assert "The very end." in html


@pytest.mark.parametrize("opener", OPENERS)
def test_an_unclosed_tag_on_its_own_line_hides_nothing(opener):
    _assert_whole(render_lesson_markdown(LESSON.format(html=opener)))


@pytest.mark.parametrize("opener", OPENERS)
def test_an_unclosed_tag_inside_a_paragraph_hides_nothing(opener):
    html = render_lesson_markdown(LESSON.format(html=f"Some words {opener} and more words."))
    _assert_whole(html)
    assert "and more words." in html


def test_the_markdown_after_an_unclosed_block_tag_is_still_rendered():
    html = render_lesson_markdown("Intro\n\n<math>x\n\nMore **bold** text\n\n## Heading\n")
    assert "<strong>bold</strong>" in html
    assert "<h2>Heading</h2>" in html


def test_nothing_unsafe_comes_back_with_the_repaired_text():
    html = render_lesson_markdown(
        "A <svg onload=alert(1)> b\n\n<textarea><img src=x onerror=alert(2)>\n\n"
        "<noscript><script>alert(3)</script>\n\nend"
    )
    lowered = html.lower()
    assert "<script" not in lowered
    assert "onerror" not in lowered
    assert "onload" not in lowered
    assert "<svg" not in lowered
    assert "end" in html


def test_a_closed_element_is_still_removed_with_its_content():
    html = render_lesson_markdown("A <svg><text>hidden</text></svg> b\n\n<script>x()</script>\n\nc")
    assert "hidden" not in html
    assert "x()" not in html
    assert lesson_markdown_problems("A <svg><text>hidden</text></svg> b") == []


@pytest.mark.parametrize(
    "text",
    [
        "Write `<svg>` to start a drawing.\n\nNext.",
        "```\n<math>\n<!--\n```\n\nNext.",
        "    <script>\n\nNext.",
        "A self-closed <svg/> and <math/>.\n\nNext.",
        "<!-- a note for authors -->\n\nNext.",
    ],
)
def test_code_closed_and_self_closed_html_are_not_problems(text):
    assert lesson_markdown_problems(text) == []
    assert "Next." in render_lesson_markdown(text)


def test_each_problem_names_its_line_and_tag():
    text = (
        "Line one.\n\nLine three <svg> here.\r\n\r\n`<math>` in code\n\n<math>\n\n<!-- open\n\nend"
    )
    assert lesson_markdown_problems(text) == [
        UnclosedHtml(line=3, tag="svg"),
        UnclosedHtml(line=7, tag="math"),
        UnclosedHtml(line=9, tag=COMMENT),
    ]


def test_the_messages_are_plain_sentences():
    assert UnclosedHtml(line=3, tag="svg").message == UNCLOSED_TAG.format(line=3, tag="svg")
    assert UnclosedHtml(line=3, tag="svg").message == (
        "Line 3: <svg> is opened but never closed, so trainees would not see what follows it. "
        "Close it with </svg> or remove it."
    )
    assert UnclosedHtml(line=9, tag=COMMENT).message == UNCLOSED_COMMENT.format(line=9)


@pytest.mark.django_db
def test_a_lesson_with_an_unclosed_tag_does_not_validate():
    lesson = make_lesson("open-math")
    lesson.body_markdown = "Fine.\n\nStill fine.\n\n<math>x\n\nHidden before the fix."
    with pytest.raises(ValidationError) as raised:
        lesson.full_clean()
    assert raised.value.message_dict["body_markdown"] == [UNCLOSED_TAG.format(line=5, tag="math")]


@pytest.mark.django_db
def test_a_lesson_saved_anyway_shows_all_its_text():
    """The loader and services save without the admin's check; trainees still see it all."""
    lesson = make_lesson("saved-open-svg")
    lesson.body_markdown = "Start <svg> here.\n\nThe rest of the lesson."
    lesson.save()
    assert "The rest of the lesson." in Lesson.objects.get(pk=lesson.pk).body_html


@pytest.mark.django_db
def test_the_lesson_admin_refuses_an_unclosed_tag_naming_the_line(educator_client):
    topic = make_topic("admin-open")
    data = {
        "topic": topic.pk,
        "title": "Open tag",
        "slug": "open-tag",
        "summary": "s",
        "objectives": "o",
        "reading_minutes": 4,
        "order": 1,
        "status": Lesson.Status.DRAFT,
        "body_markdown": "First line.\n\n<svg><circle r='3'/>\n\nThe rest.",
    }
    response = educator_client.post(reverse("admin:lessons_lesson_add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["body_markdown"]
    assert errors == [UNCLOSED_TAG.format(line=3, tag="svg")]
    assert not Lesson.objects.filter(slug="open-tag").exists()

    data["body_markdown"] = "First line.\n\n<svg><circle r='3'/></svg>\n\nThe rest."
    response = educator_client.post(reverse("admin:lessons_lesson_add"), data)
    assert response.status_code == 302
    assert "The rest." in Lesson.objects.get(slug="open-tag").body_html
