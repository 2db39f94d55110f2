"""Builders for spaced review: a practice point with variants, an exam that shares it, cards due."""

from datetime import timedelta

import pytest
from django.utils import timezone

from quizzes import services as engine
from quizzes.models import Bank
from quizzes.spaced_review.services import PointMet, review_cards_record
from tests.builders import make_question, make_quiz, wrong_ids
from tests.builders.practice import make_immediate_quiz


def point_met(question, *, correct=True) -> PointMet:
    return PointMet(
        point=f"group:{question.variant_group}"
        if question.variant_group
        else f"question:{question.pk}",
        question_id=question.pk,
        topic_id=question.topic_id,
        critical=question.critical,
        correct=correct,
    )


def cards_due(user, questions, *, days_ago=6):
    """Cards for `questions`, practised right `days_ago` days ago: due since (2-day interval)."""
    return review_cards_record(
        user_id=user.pk,
        met=[point_met(q) for q in questions],
        source="practice",
        at=timezone.now() - timedelta(days=days_ago),
    )


def exam_with_misses(user, quiz):
    """Submit `user`'s attempt at `quiz` with every answer wrong."""
    attempt = engine.attempt_start(user=user, quiz=quiz)
    answers = {q["id"]: wrong_ids(q) for q in attempt.paper["questions"]}
    engine.attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence)
    return engine.attempt_submit(attempt=attempt)


@pytest.fixture
def variants(db):
    """Three practice questions of the point `tourniquet-time`, and one lone practice question."""
    group = [
        make_question(f"tq-{i}", variant_group="tourniquet-time", critical=True) for i in range(3)
    ]
    lone = make_question("lone-1")
    return {"group": group, "lone": lone}


@pytest.fixture
def immediate_quiz(db, variants):
    return make_immediate_quiz(questions=[variants["group"][0], variants["lone"]], tries=2)


@pytest.fixture
def exam(db, variants):
    """An exam with a question of the practice point's group and one no practice covers."""
    shared = make_question("exam-tq", variant_group="tourniquet-time", bank=Bank.EXAM)
    alone = make_question("exam-alone", variant_group="exam-only", bank=Bank.EXAM)
    return make_quiz(questions=[shared, alone], slug="final-exam", bank=Bank.EXAM)
