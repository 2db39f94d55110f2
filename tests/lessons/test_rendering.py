"""The lessons pages' markup from lessons/rendering.py, as the templates printed it before.

tests/lessons/data/ holds the template fragments it replaced, verbatim: the lessons
page's topic loop and the lesson page's heading, quiz list and pager. Every
combination of draft, re-read, completion and tricky text must print the same
markup, whitespace between tags aside. No database: these are plain data.
"""

import itertools
import re
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix

from lessons import rendering
from lessons.models import Lesson, Topic
from lessons.selectors import LessonCard, LessonEntry, TopicCard, TopicEntry
from quizzes.models import Quiz
from quizzes.selectors import AssessingQuiz

DATA = Path(__file__).parent / "data"

TEXTS = (
    "Plain text",
    "HTML <b>bold</b> & \"quotes\" 'single'",
    "Two\r\nlines\rand\nmore",
    "<script>alert(1)</script>\n",
    "  spaced  ",
    "Ünïcode — dash",
)
CHANGED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BEFORE = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
AFTER = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)


def _old(name: str, context: dict) -> str:
    return Template((DATA / name).read_text()).render(Context(context))


def _same(old: str, new: str) -> None:
    """Equal once runs of whitespace are one space (the template's lines vs f-strings)."""

    def squash(html: str) -> str:
        return re.sub(r"\s+", " ", html).strip()

    assert squash(new) == squash(old)


def _card(n: int, *, published: bool, changed: datetime | None) -> LessonCard:
    return LessonCard(
        pk=n,
        slug=f"lesson-{n}",
        title=TEXTS[n % len(TEXTS)],
        summary=TEXTS[(n + 1) % len(TEXTS)] if n % 4 else "",
        reading_minutes=n * 7,
        is_published=published,
        content_changed_at=changed,
    )


def _topics() -> list[TopicEntry]:
    """Topics with every combination of draft, change and completion among their lessons."""
    combos = list(itertools.product((True, False), (None, CHANGED), (None, BEFORE, AFTER)))
    entries = []
    for t in range(3):
        lessons = [
            LessonEntry(
                lesson=_card(t * 100 + n, published=published, changed=changed),
                completed_at=completed_at,
            )
            for n, (published, changed, completed_at) in enumerate(combos[t::2])
        ]
        topic = TopicCard(
            slug=f"topic-{t}",
            title=TEXTS[t],
            description="" if t == 1 else TEXTS[t + 2],
            lessons=tuple(entry.lesson for entry in lessons),
        )
        entries.append(TopicEntry(topic=topic, lessons=lessons))
    return entries


def _as_models(entries: list[TopicEntry]) -> list:
    """The same entries as the old loop read them: lessons with get_absolute_url."""

    def lesson(card: LessonCard):
        url = reverse("lessons:detail", kwargs={"slug": card.slug})
        return SimpleNamespace(**asdict(card), get_absolute_url=lambda: url)

    return [
        SimpleNamespace(
            topic=entry.topic,
            lessons=[
                SimpleNamespace(
                    lesson=lesson(item.lesson),
                    completed=item.completed,
                    needs_reread=item.needs_reread,
                )
                for item in entry.lessons
            ],
        )
        for entry in entries
    ]


def test_entries_cover_drafts_rereads_and_completions():
    items = [item for entry in _topics() for item in entry.lessons]
    assert {(i.lesson.is_published, i.needs_reread, i.completed) for i in items} >= {
        (True, True, True),
        (True, False, True),
        (False, False, False),
        (True, False, False),
    }


@pytest.mark.parametrize("count", [0, 1, 3])
def test_lesson_topics_print_what_the_loop_printed(count):
    entries = _topics()[:count]
    old = _old("index_topics_template.html", {"overview": {"topics": _as_models(entries)}})
    _same(old, rendering.lesson_topics(entries))


def test_lesson_topics_escape_every_text():
    html = rendering.lesson_topics(_topics())
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot; &#x27;single&#x27;" in html


def _lesson(objectives: str, *, title: str, topic: str) -> Lesson:
    return Lesson(
        topic=Topic(title=topic),
        title=title,
        slug="a-lesson",
        summary=TEXTS[1],
        objectives=objectives,
        reading_minutes=12,
    )


@pytest.mark.parametrize(
    "objectives",
    ["", "\n  \n", "- One\n* <b>Two</b> & more\n\tThree\r\n", "Only one line"],
)
@pytest.mark.parametrize("text", TEXTS)
def test_lesson_heading_prints_what_the_template_printed(objectives, text):
    lesson = _lesson(objectives, title=text, topic=TEXTS[3])
    _same(
        _old("detail_heading_template.html", {"lesson": lesson}), rendering.lesson_heading(lesson)
    )


def _quiz(n: int) -> Quiz:
    return Quiz(title=TEXTS[n % len(TEXTS)], slug=f"quiz-{n}")


PERCENTS = (None, 0.0, 55.0, 66.666667, 100.0, 12.5, 99.95)


@pytest.mark.parametrize("count", [0, 1, 4])
def test_lesson_assessment_prints_what_the_template_printed(count):
    rows = [
        AssessingQuiz(
            quiz=_quiz(n),
            best_percent=PERCENTS[n % len(PERCENTS)],
            passed=passed,
            in_progress=in_progress,
        )
        for n, (passed, in_progress) in zip(
            range(count * 7),
            itertools.cycle(itertools.product((True, False), (True, False))),
            strict=False,
        )
    ]
    old = _old("detail_assessment_template.html", {"assessing_quizzes": rows})
    _same(old, rendering.lesson_assessment(rows))


def test_lesson_assessment_without_quizzes_prints_nothing():
    assert rendering.lesson_assessment([]) == ""
    assert rendering.lesson_assessment("") == ""  # the admin preview has no quizzes


@pytest.mark.parametrize("has_previous", [True, False])
@pytest.mark.parametrize("has_next", [True, False])
def test_lesson_pager_prints_what_the_template_printed(has_previous, has_next):
    previous = Lesson(title=TEXTS[1], slug="before") if has_previous else None
    following = Lesson(title=TEXTS[3], slug="after") if has_next else None
    old = _old(
        "detail_pager_template.html", {"previous_lesson": previous, "next_lesson": following}
    )
    _same(old, rendering.lesson_pager(previous, following))


def test_lesson_url_follows_the_script_prefix():
    assert rendering.lesson_url("a-lesson") == reverse("lessons:detail", args=["a-lesson"])
    assert rendering.lesson_url("a-lesson", "lessons:complete") == reverse(
        "lessons:complete", args=["a-lesson"]
    )
    set_script_prefix("/training/")
    try:
        assert rendering.lesson_url("a-lesson") == "/training/lessons/a-lesson/"
    finally:
        set_script_prefix("/")
    assert rendering.lesson_url("a-lesson") == "/lessons/a-lesson/"
