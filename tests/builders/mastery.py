"""Builders for the progress-by-topic tests: attempts with scored answers, written to the
database directly (the engine's own tests cover how answers get scored)."""

from datetime import datetime

from django.utils import timezone

from quizzes.models import Attempt, AttemptAnswer, Question


def make_written_question(key, *, topic, points=4, bank="practice") -> Question:
    return Question.objects.create(
        key=key,
        kind=Question.Kind.WRITTEN,
        prompt=f"Describe {key}.",
        points=points,
        topic=topic,
        bank=bank,
    )


def answered_attempt(
    *,
    user,
    quiz,
    answers,
    kind=Attempt.Kind.GRADED,
    state=Attempt.State.SUBMITTED,
    at: datetime | None = None,
) -> Attempt:
    """An attempt with `answers`: (question, is_correct, awarded) each, None for unscored."""
    at = at or timezone.now()
    attempt = Attempt.objects.create(
        user=user,
        quiz=quiz,
        kind=kind,
        state=state,
        close_reason="" if state == Attempt.State.IN_PROGRESS else Attempt.CloseReason.SUBMITTED,
        started_at=at,
        submitted_at=None if state == Attempt.State.IN_PROGRESS else at,
    )
    AttemptAnswer.objects.bulk_create(
        AttemptAnswer(
            attempt=attempt,
            question=question,
            text="An answer." if question.kind == Question.Kind.WRITTEN else "",
            is_correct=is_correct,
            awarded=awarded,
        )
        for question, is_correct, awarded in answers
    )
    return attempt
