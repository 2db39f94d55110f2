"""Reads for lessons: the overview page, one lesson for a user, its neighbours."""

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import itemgetter

from django.http import Http404

from lessons.models import Lesson, LessonCompletion
from lessons.progress import completion_needs_reread, completion_percent
from trainingsite.content_cache import content_cached
from trainingsite.roles import user_is_educator

LESSON_NOT_FOUND = "No lesson found here."


@dataclass(frozen=True)
class LessonCard:
    """What the lessons page shows of a lesson: the same for every user who may see it."""

    pk: int
    slug: str
    title: str
    summary: str
    reading_minutes: int
    is_published: bool
    content_changed_at: datetime | None


@dataclass(frozen=True)
class TopicCard:
    slug: str
    title: str
    description: str
    lessons: tuple[LessonCard, ...]


@dataclass(frozen=True)
class LessonEntry:
    lesson: LessonCard
    completed_at: datetime | None

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    @property
    def needs_reread(self) -> bool:
        return completion_needs_reread(
            completed_at=self.completed_at, content_changed_at=self.lesson.content_changed_at
        )


@dataclass(frozen=True)
class TopicEntry:
    topic: TopicCard
    lessons: list[LessonEntry]


@dataclass(frozen=True)
class LessonsOverview:
    topics: list[TopicEntry]
    done: int
    total: int

    @property
    def percent(self) -> int:
        return completion_percent(done=self.done, total=self.total)


def lesson_completions_by_lesson(*, user) -> dict[int, datetime]:
    """Return {lesson id: completed at} for the user, in one query."""
    return dict(
        LessonCompletion.objects.filter(user_id=user.pk).values_list("lesson_id", "completed_at")
    )


def _topic_cards(user) -> list[TopicCard]:
    """Topics in order with the lessons the user may see, in one query; empty topics left out."""
    rows = (
        Lesson.objects.visible_to(user)
        .order_by("topic__order", "topic_id", "order", "id")
        .values_list(
            "topic_id",
            "topic__slug",
            "topic__title",
            "topic__description",
            "pk",
            "slug",
            "title",
            "summary",
            "reading_minutes",
            "status",
            "content_changed_at",
        )
    )
    published = Lesson.Status.PUBLISHED
    return [
        TopicCard(
            slug=slug,
            title=title,
            description=description,
            lessons=tuple(
                LessonCard(
                    pk=pk,
                    slug=lesson_slug,
                    title=lesson_title,
                    summary=summary,
                    reading_minutes=minutes,
                    is_published=status == published,
                    content_changed_at=changed_at,
                )
                for *_, pk, lesson_slug, lesson_title, summary, minutes, status, changed_at in group
            ),
        )
        for (_, slug, title, description), group in groupby(rows, key=itemgetter(0, 1, 2, 3))
    ]


def lessons_overview(*, user) -> LessonsOverview:
    """Topics in order with the lessons the user may see and which are completed.

    Two queries whatever the number of topics and lessons: the topics and lessons
    (from the content cache for trainees) and the user's completions. Progress
    counts published lessons only: drafts an educator can see are not part of
    training. A lesson changed since the user completed it still counts as
    completed here (its entry says it needs a re-read); renewals ask for the re-read.
    """
    topics = _read_published(user, "lessons-overview", lambda: _topic_cards(user))
    completed = lesson_completions_by_lesson(user=user)
    entries = []
    done = total = 0
    for topic in topics:
        lessons = []
        for lesson in topic.lessons:
            completed_at = completed.get(lesson.pk)
            lessons.append(LessonEntry(lesson=lesson, completed_at=completed_at))
            if lesson.is_published:
                total += 1
                done += completed_at is not None
        entries.append(TopicEntry(topic=topic, lessons=lessons))
    return LessonsOverview(topics=entries, done=done, total=total)


def _read_published(user, key: str, load):
    """Trainees' reads come from the content cache; educators see drafts, so theirs never do."""
    return load() if user_is_educator(user) else content_cached(key, load)


def lesson_get_for_user(*, user, slug: str) -> Lesson:
    """Return the lesson the user may open, or raise 404 (drafts are 404 for trainees)."""

    def load() -> Lesson | None:
        lessons = Lesson.objects.visible_to(user).select_related("topic", "updated_by")
        return lessons.filter(slug=slug).first()

    lesson = _read_published(user, f"lesson:{slug}", load)
    if lesson is None:
        raise Http404(LESSON_NOT_FOUND)
    return lesson


# The lesson page's one read of the user's own data. Building this query with the
# ORM cost three times what running it does, on every lesson page; raw() still maps the
# row through the model's fields (time zones, each database's types).
COMPLETED_AT_SQL = (
    f"SELECT id, completed_at FROM {LessonCompletion._meta.db_table}"
    " WHERE user_id = %s AND lesson_id = %s"
)


def lesson_completed_at(*, user, lesson: Lesson) -> datetime | None:
    """When the user completed the lesson (or last read it again), or None."""
    # At most one row (one_completion_per_user_lesson).
    rows = LessonCompletion.objects.raw(COMPLETED_AT_SQL, [user.pk, lesson.pk])
    return next((row.completed_at for row in rows), None)


def lesson_neighbours(*, user, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """Return the previous and next lessons the user may see, across topics in order."""

    def load() -> list[Lesson]:
        return list(
            Lesson.objects.visible_to(user)
            .order_by("topic__order", "topic_id", "order", "id")
            .only("pk", "slug", "title", "status")
        )

    sequence = _read_published(user, "lesson-sequence", load)
    ids = [item.pk for item in sequence]
    if lesson.pk not in ids:
        return None, None
    position = ids.index(lesson.pk)
    previous = sequence[position - 1] if position > 0 else None
    following = sequence[position + 1] if position + 1 < len(sequence) else None
    return previous, following
