"""Authoring writes beyond import: retire, hold for review, duplicate a quiz with its questions."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from quizzes.models import AttemptAnswer, Choice, Question, Quiz, QuizBlueprintRow, QuizQuestion
from trainingsite.content_cache import content_cache_clear
from trainingsite.plurals import Plural

_RETIRE_INSTEAD = (
    "and their results and reviews need it. Retire it instead: it stays in past attempts and "
    "is no longer drawn into new ones."
)
QUESTION_DELETE_REFUSED = Plural(
    "“{key}” cannot be deleted: trainees have answered it in {count} attempt, " + _RETIRE_INSTEAD,
    "“{key}” cannot be deleted: trainees have answered it in {count} attempts, " + _RETIRE_INSTEAD,
)
QUESTIONS_RETIRED = Plural(
    "{count} question retired: it is no longer drawn into new attempts.",
    "{count} questions retired: they are no longer drawn into new attempts.",
)
QUESTIONS_MARKED_FOR_REVIEW = Plural(
    "{count} question marked as needing review: it is not drawn into new attempts until cleared.",
    "{count} questions marked as needing review: they are not drawn into new attempts "
    "until cleared.",
)
QUESTIONS_REVIEW_CLEARED = Plural(
    "{count} question cleared: it is drawn into new attempts again.",
    "{count} questions cleared: they are drawn into new attempts again.",
)
QUESTIONS_MOVED = Plural(
    "{count} question moved to the {bank} bank.", "{count} questions moved to the {bank} bank."
)
QUESTIONS_NOT_MOVED = (
    "{keys} stayed where {verb}: {pronoun} in the pool of a quiz of the other bank; take "
    "{them} out of that pool first."
)
QUIZ_DUPLICATED = Plural(
    "“{title}” was copied as “{copy}” (a draft) with {count} new question.",
    "“{title}” was copied as “{copy}” (a draft) with {count} new questions.",
)


class QuestionInUse(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def question_answer_count(*, question: Question) -> int:
    return AttemptAnswer.objects.filter(question=question).count()


def question_delete(*, question: Question) -> None:
    """Delete a question nobody has answered; refuse (QuestionInUse) otherwise.

    A question still in a quiz's pool is protected by the database as well
    (take it out of the pool first).
    """
    count = question_answer_count(question=question)
    if count:
        raise QuestionInUse(QUESTION_DELETE_REFUSED.format(key=question.key, count=count))
    question.delete()


def questions_retire(*, questions) -> int:
    """Retire the questions (kept for history, never drawn again); return how many changed."""
    changed = (
        Question.objects.filter(pk__in=[q.pk for q in questions])
        .exclude(status=Question.Status.RETIRED)
        .update(status=Question.Status.RETIRED)
    )
    content_cache_clear()  # a bulk update sends no signal; quizzes draw fewer questions now
    return changed


def questions_review_set(*, questions, needs_review: bool) -> int:
    """Mark the questions as needing review, or clear the mark; return how many changed.

    A question needing review is never drawn into a new attempt's paper;
    papers already drawn keep it, so attempts in progress and past results stand.
    """
    changed = (
        Question.objects.filter(pk__in=[q.pk for q in questions])
        .exclude(needs_review=needs_review)
        .update(needs_review=needs_review)
    )
    content_cache_clear()  # a bulk update sends no signal; the quiz's pool changes
    return changed


@transaction.atomic
def questions_bank_set(*, questions, bank: str) -> tuple[int, list[str]]:
    """Move the questions to `bank`; return how many moved and the keys that could not.

    A question in the pool of a quiz of the other bank stays (a pool holds its
    quiz's bank only, quizzes.authoring.validation); papers already drawn keep
    every question as it was.
    """
    wanted = Question.objects.filter(pk__in=[q.pk for q in questions]).exclude(bank=bank)
    blocked = sorted(
        set(
            wanted.filter(pool_entries__quiz__in=Quiz.objects.exclude(bank=bank)).values_list(
                "key", flat=True
            )
        )
    )
    moved = wanted.exclude(key__in=blocked).update(bank=bank)
    content_cache_clear()  # a bulk update sends no signal; pools may draw differently
    return moved, blocked


def _free(model, field: str, base: str, max_length: int) -> str:
    base = base[: max_length - 4].strip("-")
    taken = set(
        model.objects.filter(**{f"{field}__startswith": base}).values_list(field, flat=True)
    )
    value, number = base, 2
    while value in taken:
        value, number = f"{base}-{number}", number + 1
    return value


@transaction.atomic
def quiz_duplicate(*, quiz: Quiz) -> Quiz:
    """Copy a quiz as a draft, with a fresh copy of each question in its pool.

    The copies are new questions (with new keys), so editing them never changes
    the original quiz or its attempts. Settings, blueprint, lessons and prerequisites are kept.
    """
    slug_length = Quiz._meta.get_field("slug").max_length
    key_length = Question._meta.get_field("key").max_length
    copy = Quiz.objects.get(pk=quiz.pk)
    copy.pk = None
    copy.id = None
    copy._state.adding = True
    copy.slug = _free(Quiz, "slug", f"{quiz.slug}-copy", slug_length)
    copy.title = f"{quiz.title} (copy)"[: Quiz._meta.get_field("title").max_length]
    copy.status = Quiz.Status.DRAFT
    copy.save()
    copy.lessons.set(quiz.lessons.all())
    copy.prerequisite_lessons.set(quiz.prerequisite_lessons.all())
    QuizBlueprintRow.objects.bulk_create(
        QuizBlueprintRow(quiz=copy, topic_id=row.topic_id, count=row.count)
        for row in quiz.blueprint_rows.all()
    )

    entries = list(
        QuizQuestion.objects.filter(quiz=quiz)
        .select_related("question")
        .prefetch_related("question__choices")
        .order_by("order", "id")
    )
    taken = set(Question.objects.values_list("key", flat=True))
    new_questions = []
    for entry in entries:
        original = entry.question
        base = slugify(f"{original.key}-{copy.slug}")[: key_length - 4].strip("-")
        key, number = base, 2
        while key in taken:
            key, number = f"{base}-{number}", number + 1
        taken.add(key)
        new_questions.append(
            Question(
                key=key,
                kind=original.kind,
                prompt=original.prompt,
                explanation=original.explanation,
                points=original.points,
                critical=original.critical,
                variant_group=original.variant_group,
                topic_id=original.topic_id,
                lesson_id=original.lesson_id,
                status=original.status,
                image=original.image.name,
                image_original_name=original.image_original_name,
                image_alt=original.image_alt,
            )
        )
    created = Question.objects.bulk_create(new_questions)
    Choice.objects.bulk_create(
        Choice(
            question=new,
            text=choice.text,
            is_correct=choice.is_correct,
            feedback=choice.feedback,
            order=choice.order,
            image=choice.image.name,
            image_original_name=choice.image_original_name,
            image_alt=choice.image_alt,
        )
        for entry, new in zip(entries, created, strict=True)
        for choice in entry.question.choices.all()
    )
    QuizQuestion.objects.bulk_create(
        QuizQuestion(quiz=copy, question=new, order=entry.order)
        for entry, new in zip(entries, created, strict=True)
    )
    return copy
