"""Drawing and freezing papers: the quiz's drawable pool, its blueprint, the frozen questions.

A paper is frozen when it is drawn: later edits to the bank never change it.
The choice of questions is quizzes.drawing's (pure); this module feeds it the
pool from the content cache and freezes what it returns.
"""

from __future__ import annotations

import random
from typing import Any

from quizzes.drawing import Candidate, draw_blueprint, draw_plain
from quizzes.models import Question, Quiz, QuizBlueprintRow
from quizzes.question_images import paper_image_fields
from trainingsite.content_cache import content_cached

PAPER_VERSION = 1


class PaperUnfillable(Exception):
    """The pool cannot fill the quiz's blueprint (it changed since publishing)."""


def paper_question(question: Question) -> dict:
    """A question as a paper freezes it, with its choices in the authored order."""
    choices = [
        {
            "id": c.id,
            "text": c.text,
            "is_correct": c.is_correct,
            "feedback": c.feedback,
            **paper_image_fields(c),
        }
        for c in question.choices.all()
    ]
    lesson = question.lesson
    written = {}
    if question.kind == Question.Kind.WRITTEN:
        # Frozen for the marker; the trainee's pages never read these keys.
        written = {"model_answer": question.model_answer, "marking_guide": question.marking_guide}
    return {
        "id": question.id,
        "key": question.key,
        "kind": question.kind,
        "prompt": question.prompt,
        "explanation": question.explanation,
        "points": question.points,
        "critical": question.critical,
        "variant_group": question.variant_group,
        "topic_id": question.topic_id,
        "topic_title": question.topic.title,
        "lesson_id": lesson.id if lesson else None,
        "lesson_title": lesson.title if lesson else "",
        "lesson_slug": lesson.slug if lesson else "",
        "choices": choices,
        **written,
        **paper_image_fields(question),
    }


def paper_frame(quiz: Quiz) -> dict[str, Any]:
    return {
        "version": PAPER_VERSION,
        "quiz_title": quiz.title,
        "feedback_policy": quiz.feedback_policy,
        "rules": {
            "pass_mark": quiz.pass_mark,
            "topic_minimum_percent": quiz.topic_minimum_percent,
        },
    }


def quiz_pool(quiz: Quiz) -> list[dict[str, Any]]:
    """The quiz's drawable questions in pool order, as paper entries (from the content cache).

    Retired questions, those held for review and any of the other bank (the
    admin refuses them; this is the last guard) are left out; papers already
    drawn keep them.
    """
    return content_cached(
        f"quiz-pool:{quiz.pk}",
        lambda: [
            paper_question(question)
            for question in Question.objects.drawable()
            .filter(pool_entries__quiz=quiz, bank=quiz.bank)
            .select_related("topic", "lesson")
            .prefetch_related("choices")
            .order_by("pool_entries__order", "pool_entries__id")
        ],
    )


def quiz_blueprint(quiz: Quiz) -> dict[int, int]:
    """The quiz's blueprint as topic id -> questions per paper (empty: no blueprint)."""
    return content_cached(
        f"quiz-blueprint:{quiz.pk}",
        lambda: dict(QuizBlueprintRow.objects.filter(quiz=quiz).values_list("topic_id", "count")),
    )


def _candidates(pool: list[dict[str, Any]]) -> list[Candidate]:
    return [
        Candidate(q["id"], q["topic_id"], q["critical"], q.get("variant_group", "")) for q in pool
    ]


def quiz_paper_build(*, quiz: Quiz, rng: random.Random | None = None) -> dict[str, Any]:
    """Draw and freeze a paper: the questions in order, with their choices and answer key.

    By the quiz's blueprint if it has one, else `questions_per_attempt` at random;
    never two questions of one variant group (quizzes.drawing). Raises
    PaperUnfillable when the pool, changed since publishing, cannot fill the blueprint.
    """
    rng = rng or random.SystemRandom()
    pool = list(quiz_pool(quiz))
    counts = quiz_blueprint(quiz)
    if counts:
        drawn = draw_blueprint(
            _candidates(pool), counts=counts, min_critical=quiz.min_critical_per_paper, rng=rng
        )
        if drawn is None:
            raise PaperUnfillable
    else:
        drawn = draw_plain(_candidates(pool), count=quiz.questions_per_attempt, rng=rng)
    chosen = set(drawn)
    pool = [q for q in pool if q["id"] in chosen]
    if quiz.shuffle_questions:
        rng.shuffle(pool)
    questions = []
    for entry in pool:
        choices = list(entry["choices"])
        if quiz.shuffle_choices and entry["kind"] != Question.Kind.TRUE_FALSE:
            rng.shuffle(choices)
        questions.append({**entry, "choices": choices})
    paper = paper_frame(quiz)
    paper["questions"] = questions
    return paper
