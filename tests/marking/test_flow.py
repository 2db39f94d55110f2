"""Awaiting marking -> marked -> pass/fail: the engine and the marking service together."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from quizzes import signals
from quizzes.authoring.regrade import question_regrade_impact
from quizzes.certification.selectors import program_progress
from quizzes.marking.services import (
    MARK_POINTS_RANGE,
    MARK_SELF,
    answer_mark,
)
from quizzes.models import Attempt, Certificate, Question, WrittenAnswerMark
from tests.builders.bank import make_quiz
from tests.builders.certification import assign, make_program
from tests.marking.conftest import answer_and_submit, written_answer
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded_sent():
    sent = []

    def receiver(sender, attempt, **kwargs):
        sent.append((attempt.pk, attempt.state, attempt.passed))

    signals.attempt_graded.connect(receiver, weak=False)
    yield sent
    signals.attempt_graded.disconnect(receiver)


def test_submitting_a_written_answer_waits_for_marking(trainee, cohort, hand_quiz, graded_sent):
    attempt = answer_and_submit(trainee, hand_quiz)
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.MARKING
    assert attempt.passed is None
    assert attempt.percent is None
    assert attempt.submitted_at is not None
    assert graded_sent == []
    assert not Attempt.objects.counted().filter(pk=attempt.pk).exists()
    answer = written_answer(attempt)
    assert answer.text == "Apply firm pressure with sterile gauze."
    assert answer.awarded is None


def test_marking_finalises_the_attempt_as_a_pass(trainee, assessor, cohort, hand_quiz, graded_sent):
    attempt = answer_and_submit(trainee, hand_quiz)
    answer_mark(
        marker=assessor, answer=written_answer(attempt), points=Decimal("3.5"), feedback="Good"
    )
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    assert attempt.points == 4.5
    assert attempt.max_points == 5
    assert attempt.percent == 90.0
    assert attempt.passed is True
    assert graded_sent == [(attempt.pk, Attempt.State.SUBMITTED, True)]
    assert Attempt.objects.counted().filter(pk=attempt.pk).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ANSWER_MARKED).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT_MARKED).count() == 1
    assert written_answer(attempt).awarded == 3.5


def test_a_low_mark_fails(trainee, assessor, cohort, hand_quiz, graded_sent):
    attempt = answer_and_submit(trainee, hand_quiz)
    answer_mark(marker=assessor, answer=written_answer(attempt), points=Decimal(1), feedback="")
    attempt.refresh_from_db()
    assert attempt.passed is False
    assert attempt.percent == 40.0
    assert [r["code"] for r in attempt.fail_reasons] == ["overall"]
    assert graded_sent == [(attempt.pk, Attempt.State.SUBMITTED, False)]


def test_remarking_keeps_history_and_rescores(trainee, assessor, cohort, hand_quiz, graded_sent):
    attempt = answer_and_submit(trainee, hand_quiz)
    answer = written_answer(attempt)
    answer_mark(marker=assessor, answer=answer, points=Decimal(1), feedback="First")
    answer_mark(marker=assessor, answer=answer, points=Decimal(4), feedback="Second look")
    attempt.refresh_from_db()
    assert attempt.passed is True
    assert attempt.percent == 100.0
    assert list(
        WrittenAnswerMark.objects.filter(answer=answer).values_list("points", flat=True)
    ) == [1.0, 4.0]
    # A fail that became a pass is sent again, so certification can issue.
    assert [passed for _, _, passed in graded_sent] == [False, True]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.ANSWER_MARKED).latest("id")
    assert event.details["old_points"] == 1.0
    assert event.details["new_points"] == 4.0


def test_a_pass_remarked_to_a_fail_sends_nothing_more(
    trainee, assessor, cohort, hand_quiz, graded_sent
):
    attempt = answer_and_submit(trainee, hand_quiz)
    answer = written_answer(attempt)
    answer_mark(marker=assessor, answer=answer, points=Decimal(4), feedback="")
    answer_mark(marker=assessor, answer=answer, points=Decimal(0), feedback="")
    attempt.refresh_from_db()
    assert attempt.passed is False
    assert [passed for _, _, passed in graded_sent] == [True]


def test_self_marking_is_refused_in_the_service(assessor, cohort, hand_quiz):
    cohort.memberships.create(user=assessor)
    attempt = answer_and_submit(assessor, hand_quiz)
    with pytest.raises(PermissionDenied, match=MARK_SELF):
        answer_mark(marker=assessor, answer=written_answer(attempt), points=Decimal(1), feedback="")
    assert not WrittenAnswerMark.objects.exists()


def test_out_of_scope_answer_is_refused(trainee, other_assessor, cohort, other_cohort, hand_quiz):
    attempt = answer_and_submit(trainee, hand_quiz)
    with pytest.raises(Http404):
        answer_mark(
            marker=other_assessor, answer=written_answer(attempt), points=Decimal(1), feedback=""
        )
    assert not WrittenAnswerMark.objects.exists()


@pytest.mark.parametrize("points", [Decimal("-1"), Decimal("4.01"), Decimal("1.005")])
def test_points_out_of_range_are_refused(trainee, assessor, cohort, hand_quiz, points):
    attempt = answer_and_submit(trainee, hand_quiz)
    with pytest.raises(ValidationError) as error:
        answer_mark(marker=assessor, answer=written_answer(attempt), points=points, feedback="")
    assert error.value.messages == [MARK_POINTS_RANGE.format(points=4)]
    assert not WrittenAnswerMark.objects.exists()


def test_a_critical_written_answer_below_full_points_fails(trainee, assessor, cohort, hand_quiz):
    Question.objects.filter(kind="written").update(critical=True)
    attempt = answer_and_submit(trainee, hand_quiz)
    answer_mark(marker=assessor, answer=written_answer(attempt), points=Decimal("3.9"), feedback="")
    attempt.refresh_from_db()
    assert attempt.percent == 98.0
    assert attempt.passed is False
    assert [r["code"] for r in attempt.fail_reasons] == ["critical"]


def test_the_certificate_waits_for_the_marks(trainee, assessor, cohort, hand_quiz):
    program = make_program(slug="cases-program", lessons=0, quizzes=[hand_quiz])
    assign(trainee, program)
    attempt = answer_and_submit(trainee, hand_quiz)
    assert not Certificate.objects.filter(user=trainee, program=program).exists()
    answer_mark(marker=assessor, answer=written_answer(attempt), points=Decimal(1), feedback="")
    assert not Certificate.objects.filter(user=trainee, program=program).exists()  # a fail
    answer_mark(marker=assessor, answer=written_answer(attempt), points=Decimal(4), feedback="")
    assert Certificate.objects.filter(user=trainee, program=program).count() == 1
    answer_mark(marker=assessor, answer=written_answer(attempt), points=Decimal(3), feedback="")
    assert Certificate.objects.filter(user=trainee, program=program).count() == 1


def test_a_regrade_of_a_choice_question_keeps_the_written_marks(
    trainee, assessor, cohort, hand_quiz
):
    attempt = answer_and_submit(trainee, hand_quiz)
    answer_mark(marker=assessor, answer=written_answer(attempt), points=Decimal(4), feedback="")
    choice = Question.objects.get(key="hm-choice")
    impact = question_regrade_impact(question=choice, points=2)
    assert impact.score_changes == 1
    assert impact.pass_changes == 0
    (change,) = impact.changes
    assert (change.old_points, change.new_points) == (5.0, 6.0)
    assert (change.old_passed, change.new_passed) == (True, True)


def test_the_program_page_says_awaiting_marking_and_moves_on(
    trainee, trainee_client, assessor, cohort, hand_quiz
):
    later = make_quiz(questions=1, slug="after-the-cases")
    program = make_program(slug="cases-next", lessons=0, quizzes=[hand_quiz, later])
    assign(trainee, program)
    answer_and_submit(trainee, hand_quiz)
    progress = program_progress(user=trainee, program=program).progress
    assert progress.quizzes_awaiting_marking_ids == frozenset({hand_quiz.pk})
    assert progress.next_step.object_id == later.pk
    page = trainee_client.get(reverse("certificates:program", args=[program.slug]))
    assert "Awaiting marking" in page.content.decode()
    home = trainee_client.get(reverse("trainee_home")).content.decode()
    assert 'data-testid="awaiting-marking"' in home
    assert f"Next: take “{later.title}”" in home
