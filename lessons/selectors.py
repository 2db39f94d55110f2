"""Reads for lessons: the overview page, one lesson for a user, its neighbours."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch
from django.http import Http404

from lessons.models import Lesson, LessonCompletion, Topic
from lessons.progress import completion_needs_reread, completion_percent
from trainingsite.content_cache import content_cached
from trainingsite.roles import user_is_educator

LESSON_NOT_FOUND = "No lesson found here."


@dataclass(frozen=True)
class LessonEntry:
    lesson: Lesson
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
    topic: Topic
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
    return dict(LessonCompletion.objects.filter(user=user).values_list("lesson_id", "completed_at"))


def lessons_overview(*, user) -> LessonsOverview:
    """Topics in order with the lessons the user may see and which are completed.

    Three queries whatever the number of topics and lessons. Progress counts
    published lessons only: drafts an educator can see are not part of training.
    A lesson changed since the user completed it still counts as completed here
    (its entry says it needs a re-read); renewals ask for the re-read.
    """
    visible = Lesson.objects.visible_to(user).order_by("order", "id")
    topics = Topic.objects.order_by("order", "id").prefetch_related(
        Prefetch("lessons", queryset=visible, to_attr="visible_lessons")
    )
    completed = lesson_completions_by_lesson(user=user)
    entries = []
    done = total = 0
    for topic in topics:
        if not topic.visible_lessons:
            continue
        lessons = []
        for lesson in topic.visible_lessons:
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


def lesson_completion_get(*, user, lesson: Lesson) -> LessonCompletion | None:
    return LessonCompletion.objects.filter(user=user, lesson=lesson).first()


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
