"""Reads for authoring: the question bank as plain items for the item-quality check."""

from __future__ import annotations

from django.db.models import Prefetch

from quizzes.authoring.quality import Item, ItemChoice, QualityReport, quality_check
from quizzes.models import Choice, Question, Quiz


def quality_items(*, quiz: Quiz | None = None) -> list[Item]:
    """The active questions of `quiz`'s pool, or of the whole bank, in two queries."""
    questions = Question.objects.active().order_by("key")
    if quiz is not None:
        questions = questions.filter(pool_entries__quiz=quiz)
    questions = questions.only("key", "kind", "prompt", "explanation", "variant_group")
    choices = Choice.objects.order_by("order", "id").only(
        "question_id", "text", "is_correct", "feedback"
    )
    return [
        Item(
            key=question.key,
            kind=question.kind,
            prompt=question.prompt,
            explanation=question.explanation,
            variant_group=question.variant_group,
            choices=tuple(
                ItemChoice(text=c.text, correct=c.is_correct, feedback=c.feedback)
                for c in question.choices.all()
            ),
        )
        for question in questions.prefetch_related(Prefetch("choices", queryset=choices))
    ]


def quality_report(*, quiz: Quiz | None = None) -> QualityReport:
    """The item-quality check over `quiz`'s pool, or over the whole bank."""
    return quality_check(quality_items(quiz=quiz))
