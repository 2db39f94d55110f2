"""Import questions into a quiz's pool (preview, then confirm) and export a pool.

The preview reads a file and says, line by line, what would be created, what
duplicates a question already in the pool (same kind and normalised prompt) and
what is wrong; it writes nothing. Confirming runs the same preview again inside
one transaction and creates everything or nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from lessons.models import Lesson, Topic
from quizzes.authoring import formats
from quizzes.authoring.formats.common import (
    ParsedChoice,
    ParsedQuestion,
    duplicate_key,
)
from quizzes.models import Choice, Question, Quiz, QuizQuestion
from trainingsite.audit import audit_record
from trainingsite.content_cache import content_cache_clear
from trainingsite.models import AuditEvent
from trainingsite.plurals import Plural

CREATE = "create"
DUPLICATE = "duplicate"
ERROR = "error"

ERROR_NO_TOPIC = (
    "No topic: fill the topic column or choose a default topic for the import "
    "(this quiz has no topic of its own)."
)
ERROR_UNKNOWN_TOPIC = "Unknown topic “{slug}”."
ERROR_UNKNOWN_LESSON = "Unknown lesson “{slug}”."
ERROR_LESSON_TOPIC = "The lesson “{slug}” belongs to another topic than “{topic}”."
DUPLICATE_IN_POOL = "Already in this quiz as “{key}”; it will be skipped."
DUPLICATE_IN_FILE = "Same question as line {line}; it will be skipped."
IMPORT_HAS_ERRORS = "Nothing was imported: fix the lines with errors and upload the file again."
IMPORT_NOTHING_NEW = "Nothing was imported: every question in the file is already in this quiz."
IMPORTED_SUMMARY = Plural(
    "{count} question imported into {quiz}", "{count} questions imported into {quiz}"
)

KEY_MAX_LENGTH = Question._meta.get_field("key").max_length


@dataclass(frozen=True)
class PreviewRow:
    line: int
    status: str
    message: str = ""
    question: ParsedQuestion | None = None
    topic: Topic | None = None
    lesson: Lesson | None = None


@dataclass(frozen=True)
class ImportPreview:
    file_format: str
    rows: tuple[PreviewRow, ...]

    def _with(self, status: str) -> list[PreviewRow]:
        return [row for row in self.rows if row.status == status]

    @property
    def to_create(self) -> list[PreviewRow]:
        return self._with(CREATE)

    @property
    def duplicates(self) -> list[PreviewRow]:
        return self._with(DUPLICATE)

    @property
    def errors(self) -> list[PreviewRow]:
        return self._with(ERROR)

    @property
    def can_confirm(self) -> bool:
        return not self.errors and bool(self.to_create)


@dataclass(frozen=True)
class ImportOutcome:
    created: tuple[Question, ...]
    duplicates_skipped: int


class ImportRefused(Exception):
    """The import cannot be confirmed; the message says why and nothing was saved."""

    def __init__(self, message: str, preview: ImportPreview | None = None):
        super().__init__(message)
        self.message = message
        self.preview = preview


def question_import_preview(
    *, quiz: Quiz, text: str, file_format: str, default_topic: Topic | None = None
) -> ImportPreview:
    """Say what importing the text into the quiz's pool would do; write nothing."""
    parsed = formats.parse(text, file_format=file_format)
    rows = [PreviewRow(line=e.line, status=ERROR, message=e.message) for e in parsed.errors]

    topic_slugs = {q.topic for q in parsed.questions if q.topic}
    lesson_slugs = {q.lesson for q in parsed.questions if q.lesson}
    topics = {t.slug: t for t in Topic.objects.filter(slug__in=topic_slugs)}
    lessons = {
        lesson.slug: lesson
        for lesson in Lesson.objects.filter(slug__in=lesson_slugs).select_related("topic")
    }
    in_pool = {
        duplicate_key(kind, prompt): key
        for kind, prompt, key in Question.objects.filter(pool_entries__quiz=quiz).values_list(
            "kind", "prompt", "key"
        )
    }
    fallback_topic = default_topic or quiz.topic
    seen_in_file: dict[tuple[str, str], int] = {}

    for question in parsed.questions:
        problems: list[str] = []
        lesson = lessons.get(question.lesson) if question.lesson else None
        if question.lesson and lesson is None:
            problems.append(ERROR_UNKNOWN_LESSON.format(slug=question.lesson))
        if question.topic:
            topic = topics.get(question.topic)
            if topic is None:
                problems.append(ERROR_UNKNOWN_TOPIC.format(slug=question.topic))
        else:
            topic = lesson.topic if lesson is not None else fallback_topic
            if topic is None:
                problems.append(ERROR_NO_TOPIC)
        if topic is not None and lesson is not None and lesson.topic_id != topic.pk:
            problems.append(ERROR_LESSON_TOPIC.format(slug=lesson.slug, topic=topic.slug))
        if problems:
            rows.extend(
                PreviewRow(line=question.line, status=ERROR, message=m, question=question)
                for m in problems
            )
            continue
        key = duplicate_key(question.kind, question.prompt)
        if key in in_pool:
            status, message = DUPLICATE, DUPLICATE_IN_POOL.format(key=in_pool[key])
        elif key in seen_in_file:
            status, message = DUPLICATE, DUPLICATE_IN_FILE.format(line=seen_in_file[key])
        else:
            status, message = CREATE, ""
            seen_in_file[key] = question.line
        rows.append(
            PreviewRow(
                line=question.line,
                status=status,
                message=message,
                question=question,
                topic=topic,
                lesson=lesson,
            )
        )
    rows.sort(key=lambda row: row.line)
    return ImportPreview(file_format=file_format, rows=tuple(rows))


def _free_keys(bases: list[str]) -> list[str]:
    """Return one unused question key per base, adding -2, -3… where a key is taken."""
    taken = set(Question.objects.values_list("key", flat=True))
    keys = []
    for base in bases:
        base = base[: KEY_MAX_LENGTH - 6].strip("-") or "question"
        key, number = base, 2
        while key in taken:
            key, number = f"{base}-{number}", number + 1
        taken.add(key)
        keys.append(key)
    return keys


@transaction.atomic
def question_import_confirm(
    *,
    quiz: Quiz,
    text: str,
    file_format: str,
    actor,
    default_topic: Topic | None = None,
) -> ImportOutcome:
    """Create every new question of the file in the quiz's pool, or nothing at all.

    Raises ImportRefused (nothing saved) if any line has an error or nothing is new.
    """
    preview = question_import_preview(
        quiz=quiz, text=text, file_format=file_format, default_topic=default_topic
    )
    if preview.errors:
        raise ImportRefused(IMPORT_HAS_ERRORS, preview)
    if not preview.to_create:
        raise ImportRefused(IMPORT_NOTHING_NEW, preview)

    rows = preview.to_create
    next_number = quiz.pool.count() + 1
    bases = [
        slugify(row.question.title) or f"{quiz.slug}-{next_number + i}"
        for i, row in enumerate(rows)
    ]
    keys = _free_keys(bases)
    questions = Question.objects.bulk_create(
        Question(
            key=key,
            kind=row.question.kind,
            prompt=row.question.prompt,
            explanation=row.question.explanation,
            points=row.question.points,
            critical=row.question.critical,
            variant_group=row.question.variant_group,
            bank=quiz.bank,
            topic=row.topic,
            lesson=row.lesson,
        )
        for key, row in zip(keys, rows, strict=True)
    )
    Choice.objects.bulk_create(
        Choice(
            question=question,
            text=choice.text,
            is_correct=choice.correct,
            feedback=choice.feedback,
            order=order,
        )
        for question, row in zip(questions, rows, strict=True)
        for order, choice in enumerate(row.question.choices)
    )
    start = (quiz.pool.aggregate(last=Max("order"))["last"] or 0) + 1
    QuizQuestion.objects.bulk_create(
        QuizQuestion(quiz=quiz, question=question, order=start + i)
        for i, question in enumerate(questions)
    )
    content_cache_clear()  # bulk creates send no signal; the quiz draws from a larger pool now
    audit_record(
        actor=actor,
        action=AuditEvent.Action.QUESTIONS_IMPORTED,
        target=quiz,
        summary=IMPORTED_SUMMARY.format(count=len(questions), quiz=quiz.title),
        details={
            "quiz": quiz.slug,
            "format": file_format,
            "created": [q.key for q in questions],
            "duplicates_skipped": len(preview.duplicates),
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
        },
    )
    return ImportOutcome(created=tuple(questions), duplicates_skipped=len(preview.duplicates))


def quiz_pool_parsed(*, quiz: Quiz, include_retired: bool = False) -> list[ParsedQuestion]:
    """Return the quiz's pool, in order, as neutral parsed questions (for export)."""
    questions = (
        Question.objects.filter(pool_entries__quiz=quiz)
        .select_related("topic", "lesson")
        .prefetch_related("choices")
        .order_by("pool_entries__order", "pool_entries__id")
    )
    if not include_retired:
        questions = questions.active()
    return [
        ParsedQuestion(
            kind=question.kind,
            prompt=question.prompt,
            choices=tuple(
                ParsedChoice(c.text, c.is_correct, c.feedback) for c in question.choices.all()
            ),
            explanation=question.explanation,
            points=question.points,
            critical=question.critical,
            topic=question.topic.slug,
            lesson=question.lesson.slug if question.lesson else "",
            title=question.key,
            variant_group=question.variant_group,
        )
        for question in questions
    ]


def quiz_questions_export(*, quiz: Quiz, file_format: str) -> str:
    """Write the quiz's active questions in an export format (CSV template or GIFT)."""
    return formats.write(quiz_pool_parsed(quiz=quiz), file_format=file_format)
