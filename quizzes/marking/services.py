"""Writes for hand marking: an assessor's mark for a written answer, and the re-scoring it causes.

A mark is a new WrittenAnswerMark row (the latest counts, earlier ones stay as
history). Once every written answer of an attempt has a mark, the attempt is
scored with the marks (quizzes.scoring), becomes SUBMITTED and `attempt_graded`
is sent inside the transaction, so certification decides in the same commit.
Re-marking a scored attempt scores it again; a fail that becomes a pass sends
`attempt_graded` again (a certificate already issued is never taken back here).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from quizzes import signals
from quizzes.cohorts.scope import trainees_for_assessor
from quizzes.models import Attempt, AttemptAnswer, Question, WrittenAnswerMark
from quizzes.scoring import paper_questions, paper_rules, score_attempt
from trainingsite.audit import audit_record
from trainingsite.models import AuditEvent
from trainingsite.roles import user_is_assessor

MARK_SELF = "You cannot mark your own written answer."
MARK_NOT_ASSESSOR = "Only an assessor can mark written answers."
MARK_OUT_OF_SCOPE = "No such written answer to mark."
MARK_POINTS_RANGE = "Points must be a number from 0 to {points}, in steps of at most 0.01."
MARK_STILL_OPEN = "This attempt is still being answered: it can be marked once it is submitted."
MARK_FEEDBACK_MAX_CHARS = 5000
MARK_FEEDBACK_TOO_LONG = f"Feedback can be at most {MARK_FEEDBACK_MAX_CHARS} characters long."


def _marker_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _points_check(*, points: Decimal, maximum: int) -> None:
    if (
        not isinstance(points, Decimal)
        or not points.is_finite()
        or points < 0
        or points > maximum
        or points != points.quantize(Decimal("0.01"))
    ):
        raise ValidationError(MARK_POINTS_RANGE.format(points=maximum), code="points_range")


def _latest_marks(attempt: Attempt) -> dict[int, float]:
    """Question id -> the latest mark's points, for the attempt's marked written answers."""
    marks: dict[int, float] = {}
    rows = WrittenAnswerMark.objects.filter(answer__attempt=attempt).order_by("marked_at", "id")
    for question_id, points in rows.values_list("answer__question_id", "points"):
        marks[question_id] = points
    return marks


def _attempt_rescore(*, attempt: Attempt, actor, now: datetime) -> bool:
    """Score the attempt with its latest marks once all are in; True when it is (now) scored.

    Caller holds the transaction and the attempt's row lock.
    """
    rows = list(AttemptAnswer.objects.filter(attempt=attempt))
    score = score_attempt(
        paper_questions(attempt.paper),
        {row.question_id: row.selected for row in rows},
        paper_rules(attempt.paper),
        marks=_latest_marks(attempt),
        written=[row.question_id for row in rows if row.text.strip()],
    )
    if not score.complete:
        return False
    was_marking = attempt.state == Attempt.State.MARKING
    was_passed = attempt.passed
    attempt.state = Attempt.State.SUBMITTED
    attempt.points = score.points
    attempt.max_points = score.max_points
    attempt.percent = score.percent
    attempt.passed = score.passed
    attempt.fail_reasons = score.fail_reasons_data()
    attempt.topic_scores = score.topic_scores_data()
    attempt.save(
        update_fields=[
            "state",
            "points",
            "max_points",
            "percent",
            "passed",
            "fail_reasons",
            "topic_scores",
        ]
    )
    for row in rows:
        result = score.result_for(row.question_id)
        row.awarded = result.awarded
        row.is_correct = result.is_correct
    AttemptAnswer.objects.bulk_update(rows, ["awarded", "is_correct"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.ATTEMPT_MARKED,
        target=attempt,
        summary=f"{attempt.user} · {attempt.quiz} · {score.percent}%",
        details={
            "attempt": str(attempt.uuid),
            "quiz": attempt.quiz.slug,
            "points": score.points,
            "max_points": score.max_points,
            "percent": score.percent,
            "passed": score.passed,
            "previously_passed": None if was_marking else was_passed,
            "remarked": not was_marking,
        },
    )
    if was_marking or (score.passed and not was_passed):
        signals.attempt_graded.send(sender=Attempt, attempt=attempt)
    return True


@transaction.atomic
def answer_mark(
    *,
    marker,
    answer: AttemptAnswer,
    points: Decimal,
    feedback: str,
    now: datetime | None = None,
) -> WrittenAnswerMark:
    """Record `marker`'s mark for a written answer, and score the attempt once all are marked.

    Refused: a marker who is not an assessor (PermissionDenied), their own answer
    (PermissionDenied), an answer outside their cohorts or not a written answer of a
    submitted graded attempt (Http404), points outside 0..the question's points or
    with more than two decimals, feedback over the limit (ValidationError).
    """
    now = now or timezone.now()
    if not user_is_assessor(marker):
        raise PermissionDenied(MARK_NOT_ASSESSOR)
    # Lock the attempt: two markers saving at once re-score one after the other.
    attempt = (
        Attempt.objects.select_for_update()
        .select_related("quiz", "user")
        .filter(pk=answer.attempt_id)
        .first()
    )
    if attempt is None:
        raise Http404(MARK_OUT_OF_SCOPE)
    if attempt.user_id == marker.pk:
        raise PermissionDenied(MARK_SELF)
    in_scope = trainees_for_assessor(marker).filter(pk=attempt.user_id).exists()
    entry = next(
        (q for q in attempt.paper.get("questions", []) if q["id"] == answer.question_id), None
    )
    if (
        not in_scope
        or entry is None
        or entry["kind"] != Question.Kind.WRITTEN
        or attempt.kind != Attempt.Kind.GRADED
    ):
        raise Http404(MARK_OUT_OF_SCOPE)
    if attempt.state == Attempt.State.IN_PROGRESS:
        raise ValidationError(MARK_STILL_OPEN, code="still_open")
    _points_check(points=points, maximum=entry["points"])
    if len(feedback) > MARK_FEEDBACK_MAX_CHARS:
        raise ValidationError(MARK_FEEDBACK_TOO_LONG, code="feedback_too_long")
    previous = (
        WrittenAnswerMark.objects.filter(answer_id=answer.pk)
        .order_by("-marked_at", "-id")
        .values_list("points", flat=True)
        .first()
    )
    mark = WrittenAnswerMark.objects.create(
        answer_id=answer.pk,
        marker=marker,
        marker_name=_marker_name(marker),
        points=float(points),
        feedback=feedback,
        marked_at=now,
    )
    audit_record(
        actor=marker,
        action=AuditEvent.Action.ANSWER_MARKED,
        target=attempt,
        summary=f"{attempt.user} · {attempt.quiz} · question {entry.get('key', answer.question_id)}"
        f": {previous if previous is not None else '–'} → {float(points)} / {entry['points']}",
        details={
            "attempt": str(attempt.uuid),
            "answer": answer.pk,
            "question": entry.get("key", ""),
            "old_points": previous,
            "new_points": float(points),
            "max_points": entry["points"],
        },
    )
    _attempt_rescore(attempt=attempt, actor=marker, now=now)
    return mark
