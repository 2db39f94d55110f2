"""Regrade impact against a hand-computed case, and keep-versus-regrade."""

import pytest

from quizzes.authoring.regrade import (
    AttemptSnapshot,
    question_regrade,
    question_regrade_impact,
    regrade_impact,
)
from quizzes.models import Attempt, AttemptAnswer, Choice
from quizzes.services import attempt_save_answers, attempt_start, attempt_submit
from tests.builders import make_question, make_quiz, make_trainee
from trainingsite.models import AuditEvent

# The case, computed by hand. Pass mark 80%. Q1: single choice, 2 points, R right,
# W wrong. Q2: single choice, 3 points. The educator then swaps Q1's key (W right).
#
#            answers   before          after the swap
#   ana      W, Q2 ok  3/5 = 60% fail  5/5 = 100% pass   score and pass change
#   ben      R, Q2 ok  5/5 = 100% pass 3/5 = 60% fail    score and pass change
#   cleo     R, Q2 no  2/5 = 40% fail  0/5 = 0% fail     score changes
#   dan      W, Q2 no  0/5 = 0% fail   2/5 = 40% fail    score changes
#   eve      R, Q2 ok  100% pass       60% fail, but eve passed an attempt without Q1
#
# So 5 attempts change score, 3 change pass or fail, and 2 trainees (ana, ben)
# change pass status (eve keeps hers).


@pytest.fixture
def case(db):
    q1 = make_question("q1", points=2, choices=[("R", True), ("W", False)])
    q2 = make_question("q2", points=3, choices=[("ok", True), ("no", False)])
    quiz = make_quiz(questions=[q1, q2], slug="case", pass_mark=80)
    picks = {"ana": ("W", "ok"), "ben": ("R", "ok"), "cleo": ("R", "no"), "dan": ("W", "no")}
    attempts = {name: take(make_trainee(username=name), quiz, picks[name]) for name in picks}
    eve = make_trainee(username="eve")
    attempts["eve"] = take(eve, quiz, ("R", "ok"))
    # An earlier pass of eve's on a paper without q1 (as drawn from a larger pool).
    other = take(eve, quiz, ("R", "ok"))
    other.paper = {**other.paper, "questions": [other.paper["questions"][1]]}
    other.save(update_fields=["paper"])
    other.answers.filter(question=q1).delete()
    return {"quiz": quiz, "q1": q1, "q2": q2, "attempts": attempts}


def take(user, quiz, picks):
    attempt = attempt_start(user=user, quiz=quiz)
    answers = {}
    for question, text in zip(attempt.paper["questions"], picks, strict=True):
        answers[question["id"]] = [
            c["id"] for c in question["choices"] if c["text"].startswith(f"{text} (")
        ]
    attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence)
    return attempt_submit(attempt=attempt)


def swap_key(question):
    right, wrong = question.choices.order_by("order")
    return {right.id: False, wrong.id: True}


def test_impact_matches_the_hand_computed_case(case, django_assert_max_num_queries):
    q1 = case["q1"]
    with django_assert_max_num_queries(4):
        impact = question_regrade_impact(question=q1, key=swap_key(q1), points=2)
    assert impact.attempts_checked == 5
    assert impact.score_changes == 5
    assert impact.pass_changes == 3
    assert impact.trainees_changing_status == 2
    ana, ben = case["attempts"]["ana"], case["attempts"]["ben"]
    assert impact.newly_passing == {(ana.user_id, case["quiz"].id)}
    assert impact.newly_failing == {(ben.user_id, case["quiz"].id)}
    by_attempt = {c.attempt_id: c for c in impact.changes}
    assert (by_attempt[ana.id].old_percent, by_attempt[ana.id].new_percent) == (60.0, 100.0)
    assert (by_attempt[ben.id].old_points, by_attempt[ben.id].new_points) == (5.0, 3.0)


def test_changing_points_only(case):
    impact = question_regrade_impact(question=case["q1"], points=4)
    # ana: 3/7 = 42.86%; ben and eve: 7/7; cleo: 4/7 = 57.14%; dan: 0/7.
    changes = {c.attempt_id: c for c in impact.changes}
    attempts = case["attempts"]
    assert changes[attempts["ana"].id].new_percent == 42.86
    assert changes[attempts["cleo"].id].new_percent == 57.14
    assert changes[attempts["ben"].id].new_points == 7.0
    assert attempts["dan"].id not in changes  # 0 points before and after
    assert impact.pass_changes == 0


def test_unchanged_key_has_no_effect(case):
    assert question_regrade_impact(question=case["q1"]).has_effect is False


def test_practice_and_open_attempts_are_not_counted(case):
    quiz = case["quiz"]
    attempt_start(user=make_trainee(username="fay"), quiz=quiz)  # still in progress
    assert question_regrade_impact(question=case["q1"]).attempts_checked == 5


def test_keeping_past_results_leaves_attempts_as_they_were(case):
    q1 = case["q1"]
    ana = case["attempts"]["ana"]
    paper_before = Attempt.objects.get(pk=ana.pk).paper
    for choice_id, correct in swap_key(q1).items():
        Choice.objects.filter(pk=choice_id).update(is_correct=correct)
    stored = Attempt.objects.get(pk=ana.pk)
    assert (stored.points, stored.passed, stored.paper) == (3.0, False, paper_before)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT_REGRADED).exists()


def test_regrade_applies_the_saved_key_and_records_each_change(case, educator, graded_sent):
    q1 = case["q1"]
    for choice_id, correct in swap_key(q1).items():
        Choice.objects.filter(pk=choice_id).update(is_correct=correct)

    impact = question_regrade(question=q1, actor=educator)

    assert impact.score_changes == 5
    ana = Attempt.objects.get(pk=case["attempts"]["ana"].pk)
    assert (ana.points, ana.percent, ana.passed, ana.fail_reasons) == (5.0, 100.0, True, [])
    ana_q1 = next(q for q in ana.paper["questions"] if q["id"] == q1.id)
    assert [c["is_correct"] for c in ana_q1["choices"]] == [False, True]
    row = AttemptAnswer.objects.get(attempt=ana, question=q1)
    assert (row.awarded, row.is_correct) == (2.0, True)
    ben = Attempt.objects.get(pk=case["attempts"]["ben"].pk)
    assert (ben.points, ben.passed) == (3.0, False)
    assert ben.fail_reasons[0]["code"] == "overall"
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT_REGRADED)
    assert events.count() == 5
    assert {e.actor for e in events} == {educator}
    assert graded_sent == []  # certificates untouched without explicit confirmation
    # Regrading again changes nothing more.
    assert question_regrade(question=q1, actor=educator).has_effect is False


def test_certificates_are_rechecked_only_on_confirmation(case, educator, graded_sent):
    q1 = case["q1"]
    for choice_id, correct in swap_key(q1).items():
        Choice.objects.filter(pk=choice_id).update(is_correct=correct)
    question_regrade(question=q1, actor=educator, recheck_certificates=True)
    assert [attempt.pk for attempt in graded_sent] == [case["attempts"]["ana"].pk]


def test_pure_impact_needs_no_database():
    paper = {
        "rules": {"pass_mark": 50},
        "questions": [
            {
                "id": 1,
                "kind": "single",
                "points": 1,
                "choices": [{"id": 10, "is_correct": True}, {"id": 11, "is_correct": False}],
            }
        ],
    }
    snapshot = AttemptSnapshot(1, 7, 3, paper, {1: [11]}, 0.0, 0.0, False)
    impact = regrade_impact([snapshot], question_id=1, key={10: False, 11: True}, points=1)
    assert (impact.score_changes, impact.pass_changes, impact.trainees_changing_status) == (
        1,
        1,
        1,
    )
    assert paper["questions"][0]["choices"][0]["is_correct"] is True  # the input is not changed
