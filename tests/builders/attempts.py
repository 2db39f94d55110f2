"""Builders for attempts written straight to the database (the quiz engine has its own tests),
and helpers that pick right or wrong answers from an attempt's paper."""

from datetime import datetime, timedelta

from django.utils import timezone

from quizzes.models import Attempt, AttemptAnswer


def graded_attempt(user, quiz, *, passed=True, percent=None, at: datetime | None = None):
    """A submitted graded attempt with a score only (no answers)."""
    at = at or timezone.now()
    percent = percent if percent is not None else (90.0 if passed else 40.0)
    return Attempt.objects.create(
        user=user,
        quiz=quiz,
        kind=Attempt.Kind.GRADED,
        state=Attempt.State.SUBMITTED,
        close_reason=Attempt.CloseReason.SUBMITTED,
        started_at=at,
        submitted_at=at,
        points=percent,
        max_points=100,
        percent=percent,
        passed=passed,
    )


def practice_attempt(user, quiz, *, at=None):
    at = at or timezone.now()
    return Attempt.objects.create(
        user=user,
        quiz=quiz,
        kind=Attempt.Kind.PRACTICE,
        state=Attempt.State.SUBMITTED,
        started_at=at,
        submitted_at=at,
        percent=100.0,
        passed=None,
    )


def make_scored_attempt(*, user, quiz, answers, started_at, minutes=10, pass_mark=80):
    """A submitted graded attempt with its answers; `answers` lists the chosen choice index per
    question (None: unanswered), and index 0 scores a point, as in `make_plain_quiz`."""
    questions = list(quiz.pool.order_by("order").select_related("question"))
    rows = []
    points = 0
    for entry, index in zip(questions, answers, strict=True):
        choices = list(entry.question.choices.order_by("order"))
        picked = [choices[index].pk] if index is not None else []
        awarded = 1.0 if index == 0 else 0.0
        points += awarded
        rows.append((entry.question, picked, awarded))
    percent = 100.0 * points / len(questions)
    attempt = Attempt.objects.create(
        user=user,
        quiz=quiz,
        kind=Attempt.Kind.GRADED,
        state=Attempt.State.SUBMITTED,
        started_at=started_at,
        submitted_at=started_at + timedelta(minutes=minutes),
        points=points,
        max_points=float(len(questions)),
        percent=percent,
        passed=percent >= pass_mark,
    )
    AttemptAnswer.objects.bulk_create(
        [
            AttemptAnswer(
                attempt=attempt, question=q, selected=picked, awarded=aw, is_correct=aw == 1.0
            )
            for q, picked, aw in rows
        ]
    )
    return attempt


def correct_positions(paper_question) -> list[int]:
    return [i for i, c in enumerate(paper_question["choices"]) if c["is_correct"]]


def wrong_positions(paper_question) -> list[int]:
    return [i for i, c in enumerate(paper_question["choices"]) if not c["is_correct"]][:1]


def correct_ids(paper_question) -> list[int]:
    return [c["id"] for c in paper_question["choices"] if c["is_correct"]]


def wrong_ids(paper_question) -> list[int]:
    return [c["id"] for c in paper_question["choices"] if not c["is_correct"]][:1]
