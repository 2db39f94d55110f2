"""Markup of the lessons pages, and lesson and quiz addresses, from the selectors' data.

The lessons page's topics and lessons, the lesson page's heading, quiz list and
pager. Plain f-strings rather than template loops: nine template variables per
lesson were most of the lessons page's render time. Numbers are numbers; every
text (titles, summaries, descriptions, objectives, slugs) is escaped. An address
depends only on the URL name, the slug, the URL configuration and the script
prefix, so it is worked out once per process and forgotten when a test changes
one of those settings. The templates call these through
lessons/templatetags/lesson_markup.py.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import floatformat
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe

from lessons.selectors import LessonEntry, TopicEntry

DRAFT_BADGE = '<span class="badge text-bg-warning ms-1">Draft</span>'
REREAD_BADGE = (
    '<span class="badge text-bg-warning ms-1" data-testid="reread-badge">'
    "Changed — read again</span>"
)
COMPLETED_TICK = (
    '<span class="lesson-done" data-testid="completed-tick"><span aria-hidden="true">✓</span>'
    '<span class="visually-hidden">Completed</span></span>'
)
NOT_COMPLETED = '<span class="visually-hidden">Not completed yet</span>'
NO_LESSONS = "<p>No lessons are published yet.</p>"

# The settings that change what a URL is.
ADDRESS_SETTINGS = {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}


@lru_cache(maxsize=2048)
def _slug_url(name: str, slug: str | None, urlconf: str | None, prefix: str) -> str:
    kwargs = None if slug is None else {"slug": slug}
    return reverse(name, kwargs=kwargs, urlconf=urlconf)


@receiver(setting_changed)
def _forget_addresses(*, setting, **kwargs):
    if setting in ADDRESS_SETTINGS:
        _slug_url.cache_clear()


def slug_url(name: str, slug: str | None = None) -> str:
    """`reverse(name, kwargs={"slug": slug})` (no arguments without a slug), once per process."""
    return _slug_url(name, slug, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


def lesson_url(slug: str, name: str = "lessons:detail") -> str:
    """The address of a lesson's page (or of another lessons URL taking its slug)."""
    return slug_url(name, slug)


def lesson_item(item: LessonEntry) -> str:
    """One lesson of the lessons page: link, badges, summary, reading time, completion."""
    lesson = item.lesson
    slug = escape(lesson.slug)
    draft = "" if lesson.is_published else DRAFT_BADGE
    reread = REREAD_BADGE if item.needs_reread else ""
    state = COMPLETED_TICK if item.completed_at is not None else NOT_COMPLETED
    return (
        f'<li class="list-group-item d-flex gap-3 align-items-start" data-testid="lesson-{slug}">\n'
        f'          <div class="flex-grow-1">\n'
        f'            <a class="fw-semibold" href="{escape(lesson_url(lesson.slug))}">'
        f"{escape(lesson.title)}</a>\n"
        f"            {draft}\n"
        f"            {reread}\n"
        f'            <p class="mb-1">{escape(lesson.summary)}</p>\n'
        f'            <small class="text-muted">{int(lesson.reading_minutes)} min read</small>\n'
        f"          </div>\n"
        f"          {state}\n"
        f"        </li>"
    )


def lesson_topics(topics: list[TopicEntry]) -> SafeString:
    """The lessons page's topic sections, each with its numbered lessons."""
    if not topics:
        return mark_safe(NO_LESSONS)
    sections = []
    for entry in topics:
        topic = entry.topic
        slug = escape(topic.slug)
        description = (
            f'<p class="text-muted">{escape(topic.description)}</p>' if topic.description else ""
        )
        items = "\n        ".join(lesson_item(item) for item in entry.lessons)
        sections.append(
            f'<section class="lesson-topic mb-4" aria-labelledby="topic-{slug}">\n'
            f'    <h2 id="topic-{slug}" class="h4">{escape(topic.title)}</h2>\n'
            f"    {description}\n"
            f'    <ol class="list-group list-group-numbered lesson-list">\n'
            f"        {items}\n"
            f"    </ol>\n"
            f"  </section>"
        )
    return mark_safe("\n  ".join(sections))


def assessing_quiz_item(row) -> str:
    """One quiz that assesses the lesson: link, passed or in-progress badge, best score."""
    quiz = row.quiz
    if row.passed:
        badge = '<span class="badge text-bg-success">Passed</span>'
    elif row.in_progress:
        badge = '<span class="badge text-bg-warning">In progress</span>'
    else:
        badge = ""
    if row.best_percent is not None:
        score = f"· best score {escape(str(floatformat(row.best_percent, '-1')))}%"
    else:
        score = "· not attempted yet"
    return (
        f'<li class="mb-1" data-testid="assessing-quiz">\n'
        f'            <a href="{escape(slug_url("quizzes:detail", quiz.slug))}">'
        f"{escape(quiz.title)}</a>\n"
        f"            {badge}\n"
        f'            <span class="small text-body-secondary">{score}</span>\n'
        f"          </li>"
    )


def lesson_assessment(rows) -> SafeString:
    """The lesson page's "Check what you learned" section, or nothing without quizzes."""
    if not rows:
        return mark_safe("")
    items = "\n          ".join(assessing_quiz_item(row) for row in rows)
    return mark_safe(
        '<section class="lesson-assessment card card-body mb-4" aria-labelledby="assessment-title"'
        ' data-testid="lesson-assessment">\n'
        '      <h2 id="assessment-title" class="h5">Check what you learned</h2>\n'
        '      <ul class="list-unstyled mb-0">\n'
        f"          {items}\n"
        "      </ul>\n"
        "    </section>"
    )


def lesson_heading(lesson) -> SafeString:
    """The lesson page's breadcrumb, title, summary, reading time and objectives."""
    objectives = lesson.objective_list
    if objectives:
        items = "".join(f"<li>{escape(objective)}</li>" for objective in objectives)
        objectives_section = (
            '<section class="lesson-objectives card card-body mb-4"'
            ' aria-labelledby="objectives-title">\n'
            '      <h2 id="objectives-title" class="h5">By the end of this lesson you can</h2>\n'
            '      <ul class="mb-0">\n'
            f"        {items}\n"
            "      </ul>\n"
            "    </section>"
        )
    else:
        objectives_section = ""
    return mark_safe(
        '<nav aria-label="Breadcrumb">\n'
        '    <ol class="breadcrumb">\n'
        f'      <li class="breadcrumb-item"><a href="{escape(slug_url("lessons:index"))}">'
        "Lessons</a></li>\n"
        f'      <li class="breadcrumb-item">{escape(lesson.topic.title)}</li>\n'
        "    </ol>\n"
        "  </nav>\n\n"
        f'  <h1 id="lesson-title">{escape(lesson.title)}</h1>\n'
        f'  <p class="lead">{escape(lesson.summary)}</p>\n'
        f'  <p class="text-muted small">{int(lesson.reading_minutes)} min read</p>\n\n'
        f"  {objectives_section}"
    )


def lesson_pager(previous, following) -> SafeString:
    """The links to the previous and next lessons (an empty span keeps "next" on the right)."""
    if previous:
        before = (
            f'<a href="{escape(lesson_url(previous.slug))}" rel="prev">'
            f'<span aria-hidden="true">←</span> Previous: {escape(previous.title)}</a>'
        )
    else:
        before = "<span></span>"
    after = (
        f'<a href="{escape(lesson_url(following.slug))}" rel="next">Next: {escape(following.title)}'
        ' <span aria-hidden="true">→</span></a>'
        if following
        else ""
    )
    return mark_safe(
        '<nav class="lesson-pager d-flex justify-content-between border-top pt-3"'
        ' aria-label="Lesson navigation">\n'
        f"    {before}\n"
        f"    {after}\n"
        "  </nav>"
    )
