"""The outcome rule and a checklist's progress, on plain data (no database)."""

from datetime import UTC, datetime

from quizzes.observations.rules import (
    AWAITING_ACKNOWLEDGEMENT,
    COMPETENT,
    CRITICAL_NOT_MET,
    NOT_OBSERVED,
    NOT_YET,
    NOT_YET_COMPETENT,
    PARTLY_COMPETENT,
    RESULT_MISSING,
    RESULT_TWICE,
    RESULT_UNKNOWN,
    SIGNED_OFF,
    Criterion,
    CriterionResult,
    ObservationFact,
    checklist_progress,
    counts,
    outcome_problems,
)

AT = datetime(2026, 11, 1, tzinfo=UTC)
CRITERIA = [
    Criterion(id=1, text="Screens bleeding risk", critical=True, order=1),
    Criterion(id=2, text="Documents", critical=False, order=2),
]


def _results(*met):
    return [CriterionResult(criterion_id=i, met=m) for i, m in zip((1, 2), met, strict=False)]


def test_all_met_may_be_competent():
    assert (
        outcome_problems(criteria=CRITERIA, results=_results(True, True), outcome=COMPETENT) == []
    )


def test_a_critical_criterion_not_met_is_never_competent():
    problems = outcome_problems(criteria=CRITERIA, results=_results(False, True), outcome=COMPETENT)
    assert problems == [CRITICAL_NOT_MET.format(criterion="Screens bleeding risk")]


def test_a_critical_criterion_not_met_may_be_not_yet_competent():
    assert outcome_problems(criteria=CRITERIA, results=_results(False, True), outcome=NOT_YET) == []


def test_a_non_critical_criterion_not_met_may_still_be_competent():
    assert (
        outcome_problems(criteria=CRITERIA, results=_results(True, False), outcome=COMPETENT) == []
    )


def test_every_criterion_needs_a_result():
    problems = outcome_problems(criteria=CRITERIA, results=_results(True), outcome=NOT_YET)
    assert problems == [RESULT_MISSING.format(criterion="Documents")]


def test_unknown_and_repeated_results_are_refused():
    results = [*_results(True, True), CriterionResult(criterion_id=9, met=True)]
    results.append(CriterionResult(criterion_id=1, met=True))
    assert outcome_problems(criteria=CRITERIA, results=results, outcome=COMPETENT) == [
        RESULT_UNKNOWN,
        RESULT_TWICE,
    ]


def _fact(outcome=COMPETENT, acknowledged=True, superseded=False):
    return ObservationFact(
        outcome=outcome, acknowledged_at=AT if acknowledged else None, superseded=superseded
    )


def test_only_competent_acknowledged_current_observations_count():
    assert counts(_fact()) is True
    assert counts(_fact(acknowledged=False)) is False
    assert counts(_fact(superseded=True)) is False
    assert counts(_fact(outcome=NOT_YET)) is False


def test_progress_states():
    assert checklist_progress(facts=[], required=1).state == NOT_OBSERVED
    assert checklist_progress(facts=[_fact(NOT_YET)], required=1).state == NOT_YET_COMPETENT
    assert (
        checklist_progress(facts=[_fact(acknowledged=False)], required=1).state
        == AWAITING_ACKNOWLEDGEMENT
    )
    assert checklist_progress(facts=[_fact()], required=2).state == PARTLY_COMPETENT
    done = checklist_progress(facts=[_fact(), _fact(), _fact(NOT_YET)], required=2)
    assert (done.state, done.counted, done.required, done.done) == (SIGNED_OFF, 2, 2, True)
    assert done.label == "Competent 2 of 2"


def test_a_superseded_sign_off_stops_counting():
    progress = checklist_progress(facts=[_fact(superseded=True), _fact(NOT_YET)], required=1)
    assert (progress.state, progress.counted) == (NOT_YET_COMPETENT, 0)
    assert checklist_progress(facts=[_fact(superseded=True)], required=1).state == NOT_OBSERVED
