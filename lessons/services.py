"""Writes for lessons: completion, publishing, saving from the admin, loading shipped content."""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from lessons.models import Lesson, LessonCompletion, Topic
from lessons.signals import lesson_completed, lesson_materially_changed
from trainingsite.audit import audit_record
from trainingsite.content_cache import content_cache_clear
from trainingsite.models import AuditEvent

EMPTY_BODY_CANNOT_BE_PUBLISHED = "A lesson with an empty body cannot be published."
DRAFT_CANNOT_BE_COMPLETED = "A draft lesson cannot be marked as complete."


def lesson_body_is_empty(body_markdown: str) -> bool:
    return not body_markdown.strip()


class CompletionOutcome(StrEnum):
    """What marking a lesson as complete did, for the message the trainee sees."""

    COMPLETED = "completed"
    READ_AGAIN = "read_again"
    ALREADY_COMPLETE = "already_complete"


class CompletionResult(tuple):
    """Unpacks as (completion, created); `outcome` tells a re-read from a repeat click."""

    outcome: CompletionOutcome

    def __new__(cls, completion: LessonCompletion, outcome: CompletionOutcome):
        result = super().__new__(cls, (completion, outcome is CompletionOutcome.COMPLETED))
        result.outcome = outcome
        return result

    @property
    def completion(self) -> LessonCompletion:
        return self[0]

    @property
    def created(self) -> bool:
        return self[1]


def lesson_complete(*, user, lesson: Lesson, now: datetime | None = None) -> CompletionResult:
    """Record that the user completed (or re-read) the lesson; return (completion, created).

    Safe under a double click and two concurrent requests: the unique
    constraint decides, and the loser of the race reads the winner's row. A
    completion older than the lesson's `content_changed_at` moves to now (a
    re-read, which a renewal may need); the update is conditional, so a double
    click records one re-read.
    """
    if not lesson.is_published:
        raise ValidationError(DRAFT_CANNOT_BE_COMPLETED)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            completion = LessonCompletion.objects.create(user=user, lesson=lesson, completed_at=now)
            # A new completion may finish a certification program: issued with it.
            lesson_completed.send(sender=LessonCompletion, user=user, lesson=lesson, now=now)
    except IntegrityError:
        pass
    else:
        return CompletionResult(completion, CompletionOutcome.COMPLETED)
    outcome = CompletionOutcome.ALREADY_COMPLETE
    changed = lesson.content_changed_at
    if changed is not None:
        with transaction.atomic():
            moved = LessonCompletion.objects.filter(
                user=user, lesson=lesson, completed_at__lt=changed
            ).update(completed_at=now)
            if moved:
                outcome = CompletionOutcome.READ_AGAIN
                # The re-read may be the last step of a renewal.
                lesson_completed.send(sender=LessonCompletion, user=user, lesson=lesson, now=now)
    return CompletionResult(LessonCompletion.objects.get(user=user, lesson=lesson), outcome)


def _status_change_record(*, lesson: Lesson, by, previous_status: str | None, how: str) -> None:
    """Audit a lesson that became visible to trainees or stopped being visible."""
    if lesson.status == previous_status or (previous_status is None and not lesson.is_published):
        return
    published = lesson.is_published
    audit_record(
        actor=by,
        action=(
            AuditEvent.Action.CONTENT_PUBLISHED
            if published
            else AuditEvent.Action.CONTENT_UNPUBLISHED
        ),
        target=lesson,
        summary=f"{'Published' if published else 'Unpublished'} lesson “{lesson.title}”{how}",
        details={"slug": lesson.slug},
    )


def _lessons_with_empty_body(lesson_ids: list[int]) -> list[str]:
    rows = Lesson.objects.filter(pk__in=lesson_ids).values_list("title", "body_markdown")
    return sorted(title for title, body in rows if lesson_body_is_empty(body))


def _status_set(*, lessons: Iterable[Lesson], by, status: str) -> int:
    lesson_ids = [lesson.pk for lesson in lessons]
    changed = 0
    # Conditional updates: a lesson already in the wanted state is left alone
    # and records no event, on SQLite and PostgreSQL alike.
    for lesson in Lesson.objects.filter(pk__in=lesson_ids).exclude(status=status).order_by():
        updated = (
            Lesson.objects.filter(pk=lesson.pk)
            .exclude(status=status)
            .update(status=status, updated_by=by, updated_at=timezone.now())
        )
        if updated:
            content_cache_clear()  # a bulk update sends no signal
            changed += 1
            previous_status, lesson.status = lesson.status, status
            _status_change_record(lesson=lesson, by=by, previous_status=previous_status, how="")
    return changed


@transaction.atomic
def lesson_publish(*, lessons: Iterable[Lesson], by) -> int:
    """Publish the lessons; refuse all of them if any has an empty body. Return how many changed."""
    lessons = list(lessons)
    empty = _lessons_with_empty_body([lesson.pk for lesson in lessons])
    if empty:
        raise ValidationError(
            f"{EMPTY_BODY_CANNOT_BE_PUBLISHED} Write a body first for: {', '.join(empty)}."
        )
    return _status_set(
        lessons=lessons,
        by=by,
        status=Lesson.Status.PUBLISHED,
    )


@transaction.atomic
def lesson_unpublish(*, lessons: Iterable[Lesson], by) -> int:
    """Return the lessons to draft, hiding them from trainees. Return how many changed."""
    return _status_set(
        lessons=lessons,
        by=by,
        status=Lesson.Status.DRAFT,
    )


@transaction.atomic
def lesson_save(
    *,
    lesson: Lesson,
    by,
    reread_required: bool = False,
    change_summary: str = "",
    now: datetime | None = None,
) -> Lesson:
    """Save an edited lesson, noting who changed it, and audit a change of status.

    With reread_required (a material change), trainees who completed the lesson before
    now must read it again: a renewal then needs a completion after this change, and
    `lesson_materially_changed` asks certified trainees for an update (quizzes/updates/).
    """
    if lesson.is_published and lesson_body_is_empty(lesson.body_markdown):
        raise ValidationError(EMPTY_BODY_CANNOT_BE_PUBLISHED)
    previous_status = None
    if lesson.pk is not None:
        previous_status = (
            Lesson.objects.filter(pk=lesson.pk).values_list("status", flat=True).first()
        )
    lesson.updated_by = by
    if reread_required:
        lesson.content_changed_at = now or timezone.now()
    lesson.save()
    _status_change_record(lesson=lesson, by=by, previous_status=previous_status, how="")
    if reread_required:
        audit_record(
            actor=by,
            action=AuditEvent.Action.CONTENT_REREAD_REQUIRED,
            target=lesson,
            summary=f"Trainees must re-read lesson “{lesson.title}”",
            details={
                "slug": lesson.slug,
                "reread_required": True,
                "content_changed_at": lesson.content_changed_at.isoformat(),
            },
        )
        lesson_materially_changed.send(
            sender=Lesson,
            lesson=lesson,
            by=by,
            summary=change_summary.strip() or f"Lesson “{lesson.title}” changed",
            now=lesson.content_changed_at,
        )
    return lesson


# Loading shipped content ------------------------------------------------------------

TOPICS_FILE = "topics.json"
LESSONS_FILE = "lessons.json"


class ContentError(ValueError):
    """The shipped content cannot be loaded; the message names the file and the entry."""


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Existing objects that differ from the files and were left as an educator edited them.
    kept: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.kept} kept as edited"
        )


@dataclass
class LessonsLoadResult:
    topics: LoadCounts = field(default_factory=LoadCounts)
    lessons: LoadCounts = field(default_factory=LoadCounts)


TOPIC_KEYS = {"slug", "title"}
TOPIC_OPTIONAL_KEYS = {"description", "order"}
LESSON_KEYS = {"slug", "topic", "title", "summary", "body_file"}
LESSON_OPTIONAL_KEYS = {"objectives", "reading_minutes", "order", "status"}


def _read_json_list(path: Path) -> list[dict]:
    if not path.is_file():
        raise ContentError(f"{path}: file not found.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ContentError(f"{path}: not valid JSON ({error}).") from error
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ContentError(f"{path}: expected a list of objects.")
    return data


def _check_keys(entry: dict, *, required: set, optional: set, where: str) -> None:
    missing = required - entry.keys()
    if missing:
        raise ContentError(f"{where}: missing {', '.join(sorted(missing))}.")
    unknown = entry.keys() - required - optional
    if unknown:
        raise ContentError(f"{where}: unknown {', '.join(sorted(unknown))}.")


def _validate(obj, *, where: str, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
        raise ContentError(f"{where}: {problems}") from error


def _apply(obj, values: dict, *, overwrite: bool, counts: LoadCounts) -> bool:
    """Compare an existing object with the file; update it only when asked. Return True to save."""
    differs = any(getattr(obj, name) != value for name, value in values.items())
    if not differs:
        counts.unchanged += 1
        return False
    if not overwrite:
        counts.kept += 1
        return False
    for name, value in values.items():
        setattr(obj, name, value)
    counts.updated += 1
    return True


def _body_read(directory: Path, body_file, *, where: str) -> str:
    if not isinstance(body_file, str) or not body_file:
        raise ContentError(f"{where}: body_file must be a file name.")
    root = directory.resolve()
    path = (root / body_file).resolve()
    if not path.is_relative_to(root):
        raise ContentError(f"{where}: body_file {body_file!r} is outside {directory}.")
    if not path.is_file():
        raise ContentError(f"{where}: body file {body_file!r} not found.")
    return path.read_text(encoding="utf-8")


def _objectives_text(objectives, *, where: str) -> str:
    if objectives is None:
        return ""
    if isinstance(objectives, str):
        return objectives.strip()
    if isinstance(objectives, list) and all(isinstance(item, str) for item in objectives):
        return "\n".join(item.strip() for item in objectives if item.strip())
    raise ContentError(f"{where}: objectives must be a list of sentences.")


@transaction.atomic
def lessons_load(
    *, directory: Path, overwrite: bool = False, dry_run: bool = False
) -> LessonsLoadResult:
    """Load topics.json, lessons.json and the Markdown bodies they name, keyed on slugs.

    Running it twice creates nothing new. An existing topic or lesson is left as
    it is (an educator may have edited it) unless overwrite is True. With
    dry_run, the counts are computed and nothing is written.
    """
    directory = Path(directory)
    result = LessonsLoadResult()
    topic_entries = _read_json_list(directory / TOPICS_FILE)
    lesson_entries = _read_json_list(directory / LESSONS_FILE)

    topics_by_slug = {topic.slug: topic for topic in Topic.objects.all()}
    for index, entry in enumerate(topic_entries):
        where = f"{TOPICS_FILE} entry {index + 1} ({entry.get('slug', 'no slug')})"
        _check_keys(entry, required=TOPIC_KEYS, optional=TOPIC_OPTIONAL_KEYS, where=where)
        values = {
            "title": entry["title"],
            "description": entry.get("description", ""),
            "order": entry.get("order", index + 1),
        }
        topic = topics_by_slug.get(entry["slug"])
        if topic is None:
            topic = Topic(slug=entry["slug"], **values)
            _validate(topic, where=where)
            topic.save()
            topics_by_slug[topic.slug] = topic
            result.topics.created += 1
        elif _apply(topic, values, overwrite=overwrite, counts=result.topics):
            _validate(topic, where=where)
            topic.save()

    lessons_by_slug = {lesson.slug: lesson for lesson in Lesson.objects.select_related("topic")}
    for index, entry in enumerate(lesson_entries):
        where = f"{LESSONS_FILE} entry {index + 1} ({entry.get('slug', 'no slug')})"
        _check_keys(entry, required=LESSON_KEYS, optional=LESSON_OPTIONAL_KEYS, where=where)
        topic = topics_by_slug.get(entry["topic"])
        if topic is None:
            raise ContentError(f"{where}: unknown topic {entry['topic']!r}.")
        status = entry.get("status", Lesson.Status.PUBLISHED)
        body = _body_read(directory, entry["body_file"], where=where)
        if status == Lesson.Status.PUBLISHED and lesson_body_is_empty(body):
            raise ContentError(f"{where}: {EMPTY_BODY_CANNOT_BE_PUBLISHED}")
        values = {
            "topic": topic,
            "title": entry["title"],
            "summary": entry["summary"],
            "objectives": _objectives_text(entry.get("objectives"), where=where),
            "reading_minutes": entry.get("reading_minutes", 5),
            "order": entry.get("order", index + 1),
            "status": status,
            "body_markdown": body,
        }
        lesson = lessons_by_slug.get(entry["slug"])
        previous_status = lesson.status if lesson is not None else None
        if lesson is None:
            lesson = Lesson(slug=entry["slug"], **values)
            result.lessons.created += 1
        elif _apply(lesson, values, overwrite=overwrite, counts=result.lessons):
            lesson.updated_by = None  # the shipped content, not the last educator, wrote it
        else:
            continue
        _validate(lesson, where=where, exclude=["updated_by"])
        lesson.save()
        lessons_by_slug[lesson.slug] = lesson
        _status_change_record(
            lesson=lesson, by=None, previous_status=previous_status, how=" from shipped content"
        )

    if dry_run:
        transaction.set_rollback(True)
    return result
