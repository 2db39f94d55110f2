"""Small builders for lesson data."""

from itertools import count

from django.utils import timezone

from lessons.models import Lesson, LessonCompletion, Topic

_numbers = count(1)

BODY = """Pinpoint bleeding is expected when the needles reach the capillaries.

!!! key-points "Key points"
    - Pinpoint bleeding is expected.
"""


def make_topic(**fields) -> Topic:
    n = next(_numbers)
    fields.setdefault("title", f"Topic {n}")
    fields.setdefault("slug", f"topic-{n}")
    fields.setdefault("order", n)
    return Topic.objects.create(**fields)


def make_lesson(*, topic: Topic | None = None, **fields) -> Lesson:
    n = next(_numbers)
    fields.setdefault("title", f"Lesson {n}")
    fields.setdefault("slug", f"lesson-{n}")
    fields.setdefault("summary", f"Summary of lesson {n}.")
    fields.setdefault("objectives", "Explain why.\nDescribe what.")
    fields.setdefault("body_markdown", BODY)
    fields.setdefault("status", Lesson.Status.PUBLISHED)
    fields.setdefault("order", n)
    return Lesson.objects.create(topic=topic or make_topic(), **fields)


def make_completion(*, user, lesson: Lesson) -> LessonCompletion:
    return LessonCompletion.objects.create(user=user, lesson=lesson, completed_at=timezone.now())
