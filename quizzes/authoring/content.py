"""Load the shipped question bank and quizzes (fixtures/quizzes/), keyed on keys and slugs.

The format is described in fixtures/README.md. Loading is idempotent: running
it twice creates nothing new, and an existing question or quiz is left as an
educator may have edited it unless `overwrite` is set. Any error stops the load
with a message naming the file and entry, and nothing is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from lessons.models import Lesson, Topic
from quizzes.authoring.validation import (
    blueprint_length_problems,
    blueprint_pool_problems,
    pool_bank_problem,
    pool_written_problem,
    question_choice_problems,
    quiz_publish_problem,
    written_question_problems,
)
from quizzes.drawing import Candidate
from quizzes.models import Bank, Choice, Question, Quiz, QuizBlueprintRow, QuizQuestion
from trainingsite.plurals import Plural

QUESTIONS_FILE = "questions.json"
QUIZZES_FILE = "quizzes.json"
TRUE_FALSE_TEXTS = ["True", "False"]
TRUE_FALSE_ORDER = 'A true/false question lists its choices as "True" then "False".'
UNKNOWN_FIELDS = Plural("{where}: unknown field {fields}.", "{where}: unknown fields {fields}.")

QUESTION_KEYS = {"key", "topic", "kind", "prompt", "choices"}
QUESTION_OPTIONAL = {
    "lesson",
    "explanation",
    "points",
    "critical",
    "status",
    "variant_group",
    "bank",
    "model_answer",
    "marking_guide",
}
CHOICE_KEYS = {"text", "correct"}
CHOICE_OPTIONAL = {"feedback"}
QUIZ_KEYS = {"slug", "title", "questions"}
QUIZ_OPTIONAL = {
    "bank",
    "description",
    "topic",
    "lessons",
    "pass_mark",
    "max_attempts",
    "time_limit_minutes",
    "questions_per_attempt",
    "shuffle_questions",
    "shuffle_choices",
    "feedback_policy",
    "prerequisite_lessons",
    "retake_wait_minutes",
    "topic_minimum_percent",
    "min_critical_per_paper",
    "blueprint",
    "status",
    "order",
    "hand_marked",
    "blind_marking",
    "practice_behaviour",
    "practice_tries",
}
QUIZ_SCALARS = [
    "title",
    "bank",
    "description",
    "pass_mark",
    "max_attempts",
    "time_limit_minutes",
    "questions_per_attempt",
    "shuffle_questions",
    "shuffle_choices",
    "feedback_policy",
    "retake_wait_minutes",
    "topic_minimum_percent",
    "min_critical_per_paper",
    "status",
    "order",
    "hand_marked",
    "blind_marking",
    "practice_behaviour",
    "practice_tries",
]


class QuizContentError(ValueError):
    """The shipped quiz content is malformed; the message says where and why."""


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class QuizzesLoadResult:
    questions: Counts = field(default_factory=Counts)
    quizzes: Counts = field(default_factory=Counts)


def _read_list(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise QuizContentError(f"{path.name}: file not found in {path.parent}.") from None
    except json.JSONDecodeError as error:
        raise QuizContentError(f"{path.name}: not valid JSON ({error}).") from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise QuizContentError(f"{path.name}: expected a list of objects.")
    return data


def _check_keys(entry: dict, *, required: set, optional: set, where: str) -> None:
    missing = sorted(required - entry.keys())
    if missing:
        raise QuizContentError(f"{where}: missing {', '.join(missing)}.")
    unknown = sorted(entry.keys() - required - optional)
    if unknown:
        raise QuizContentError(
            UNKNOWN_FIELDS.format(where=where, fields=", ".join(unknown), count=len(unknown))
        )


def _full_clean(obj, *, where: str, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as error:
        details = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
        raise QuizContentError(f"{where}: {details}") from None


def _question_choices(entry: dict, *, where: str) -> list[dict[str, Any]]:
    choices = entry["choices"]
    if not isinstance(choices, list):
        raise QuizContentError(f"{where}: choices must be a list.")
    for number, choice in enumerate(choices, start=1):
        if not isinstance(choice, dict):
            raise QuizContentError(f"{where}, choice {number}: expected an object.")
        _check_keys(
            choice,
            required=CHOICE_KEYS,
            optional=CHOICE_OPTIONAL,
            where=f"{where}, choice {number}",
        )
    problems = question_choice_problems(
        kind=entry["kind"], correct_flags=[bool(c["correct"]) for c in choices]
    )
    if entry["kind"] == Question.Kind.TRUE_FALSE and [c["text"] for c in choices] != (
        TRUE_FALSE_TEXTS
    ):
        problems.append(TRUE_FALSE_ORDER)
    if problems:
        raise QuizContentError(f"{where}: {' '.join(problems)}")
    return [
        {"text": c["text"], "is_correct": bool(c["correct"]), "feedback": c.get("feedback", "")}
        for c in choices
    ]


def _choices_write(question: Question, wanted: list[dict[str, Any]]) -> None:
    """Make the question's choices match, updating in place so their ids survive."""
    existing = list(question.choices.order_by("order", "id"))
    for order, values in enumerate(wanted):
        if order < len(existing):
            choice = existing[order]
            for name, value in values.items():
                setattr(choice, name, value)
            choice.order = order
            choice.save()
        else:
            Choice.objects.create(question=question, order=order, **values)
    for surplus in existing[len(wanted) :]:
        surplus.delete()


def _choices_differ(question: Question, wanted: list[dict[str, Any]]) -> bool:
    current = [
        {"text": c.text, "is_correct": c.is_correct, "feedback": c.feedback}
        for c in question.choices.order_by("order", "id")
    ]
    return current != wanted


def _load_questions(entries: list[dict], *, overwrite: bool, counts: Counts) -> dict[str, Question]:
    topics = {t.slug: t for t in Topic.objects.all()}
    lessons = {lesson.slug: lesson for lesson in Lesson.objects.all()}
    questions = {q.key: q for q in Question.objects.all()}
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        where = f"{QUESTIONS_FILE} entry {index} ({entry.get('key', 'no key')})"
        _check_keys(entry, required=QUESTION_KEYS, optional=QUESTION_OPTIONAL, where=where)
        if entry["key"] in seen:
            raise QuizContentError(f"{where}: the key is used twice.")
        seen.add(entry["key"])
        if entry["kind"] not in Question.Kind.values:
            raise QuizContentError(
                f"{where}: unknown kind {entry['kind']!r} (use {', '.join(Question.Kind.values)})."
            )
        topic = topics.get(entry["topic"])
        if topic is None:
            raise QuizContentError(f"{where}: unknown topic {entry['topic']!r}.")
        lesson = None
        if entry.get("lesson"):
            lesson = lessons.get(entry["lesson"])
            if lesson is None:
                raise QuizContentError(f"{where}: unknown lesson {entry['lesson']!r}.")
        choices = _question_choices(entry, where=where)
        problems = written_question_problems(
            kind=entry["kind"], model_answer=entry.get("model_answer", "")
        )
        if problems:
            raise QuizContentError(f"{where}: {' '.join(problems)}")
        values = {
            "kind": entry["kind"],
            "prompt": entry["prompt"],
            "explanation": entry.get("explanation", ""),
            "points": entry.get("points", 1),
            "critical": bool(entry.get("critical", False)),
            "variant_group": entry.get("variant_group") or "",
            "bank": entry.get("bank", Bank.PRACTICE),
            "topic": topic,
            "lesson": lesson,
            "status": entry.get("status", Question.Status.ACTIVE),
            "model_answer": entry.get("model_answer", ""),
            "marking_guide": entry.get("marking_guide", ""),
        }
        question = questions.get(entry["key"])
        if question is None:
            question = Question(key=entry["key"], **values)
            _full_clean(question, where=where)
            question.save()
            _choices_write(question, choices)
            questions[question.key] = question
            counts.created += 1
            continue
        changed = any(getattr(question, name) != value for name, value in values.items())
        changed = changed or _choices_differ(question, choices)
        if not overwrite or not changed:
            counts.unchanged += 1
            continue
        for name, value in values.items():
            setattr(question, name, value)
        _full_clean(question, where=where)
        question.save()
        _choices_write(question, choices)
        counts.updated += 1
    return questions


def _slugs(entry: dict, name: str, known: dict, *, where: str, what: str) -> list:
    values = entry.get(name) or []
    if not isinstance(values, list):
        raise QuizContentError(f"{where}: {name} must be a list.")
    found = []
    for slug in values:
        if slug not in known:
            raise QuizContentError(f"{where}: unknown {what} {slug!r} in {name}.")
        found.append(known[slug])
    return found


def _load_quizzes(
    entries: list[dict], *, questions: dict[str, Question], overwrite: bool, counts: Counts
) -> None:
    topics = {t.slug: t for t in Topic.objects.all()}
    lessons = {lesson.slug: lesson for lesson in Lesson.objects.all()}
    quizzes = {q.slug: q for q in Quiz.objects.all()}
    for index, entry in enumerate(entries, start=1):
        where = f"{QUIZZES_FILE} entry {index} ({entry.get('slug', 'no slug')})"
        _check_keys(entry, required=QUIZ_KEYS, optional=QUIZ_OPTIONAL, where=where)
        topic = None
        if entry.get("topic"):
            topic = topics.get(entry["topic"])
            if topic is None:
                raise QuizContentError(f"{where}: unknown topic {entry['topic']!r}.")
        assessed = _slugs(entry, "lessons", lessons, where=where, what="lesson")
        prerequisites = _slugs(entry, "prerequisite_lessons", lessons, where=where, what="lesson")
        pool = _slugs(entry, "questions", questions, where=where, what="question")
        if len({q.key for q in pool}) != len(pool):
            raise QuizContentError(f"{where}: a question is listed twice.")
        defaults = Quiz()
        values = {name: entry.get(name, getattr(defaults, name)) for name in QUIZ_SCALARS}
        values["order"] = entry.get("order", index)
        values["topic"] = topic
        blueprint = _blueprint(entry, topics, where=where)
        _check_publishable(values, pool, blueprint, where=where)
        quiz = quizzes.get(entry["slug"])
        writes = quiz is None or (
            overwrite and _quiz_differs(quiz, values, assessed, prerequisites, pool, blueprint)
        )
        if writes:
            # Checked only when written: an educator's own bank choices are left alone.
            problem = pool_bank_problem(
                quiz_bank=values["bank"], questions=[(q.key, q.bank) for q in pool]
            ) or pool_written_problem(
                hand_marked=values["hand_marked"], questions=[(q.key, q.kind) for q in pool]
            )
            if problem:
                raise QuizContentError(f"{where}: {problem}")
        if quiz is None:
            quiz = Quiz(slug=entry["slug"], **values)
            _full_clean(quiz, where=where)
            quiz.save()
            counts.created += 1
        elif writes:
            for name, value in values.items():
                setattr(quiz, name, value)
            _full_clean(quiz, where=where)
            quiz.save()
            counts.updated += 1
        else:
            counts.unchanged += 1
            continue
        quiz.lessons.set(assessed)
        quiz.prerequisite_lessons.set(prerequisites)
        QuizQuestion.objects.filter(quiz=quiz).delete()
        QuizQuestion.objects.bulk_create(
            QuizQuestion(quiz=quiz, question=q, order=i) for i, q in enumerate(pool, start=1)
        )
        QuizBlueprintRow.objects.filter(quiz=quiz).delete()
        QuizBlueprintRow.objects.bulk_create(
            QuizBlueprintRow(quiz=quiz, topic=topic, count=n) for topic, n in blueprint
        )


def _blueprint(entry: dict, topics: dict, *, where: str) -> list[tuple[Topic, int]]:
    """The entry's blueprint, {"<topic slug>": count, ...}, as (topic, count) pairs."""
    rows = entry.get("blueprint") or {}
    if not isinstance(rows, dict):
        raise QuizContentError(f"{where}: blueprint must map topic slugs to counts.")
    found = []
    for slug, count in rows.items():
        if slug not in topics:
            raise QuizContentError(f"{where}: unknown topic {slug!r} in blueprint.")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise QuizContentError(f"{where}: blueprint count for {slug!r} must be at least 1.")
        found.append((topics[slug], count))
    return found


def _check_publishable(values: dict, pool: list[Question], blueprint, *, where: str) -> None:
    """Apply the publish rules (quizzes.authoring.validation) to the entry as written."""
    published = values["status"] == Quiz.Status.PUBLISHED
    active = [q for q in pool if q.status == Question.Status.ACTIVE]
    problem = quiz_publish_problem(
        published=published,
        questions_per_attempt=values["questions_per_attempt"],
        active=len(active),
    )
    counts = {topic.pk: count for topic, count in blueprint}
    min_critical = values["min_critical_per_paper"]
    problems = [problem] if problem else []
    problems += blueprint_length_problems(
        counts=counts,
        questions_per_attempt=values["questions_per_attempt"],
        min_critical=min_critical,
    )
    problems += blueprint_pool_problems(
        published=published,
        candidates=[Candidate(q.pk, q.topic_id, q.critical, q.variant_group) for q in active],
        counts=counts,
        min_critical=min_critical,
        topic_names={topic.pk: topic.title for topic, _ in blueprint},
    )
    if problems:
        raise QuizContentError(f"{where}: {' '.join(problems)}")


def _quiz_differs(quiz: Quiz, values: dict, assessed, prerequisites, pool, blueprint) -> bool:
    if any(getattr(quiz, name) != value for name, value in values.items()):
        return True
    if {lesson.pk for lesson in assessed} != set(quiz.lessons.values_list("pk", flat=True)):
        return True
    if {lesson.pk for lesson in prerequisites} != set(
        quiz.prerequisite_lessons.values_list("pk", flat=True)
    ):
        return True
    current = list(quiz.pool.order_by("order", "id").values_list("question_id", flat=True))
    if current != [q.pk for q in pool]:
        return True
    rows = dict(quiz.blueprint_rows.values_list("topic_id", "count"))
    return rows != {topic.pk: count for topic, count in blueprint}


def quizzes_load(
    *, directory: Path | str, overwrite: bool = False, dry_run: bool = False
) -> QuizzesLoadResult:
    """Load questions.json then quizzes.json from `directory`; see the module docstring."""
    directory = Path(directory)
    questions_entries = _read_list(directory / QUESTIONS_FILE)
    quiz_entries = _read_list(directory / QUIZZES_FILE)
    result = QuizzesLoadResult()
    with transaction.atomic():
        questions = _load_questions(questions_entries, overwrite=overwrite, counts=result.questions)
        _load_quizzes(quiz_entries, questions=questions, overwrite=overwrite, counts=result.quizzes)
        if dry_run:
            transaction.set_rollback(True)
    return result
