"""The rules of observed practice, on plain data: the outcome rule and a checklist's progress.

A critical criterion not met is never "competent"; every criterion of the checklist has a
result. An observation counts toward a checklist once it is competent, acknowledged by the
trainee and not superseded by a correction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

COMPETENT = "competent"
NOT_YET = "not_yet"

CRITICAL_NOT_MET = (
    "“{criterion}” is critical and was not met: the outcome cannot be competent. "
    "Record “not yet competent” and say what to practise."
)
RESULT_MISSING = "Every criterion needs a result: “{criterion}” has none."
RESULT_UNKNOWN = "A result names a criterion that is not on this checklist."
RESULT_TWICE = "A criterion has more than one result."

# The states of one trainee's checklist, as the assessor's pages show them.
NOT_OBSERVED = "not_observed"
NOT_YET_COMPETENT = "not_yet_competent"
PARTLY_COMPETENT = "partly_competent"
AWAITING_ACKNOWLEDGEMENT = "awaiting_acknowledgement"
SIGNED_OFF = "signed_off"
STATE_LABELS = {
    NOT_OBSERVED: "Not observed",
    NOT_YET_COMPETENT: "Not yet competent",
    PARTLY_COMPETENT: "Competent {counted} of {required}",
    AWAITING_ACKNOWLEDGEMENT: "Awaiting acknowledgement",
    SIGNED_OFF: "Competent {counted} of {required}",
}


@dataclass(frozen=True)
class Criterion:
    id: int
    text: str
    critical: bool
    order: int = 0


@dataclass(frozen=True)
class CriterionResult:
    """The assessor's judgement of one criterion: met or not yet, with a note."""

    criterion_id: int
    met: bool
    note: str = ""


@dataclass(frozen=True)
class ObservationFact:
    outcome: str
    acknowledged_at: datetime | None
    superseded: bool


@dataclass(frozen=True)
class ChecklistProgress:
    state: str
    counted: int
    required: int
    awaiting: int

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state].format(counted=self.counted, required=self.required)

    @property
    def done(self) -> bool:
        return self.state == SIGNED_OFF


def outcome_problems(
    *, criteria: Sequence[Criterion], results: Iterable[CriterionResult], outcome: str
) -> list[str]:
    """Return what stops these results and this outcome being recorded (empty when none)."""
    by_id = {criterion.id: criterion for criterion in criteria}
    given: dict[int, CriterionResult] = {}
    problems = []
    for result in results:
        if result.criterion_id not in by_id:
            problems.append(RESULT_UNKNOWN)
        elif result.criterion_id in given:
            problems.append(RESULT_TWICE)
        else:
            given[result.criterion_id] = result
    for criterion in sorted(criteria, key=lambda c: (c.order, c.id)):
        result = given.get(criterion.id)
        if result is None:
            problems.append(RESULT_MISSING.format(criterion=criterion.text))
        elif outcome == COMPETENT and criterion.critical and not result.met:
            problems.append(CRITICAL_NOT_MET.format(criterion=criterion.text))
    return list(dict.fromkeys(problems))


def counts(fact: ObservationFact) -> bool:
    """Whether an observation counts toward its checklist."""
    return fact.outcome == COMPETENT and fact.acknowledged_at is not None and not fact.superseded


def checklist_progress(*, facts: Iterable[ObservationFact], required: int) -> ChecklistProgress:
    """The state of one trainee's checklist from the observations of it."""
    current = [fact for fact in facts if not fact.superseded]
    counted = sum(1 for fact in current if counts(fact))
    awaiting = sum(
        1 for fact in current if fact.outcome == COMPETENT and fact.acknowledged_at is None
    )
    required = max(required, 1)
    if counted >= required:
        state = SIGNED_OFF
    elif awaiting:
        state = AWAITING_ACKNOWLEDGEMENT
    elif counted:
        state = PARTLY_COMPETENT
    elif current:
        state = NOT_YET_COMPETENT
    else:
        state = NOT_OBSERVED
    return ChecklistProgress(state=state, counted=counted, required=required, awaiting=awaiting)
