"""Builders for topics, lessons and lesson completions.

A slug given means get-or-create that slug; no slug means a fresh, numbered one. `shared_topic`
is the topic questions, quizzes and bare lessons fall in when no topic is given, so they share it.
"""

from datetime import datetime
from itertools import count

from django.utils import timezone

from lessons.models import Lesson, LessonCompletion, Topic

_numbers = count(1)

BODY = """Pinpoint bleeding is expected when the needles reach the capillaries.

!!! key-points "Key points"
    - Pinpoint bleeding is expected.
"""


def make_topic(slug=None, *, title=None, order=None, **fields) -> Topic:
    n = next(_numbers)
    defaults = {
        "title": f"Topic {n}" if title is None else title,
        "order": n if order is None else order,
        **fields,
    }
    if slug is None:
        return Topic.objects.create(slug=f"topic-{n}", **defaults)
    topic, _ = Topic.objects.get_or_create(slug=slug, defaults=defaults)
    return topic


def shared_topic() -> Topic:
    return make_topic("managing-bleeding", title="Managing bleeding", order=1)


def make_lesson(slug=None, *, topic: Topic | None = None, **fields) -> Lesson:
    """A published lesson with a summary, objectives and a body (`BODY`), in a fresh topic."""
    n = next(_numbers)
    defaults = {
        "title": f"Lesson {n}",
        "summary": f"Summary of lesson {n}.",
        "objectives": "Explain why.\nDescribe what.",
        "body_markdown": BODY,
        "status": Lesson.Status.PUBLISHED,
        "order": n,
        **fields,
        "topic": topic or make_topic(),
    }
    if slug is None:
        return Lesson.objects.create(slug=f"lesson-{n}", **defaults)
    lesson, _ = Lesson.objects.get_or_create(slug=slug, defaults=defaults)
    return lesson


def make_bare_lesson(
    slug="pressure", *, topic: Topic | None = None, title="Applying pressure", status="published"
) -> Lesson:
    """A lesson with a title and a one-line summary only (get-or-create), in the shared topic."""
    lesson, _ = Lesson.objects.get_or_create(
        slug=slug,
        defaults={
            "topic": topic or shared_topic(),
            "title": title,
            "summary": "A lesson.",
            "status": status,
        },
    )
    return lesson


def make_topic_and_lesson() -> tuple[Topic, Lesson]:
    """A fresh topic holding one fresh bare lesson, numbered alike."""
    n = next(_numbers)
    topic = make_topic(f"topic-{n}", title=f"Topic {n}", order=n)
    return topic, make_bare_lesson(f"lesson-{n}", topic=topic, title=f"Lesson {n}")


def complete_lesson(user, lesson, at: datetime | None = None) -> LessonCompletion:
    completion, _ = LessonCompletion.objects.update_or_create(
        user=user, lesson=lesson, defaults={"completed_at": at or timezone.now()}
    )
    return completion


def lesson_admin_form(lesson: Lesson, **overrides) -> dict:
    """The lesson admin's change form as posted, with a changed body; keywords replace fields."""
    data = {
        "topic": lesson.topic_id,
        "title": lesson.title,
        "slug": lesson.slug,
        "summary": lesson.summary,
        "objectives": lesson.objectives,
        "reading_minutes": lesson.reading_minutes,
        "order": lesson.order,
        "status": lesson.status,
        "body_markdown": "Press firmly for five minutes, then check again.",
    }
    return {**data, **overrides}
