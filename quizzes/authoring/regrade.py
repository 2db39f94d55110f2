"""What a changed answer key would do to past attempts, and regrading them on request.

Attempts keep their frozen paper, so editing a question changes nothing for
them by default. When an educator changes a question's correct choices or
points, ``question_regrade_impact`` re-scores every submitted graded attempt
that had the question, with the pure scorer, and counts what would change.
``question_regrade`` then applies the new key to those papers, on request only.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from quizzes import signals
from quizzes.models import Attempt, AttemptAnswer, Question, WrittenAnswerMark
from quizzes.scoring import (
    AttemptScore,
    paper_has_written,
    paper_questions,
    paper_rules,
    score_attempt,
)
from trainingsite.audit import audit_record
from trainingsite.models import AuditEvent


@dataclass(frozen=True)
class AttemptSnapshot:
    """A submitted attempt as stored: its paper, answers and recorded result."""

    attempt_id: int
    user_id: int
    quiz_id: int
    paper: Mapping[str, Any]
    answers: Mapping[int, Sequence[int]]
    points: float
    percent: float
    passed: bool
    # Written answers: the latest mark per question, and those answered (non-blank text).
    marks: Mapping[int, float] = field(default_factory=dict)
    written: frozenset[int] = frozenset()


@dataclass(frozen=True)
class AttemptChange:
    attempt_id: int
    user_id: int
    quiz_id: int
    old_points: float
    new_points: float
    old_percent: float
    new_percent: float
    old_passed: bool
    new_passed: bool

    @property
    def score_changed(self) -> bool:
        return self.old_points != self.new_points or self.old_percent != self.new_percent

    @property
    def pass_changed(self) -> bool:
        return self.old_passed != self.new_passed


@dataclass(frozen=True)
class RegradeImpact:
    attempts_checked: int
    changes: tuple[AttemptChange, ...]
    newly_passing: frozenset[tuple[int, int]]  # (trainee id, quiz id)
    newly_failing: frozenset[tuple[int, int]]

    @property
    def score_changes(self) -> int:
        return sum(1 for change in self.changes if change.score_changed)

    @property
    def pass_changes(self) -> int:
        return sum(1 for change in self.changes if change.pass_changed)

    @property
    def quiz_results_changing(self) -> int:
        """(Trainee, quiz) pairs whose pass status changes: newly passing plus no longer.

        A question may sit in several quizzes' pools, so one trainee can count here
        more than once; `trainees_changing_status` counts each trainee once.
        """
        return len(self.newly_passing) + len(self.newly_failing)

    @property
    def trainees_changing_status(self) -> int:
        return len({user for user, _ in self.newly_passing | self.newly_failing})

    @property
    def has_effect(self) -> bool:
        return bool(self.changes)


def paper_with_key(
    paper: Mapping[str, Any], *, question_id: int, key: Mapping[int, bool], points: int
) -> dict[str, Any]:
    """Return a copy of the paper with one question's correctness and points replaced.

    Choices on the paper that the key does not name (since deleted) keep their
    frozen correctness; choices added since were never on the paper.
    """
    paper = copy.deepcopy(dict(paper))
    for question in paper.get("questions", []):
        if question["id"] != question_id:
            continue
        question["points"] = points
        for choice in question["choices"]:
            if choice["id"] in key:
                choice["is_correct"] = key[choice["id"]]
    return paper


def rescore(snapshot: AttemptSnapshot, paper: Mapping[str, Any]) -> AttemptScore:
    return score_attempt(
        paper_questions(paper),
        snapshot.answers,
        paper_rules(paper),
        marks=snapshot.marks,
        written=snapshot.written,
    )


def regrade_impact(
    snapshots: Sequence[AttemptSnapshot],
    *,
    question_id: int,
    key: Mapping[int, bool],
    points: int,
    other_passes: frozenset[tuple[int, int]] = frozenset(),
) -> RegradeImpact:
    """Re-score the snapshots with the new key; count changed scores and pass statuses (pure).

    ``other_passes`` holds the (trainee, quiz) pairs already passed by an attempt
    that does not contain the question: a regrade cannot make those trainees fail.
    """
    changes: list[AttemptChange] = []
    before: dict[tuple[int, int], bool] = {}
    after: dict[tuple[int, int], bool] = {}
    for snapshot in snapshots:
        score = rescore(
            snapshot,
            paper_with_key(snapshot.paper, question_id=question_id, key=key, points=points),
        )
        pair = (snapshot.user_id, snapshot.quiz_id)
        before[pair] = before.get(pair, False) or bool(snapshot.passed)
        after[pair] = after.get(pair, False) or score.passed
        change = AttemptChange(
            attempt_id=snapshot.attempt_id,
            user_id=snapshot.user_id,
            quiz_id=snapshot.quiz_id,
            old_points=snapshot.points,
            new_points=score.points,
            old_percent=snapshot.percent,
            new_percent=score.percent,
            old_passed=bool(snapshot.passed),
            new_passed=score.passed,
        )
        if change.score_changed or change.pass_changed:
            changes.append(change)
    newly_passing = frozenset(
        pair for pair in before if not before[pair] and after[pair] and pair not in other_passes
    )
    newly_failing = frozenset(
        pair for pair in before if before[pair] and not after[pair] and pair not in other_passes
    )
    return RegradeImpact(
        attempts_checked=len(snapshots),
        changes=tuple(changes),
        newly_passing=newly_passing,
        newly_failing=newly_failing,
    )


def _affected_attempts(question: Question):
    return Attempt.objects.filter(
        answers__question=question,
        state=Attempt.State.SUBMITTED,
        kind=Attempt.Kind.GRADED,
    ).order_by("id")


def question_attempt_snapshots(*, question: Question) -> list[AttemptSnapshot]:
    """Read every submitted graded attempt that had the question (two queries; three with
    written answers, whose marks count)."""
    attempts = list(
        _affected_attempts(question).only(
            "id", "user_id", "quiz_id", "paper", "points", "percent", "passed"
        )
    )
    answers: dict[int, dict[int, list[int]]] = {a.id: {} for a in attempts}
    written: dict[int, set[int]] = {a.id: set() for a in attempts}
    for attempt_id, question_id, selected, text in AttemptAnswer.objects.filter(
        attempt__in=[a.id for a in attempts]
    ).values_list("attempt_id", "question_id", "selected", "text"):
        answers[attempt_id][question_id] = selected
        if text.strip():
            written[attempt_id].add(question_id)
    marks: dict[int, dict[int, float]] = {a.id: {} for a in attempts}
    marked = [a.id for a in attempts if written[a.id] or paper_has_written(a.paper)]
    for attempt_id, question_id, points in (
        WrittenAnswerMark.objects.filter(answer__attempt__in=marked)
        .order_by("marked_at", "id")
        .values_list("answer__attempt_id", "answer__question_id", "points")
    ):
        marks[attempt_id][question_id] = points  # the latest counts
    return [
        AttemptSnapshot(
            attempt_id=a.id,
            user_id=a.user_id,
            quiz_id=a.quiz_id,
            paper=a.paper,
            answers=answers[a.id],
            points=a.points or 0.0,
            percent=a.percent or 0.0,
            passed=bool(a.passed),
            marks=marks[a.id],
            written=frozenset(written[a.id]),
        )
        for a in attempts
    ]


def _other_passes(*, question: Question, snapshots: Sequence[AttemptSnapshot]):
    pairs = {(s.user_id, s.quiz_id) for s in snapshots}
    if not pairs:
        return frozenset()
    rows = (
        Attempt.objects.filter(
            state=Attempt.State.SUBMITTED,
            kind=Attempt.Kind.GRADED,
            passed=True,
            user_id__in={user for user, _ in pairs},
            quiz_id__in={quiz for _, quiz in pairs},
        )
        .exclude(id__in=[s.attempt_id for s in snapshots])
        .values_list("user_id", "quiz_id")
    )
    return frozenset(pair for pair in rows if pair in pairs)


def question_has_submitted_attempts(*, question: Question) -> bool:
    return _affected_attempts(question).exists()


def question_current_key(*, question: Question) -> dict[int, bool]:
    return dict(question.choices.values_list("id", "is_correct"))


def question_regrade_impact(
    *, question: Question, key: Mapping[int, bool] | None = None, points: int | None = None
) -> RegradeImpact:
    """Count what regrading with this key and points (default: as saved) would change."""
    snapshots = question_attempt_snapshots(question=question)
    return regrade_impact(
        snapshots,
        question_id=question.pk,
        key=question_current_key(question=question) if key is None else key,
        points=question.points if points is None else points,
        other_passes=_other_passes(question=question, snapshots=snapshots),
    )


@transaction.atomic
def question_regrade(*, question: Question, actor, recheck_certificates: bool = False):
    """Apply the question's saved key and points to every past attempt that had it.

    Each changed attempt is re-scored from its answers and recorded in the audit
    trail. Certificates are checked again for newly passing attempts only when
    ``recheck_certificates`` is set (the educator confirmed it); nothing is revoked.
    Returns the RegradeImpact that was applied.
    """
    key = question_current_key(question=question)
    snapshots = question_attempt_snapshots(question=question)
    impact = regrade_impact(
        snapshots,
        question_id=question.pk,
        key=key,
        points=question.points,
        other_passes=_other_passes(question=question, snapshots=snapshots),
    )
    by_id = {s.attempt_id: s for s in snapshots}
    changed_ids = [c.attempt_id for c in impact.changes]
    attempts = Attempt.objects.select_related("user", "quiz").in_bulk(changed_ids)
    answer_rows: dict[int, list[AttemptAnswer]] = {attempt_id: [] for attempt_id in changed_ids}
    for row in AttemptAnswer.objects.filter(attempt_id__in=changed_ids):
        answer_rows[row.attempt_id].append(row)
    updated_answers = []
    for change in impact.changes:
        attempt = attempts[change.attempt_id]
        snapshot = by_id[change.attempt_id]
        paper = paper_with_key(
            snapshot.paper, question_id=question.pk, key=key, points=question.points
        )
        score = rescore(snapshot, paper)
        attempt.paper = paper
        attempt.points = score.points
        attempt.max_points = score.max_points
        attempt.percent = score.percent
        attempt.passed = score.passed
        attempt.fail_reasons = score.fail_reasons_data()
        attempt.topic_scores = score.topic_scores_data()
        for row in answer_rows[attempt.id]:
            result = score.result_for(row.question_id)
            row.awarded, row.is_correct = result.awarded, result.is_correct
            updated_answers.append(row)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.ATTEMPT_REGRADED,
            target=attempt,
            summary=(
                f"{attempt.user} · {attempt.quiz} · {change.old_percent}% → {change.new_percent}%"
            ),
            details={
                "attempt": str(attempt.uuid),
                "question": question.key,
                "old_points": change.old_points,
                "new_points": change.new_points,
                "old_passed": change.old_passed,
                "new_passed": change.new_passed,
                "certificates_rechecked": recheck_certificates,
            },
        )
    Attempt.objects.bulk_update(
        attempts.values(),
        ["paper", "points", "max_points", "percent", "passed", "fail_reasons", "topic_scores"],
    )
    AttemptAnswer.objects.bulk_update(updated_answers, ["awarded", "is_correct"])
    if recheck_certificates:
        for change in impact.changes:
            if change.new_passed and not change.old_passed:
                signals.attempt_graded.send(sender=Attempt, attempt=attempts[change.attempt_id])
    return impact
