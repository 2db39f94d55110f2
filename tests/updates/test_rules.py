"""The update rules, pure: no database mark, so any query fails these tests."""

import random
from datetime import UTC, datetime, timedelta

from quizzes.updates.rules import (
    Candidate,
    TraineeActivity,
    UpdateFacts,
    expiry_with_updates,
    update_applies,
    update_due_at,
    update_is_done,
    update_points_pick,
)

CHANGED = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
DUE = CHANGED + timedelta(days=60)
DAY = timedelta(days=1)


def activity(**fields) -> TraineeActivity:
    base = {
        "lessons_read_at": {},
        "checklists_observed_at": {},
        "checklists_required": {},
        "update_quizzes_passed": {},
    }
    return TraineeActivity(**(base | fields))


def test_due_is_the_window_after_the_change():
    assert update_due_at(changed_at=CHANGED, window_days=60) == DUE


def test_who_is_asked():
    assert update_applies(expires_at=None, changed_at=CHANGED, due_at=DUE) is True
    assert update_applies(expires_at=DUE + DAY, changed_at=CHANGED, due_at=DUE) is True
    # Expiring before the update would fall due: the renewal covers the change.
    assert update_applies(expires_at=DUE, changed_at=CHANGED, due_at=DUE) is False


def test_expiry_is_the_earliest_of_the_certificate_and_its_open_updates():
    later = DUE + 30 * DAY
    assert expiry_with_updates(expires_at=later, pending_dues=[DUE]) == DUE
    assert expiry_with_updates(expires_at=later, pending_dues=[]) == later
    assert expiry_with_updates(expires_at=None, pending_dues=[DUE, later]) == DUE
    assert expiry_with_updates(expires_at=None, pending_dues=[]) is None


def test_an_update_is_done_when_every_part_is_done_after_the_change_and_in_time():
    update = UpdateFacts(
        program_id=1,
        changed_at=CHANGED,
        due_at=DUE,
        lesson_ids=frozenset({7}),
        checklist_ids=frozenset({3}),
        needs_quiz=True,
    )
    after = CHANGED + DAY
    everything = activity(
        lessons_read_at={7: after},
        checklists_observed_at={3: [after]},
        checklists_required={3: 1},
        update_quizzes_passed={1: [after]},
    )
    assert update_is_done(update=update, activity=everything, now=after) is True
    assert update_is_done(update=update, activity=everything, now=DUE + DAY) is False  # too late
    read_before = activity(**{**everything.__dict__, "lessons_read_at": {7: CHANGED - DAY}})
    assert update_is_done(update=update, activity=read_before, now=after) is False
    other_program = activity(**{**everything.__dict__, "update_quizzes_passed": {2: [after]}})
    assert update_is_done(update=update, activity=other_program, now=after) is False
    two_needed = activity(**{**everything.__dict__, "checklists_required": {3: 2}})
    assert update_is_done(update=update, activity=two_needed, now=after) is False
    quiz_before = activity(**{**everything.__dict__, "update_quizzes_passed": {1: [CHANGED - DAY]}})
    assert update_is_done(update=update, activity=quiz_before, now=after) is False


def test_the_quiz_asks_one_question_per_point_critical_first_up_to_its_size():
    candidates = [
        Candidate(question_id=1, point="group:a"),
        Candidate(question_id=2, point="group:a"),
        Candidate(question_id=3, point="question:3", critical=True),
        Candidate(question_id=4, point="question:4"),
    ]
    for seed in range(20):
        picked = update_points_pick(candidates=candidates, size=2, rng=random.Random(seed))
        assert len(picked) == 2
        assert picked[0] == 3
        assert not {1, 2} <= set(picked)
    everything = update_points_pick(candidates=candidates, size=10, rng=random.Random(1))
    assert len(everything) == 3
    assert update_points_pick(candidates=[], size=5, rng=random.Random(1)) == []
