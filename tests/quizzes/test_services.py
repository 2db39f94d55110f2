import random
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from lessons.models import LessonCompletion
from quizzes import services
from quizzes.models import Accommodation, Attempt, AttemptAnswer, Choice, Question
from quizzes.review import attempt_result_data
from quizzes.rules import (
    START_LIMIT_REACHED,
    START_NO_QUESTIONS,
    START_NOT_PUBLISHED,
    START_PREREQUISITES,
    START_WAIT,
)
from quizzes.selectors import quiz_start_check
from tests.builders import correct_ids, make_bare_lesson, make_question, make_quiz, wrong_ids
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def answer_all(attempt, correct=True, now=T0):
    pick = correct_ids if correct else wrong_ids
    answers = {q["id"]: pick(q) for q in attempt.paper["questions"]}
    services.attempt_save_answers(
        attempt=attempt, answers=answers, sequence=attempt.sequence, now=now
    )
    return answers


def saved(attempt):
    return dict(
        AttemptAnswer.objects.filter(attempt=attempt).values_list("question_id", "selected")
    )


# Starting ------------------------------------------------------------------------


def test_start_freezes_paper_and_creates_answer_rows(trainee):
    quiz = make_quiz(3, kinds=("single", "multiple", "true_false"), pass_mark=70)
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    assert attempt.state == Attempt.State.IN_PROGRESS
    assert attempt.kind == Attempt.Kind.GRADED
    assert attempt.started_at == T0
    assert attempt.deadline is None
    assert attempt.paper["rules"] == {"pass_mark": 70, "topic_minimum_percent": None}
    assert [q["key"] for q in attempt.paper["questions"]] == [
        "first-quiz-0",
        "first-quiz-1",
        "first-quiz-2",
    ]
    first = attempt.paper["questions"][0]
    assert first["prompt"] == "Prompt first-quiz-0?"
    assert [c["is_correct"] for c in first["choices"]] == [True, False, False]
    assert saved(attempt) == {q["id"]: [] for q in attempt.paper["questions"]}


def test_start_resumes_the_open_attempt(trainee):
    quiz = make_quiz(2)
    first = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    again = services.attempt_start(user=trainee, quiz=quiz, now=T0 + timedelta(minutes=5))
    assert again.pk == first.pk
    assert Attempt.objects.count() == 1


def test_start_draws_questions_per_attempt_and_skips_retired(trainee):
    quiz = make_quiz(6, questions_per_attempt=4)
    Question.objects.filter(key="first-quiz-0").update(status=Question.Status.RETIRED)
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0, rng=random.Random(1))
    keys = [q["key"] for q in attempt.paper["questions"]]
    assert len(keys) == 4
    assert len(set(keys)) == 4
    assert "first-quiz-0" not in keys


def test_start_shuffles_with_the_given_random_source(trainee, other_trainee):
    quiz = make_quiz(8, shuffle_questions=True, shuffle_choices=True)
    a = services.attempt_start(user=trainee, quiz=quiz, now=T0, rng=random.Random(1))
    b = services.attempt_start(user=other_trainee, quiz=quiz, now=T0, rng=random.Random(2))
    assert [q["id"] for q in a.paper["questions"]] != [q["id"] for q in b.paper["questions"]]
    assert sorted(q["id"] for q in a.paper["questions"]) == sorted(
        q["id"] for q in b.paper["questions"]
    )


def test_true_false_choices_keep_their_order_when_shuffling(trainee):
    quiz = make_quiz(5, kinds=("true_false",), shuffle_choices=True)
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0, rng=random.Random(3))
    for q in attempt.paper["questions"]:
        assert [c["text"] for c in q["choices"]] == ["True", "False"]


def test_timed_start_sets_deadline_including_accommodation(trainee):
    quiz = make_quiz(2, time_limit_minutes=20)
    Accommodation.objects.create(user=trainee, quiz=quiz, extra_minutes=10)
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    assert attempt.deadline == T0 + timedelta(minutes=30)


def test_start_refused_beyond_the_attempt_limit(trainee):
    quiz = make_quiz(1, max_attempts=1)
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    services.attempt_submit(attempt=attempt, now=T0)
    with pytest.raises(services.AttemptRefused) as refused:
        services.attempt_start(user=trainee, quiz=quiz, now=T0)
    assert refused.value.message == START_LIMIT_REACHED


def test_extra_attempts_accommodation_allows_one_more(trainee):
    quiz = make_quiz(1, max_attempts=1)
    Accommodation.objects.create(user=trainee, quiz=quiz, extra_attempts=1)
    for _ in range(2):
        services.attempt_submit(attempt=services.attempt_start(user=trainee, quiz=quiz, now=T0))
    with pytest.raises(services.AttemptRefused, match=START_LIMIT_REACHED):
        services.attempt_start(user=trainee, quiz=quiz, now=T0)


def test_start_refused_before_prerequisites_then_allowed(trainee):
    quiz = make_quiz(1)
    lesson = make_bare_lesson()
    quiz.prerequisite_lessons.add(lesson)
    with pytest.raises(services.AttemptRefused) as refused:
        services.attempt_start(user=trainee, quiz=quiz, now=T0)
    assert refused.value.message == START_PREREQUISITES
    assert Attempt.objects.count() == 0
    LessonCompletion.objects.create(user=trainee, lesson=lesson, completed_at=T0)
    assert services.attempt_start(user=trainee, quiz=quiz, now=T0).is_open is True


def test_start_refused_during_waiting_time(trainee):
    quiz = make_quiz(1, retake_wait_minutes=60)
    services.attempt_submit(attempt=services.attempt_start(user=trainee, quiz=quiz), now=T0)
    with pytest.raises(services.AttemptRefused, match=START_WAIT):
        services.attempt_start(user=trainee, quiz=quiz, now=T0 + timedelta(minutes=59))
    check = quiz_start_check(user=trainee, quiz=quiz, now=T0 + timedelta(minutes=59))
    assert check.next_start_at == T0 + timedelta(minutes=60)
    later = services.attempt_start(user=trainee, quiz=quiz, now=T0 + timedelta(minutes=61))
    assert later.is_open is True


def test_start_refused_for_draft_and_empty_quizzes(trainee):
    with pytest.raises(services.AttemptRefused, match=START_NOT_PUBLISHED):
        services.attempt_start(user=trainee, quiz=make_quiz(1, slug="draft", status="draft"))
    with pytest.raises(services.AttemptRefused, match=START_NO_QUESTIONS):
        services.attempt_start(user=trainee, quiz=make_quiz(0, slug="empty"))


# Saving --------------------------------------------------------------------------


def test_save_stores_answers_and_increments_sequence(trainee):
    quiz = make_quiz(2, kinds=("single", "multiple"))
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    q1, q2 = attempt.paper["questions"]
    new = services.attempt_save_answers(
        attempt=attempt, answers={q1["id"]: correct_ids(q1)}, sequence=0, now=T0
    )
    assert new == 1
    assert saved(attempt) == {q1["id"]: correct_ids(q1), q2["id"]: []}
    services.attempt_save_answers(
        attempt=attempt, answers={q2["id"]: correct_ids(q2)}, sequence=1, now=T0
    )
    # The page is a snapshot: a question missing from it is now unanswered.
    assert saved(attempt) == {q1["id"]: [], q2["id"]: sorted(correct_ids(q2))}
    attempt.refresh_from_db()
    assert attempt.sequence == 2


def test_stale_sequence_is_refused_and_overwrites_nothing(trainee):
    quiz = make_quiz(1)
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    q = attempt.paper["questions"][0]
    services.attempt_save_answers(attempt=attempt, answers={q["id"]: correct_ids(q)}, sequence=0)
    with pytest.raises(services.StaleSequence):
        services.attempt_save_answers(attempt=attempt, answers={q["id"]: wrong_ids(q)}, sequence=0)
    assert saved(attempt) == {q["id"]: correct_ids(q)}
    attempt.refresh_from_db()
    assert attempt.sequence == 1


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ("question", services.SAVE_UNKNOWN_QUESTION),
        ("choice", services.SAVE_UNKNOWN_CHOICE),
        ("two_on_single", services.SAVE_ONE_CHOICE_ONLY),
    ],
)
def test_tampered_answers_are_refused_and_nothing_saved(trainee, tamper, message):
    quiz = make_quiz(2)
    other = make_question("not-on-paper")
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    q1, q2 = attempt.paper["questions"]
    answers = {q1["id"]: correct_ids(q1)}
    if tamper == "question":
        answers[other.id] = [other.choices.first().id]
    elif tamper == "choice":
        answers[q2["id"]] = [other.choices.first().id]
    else:
        answers[q2["id"]] = [c["id"] for c in q2["choices"][:2]]
    with pytest.raises(ValidationError) as error:
        services.attempt_save_answers(attempt=attempt, answers=answers, sequence=0, now=T0)
    assert error.value.messages == [message]
    assert saved(attempt) == {q1["id"]: [], q2["id"]: []}
    attempt.refresh_from_db()
    assert attempt.sequence == 0


def test_save_within_grace_is_accepted(trainee):
    quiz = make_quiz(1, time_limit_minutes=10)
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    q = attempt.paper["questions"][0]
    late = T0 + timedelta(minutes=10) + services.GRACE
    services.attempt_save_answers(
        attempt=attempt, answers={q["id"]: correct_ids(q)}, sequence=0, now=late
    )
    assert saved(attempt) == {q["id"]: correct_ids(q)}


def test_save_after_deadline_closes_with_earlier_answers(trainee):
    quiz = make_quiz(2, time_limit_minutes=10, pass_mark=50)
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    q1, q2 = attempt.paper["questions"]
    services.attempt_save_answers(
        attempt=attempt, answers={q1["id"]: correct_ids(q1)}, sequence=0, now=T0
    )
    too_late = T0 + timedelta(minutes=11)
    with pytest.raises(services.AttemptClosed):
        services.attempt_save_answers(
            attempt=attempt,
            answers={q1["id"]: correct_ids(q1), q2["id"]: correct_ids(q2)},
            sequence=1,
            now=too_late,
        )
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    assert attempt.close_reason == Attempt.CloseReason.TIME_LIMIT
    assert attempt.submitted_at == T0 + timedelta(minutes=10)
    assert (attempt.points, attempt.max_points, attempt.percent) == (1, 2, 50.0)
    assert attempt.passed is True
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT_EXPIRED).count() == 1


def test_save_with_a_page_scope_leaves_other_questions(trainee):
    attempt = services.attempt_start(user=trainee, quiz=make_quiz(12, questions_per_page=5))
    one, two, nine = (attempt.paper["questions"][n - 1]["id"] for n in (1, 2, 9))
    q = {c["id"]: c for c in attempt.paper["questions"]}
    services.attempt_save_answers(
        attempt=attempt, answers={nine: correct_ids(q[nine])}, sequence=0, only={nine}
    )
    services.attempt_save_answers(
        attempt=attempt, answers={one: correct_ids(q[one])}, sequence=1, only={one, two}
    )
    by_id = saved(attempt)
    answered = [n for n, q in enumerate(attempt.paper["questions"], 1) if by_id[q["id"]]]
    assert answered == [1, 9]
    with pytest.raises(ValidationError) as raised:
        services.attempt_save_answers(
            attempt=attempt, answers={nine: []}, sequence=2, only={one, two}
        )
    assert raised.value.messages == [services.SAVE_NOT_ON_PAGE]


# Submitting ----------------------------------------------------------------------


def test_submit_scores_and_records(trainee):
    quiz = make_quiz(2, kinds=("single", "multiple"))
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    answer_all(attempt)
    services.attempt_submit(attempt=attempt, now=T0 + timedelta(minutes=3))
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    assert attempt.close_reason == Attempt.CloseReason.SUBMITTED
    assert attempt.submitted_at == T0 + timedelta(minutes=3)
    assert (attempt.points, attempt.max_points, attempt.percent, attempt.passed) == (
        2,
        2,
        100.0,
        True,
    )
    assert attempt.fail_reasons == []
    assert list(attempt.answers.values_list("awarded", "is_correct")) == [(1, True), (1, True)]
    event = AuditEvent.objects.get(action=AuditEvent.Action.ATTEMPT_SUBMITTED)
    assert event.actor == trainee
    assert event.target_id == str(attempt.pk)


def test_submit_twice_scores_once(trainee, graded_sent):
    quiz = make_quiz(1)
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    answer_all(attempt)
    services.attempt_submit(attempt=attempt, now=T0 + timedelta(minutes=1))
    stale_copy = Attempt.objects.get(pk=attempt.pk)
    stale_copy.state = Attempt.State.IN_PROGRESS  # as a second tab still believes
    services.attempt_submit(attempt=stale_copy, now=T0 + timedelta(minutes=2))
    attempt.refresh_from_db()
    assert attempt.submitted_at == T0 + timedelta(minutes=1)
    assert stale_copy.submitted_at == T0 + timedelta(minutes=1)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT_SUBMITTED).count() == 1
    assert graded_sent == [attempt]


def test_failing_reasons_are_stored(trainee):
    critical = make_question("crit", kind="true_false", critical=True)
    quiz = make_quiz([critical, make_question("plain")], pass_mark=50)
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    crit_q, plain_q = attempt.paper["questions"]
    services.attempt_save_answers(
        attempt=attempt,
        answers={crit_q["id"]: wrong_ids(crit_q), plain_q["id"]: correct_ids(plain_q)},
        sequence=0,
    )
    services.attempt_submit(attempt=attempt)
    attempt.refresh_from_db()
    assert attempt.percent == 50.0
    assert attempt.passed is False
    assert [r["code"] for r in attempt.fail_reasons] == ["critical"]


def test_editing_a_question_after_an_attempt_changes_nothing(trainee):
    question = make_question("edit-me")
    quiz = make_quiz([question])
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    answer_all(attempt, correct=True)
    services.attempt_submit(attempt=attempt, now=T0)
    before = attempt_result_data(attempt=Attempt.objects.get(pk=attempt.pk))

    question.prompt = "Rewritten prompt"
    question.explanation = "Rewritten explanation"
    question.points = 5
    question.save()
    Choice.objects.filter(question=question).update(is_correct=False, text="Changed")
    Choice.objects.filter(question=question, order=2).update(is_correct=True)

    after_attempt = Attempt.objects.get(pk=attempt.pk)
    after = attempt_result_data(attempt=after_attempt)
    assert (after_attempt.points, after_attempt.max_points, after_attempt.passed) == (1, 1, True)
    assert after.questions == before.questions
    assert after.questions[0].prompt == "Prompt edit-me?"
    assert [c.is_correct for c in after.questions[0].choices] == [True, False, False]


# Closing at the time limit ---------------------------------------------------------


def test_close_if_expired_waits_for_the_grace(trainee):
    quiz = make_quiz(1, time_limit_minutes=5)
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    on_time = T0 + timedelta(minutes=5) + services.GRACE
    assert services.attempt_close_if_expired(attempt=attempt, now=on_time) is False
    assert (
        services.attempt_close_if_expired(attempt=attempt, now=on_time + timedelta(seconds=1))
        is True
    )
    assert services.attempt_close_if_expired(attempt=attempt, now=on_time) is False


def test_submit_after_deadline_closes_at_time_limit(trainee):
    quiz = make_quiz(1, time_limit_minutes=5)
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    services.attempt_submit(attempt=attempt, now=T0 + timedelta(hours=1))
    attempt.refresh_from_db()
    assert attempt.close_reason == Attempt.CloseReason.TIME_LIMIT
    assert attempt.submitted_at == T0 + timedelta(minutes=5)


def test_expired_attempt_does_not_block_a_new_start(trainee):
    quiz = make_quiz(1, time_limit_minutes=5, max_attempts=2)
    first = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    second = services.attempt_start(user=trainee, quiz=quiz, now=T0 + timedelta(hours=1))
    assert second.pk != first.pk
    first.refresh_from_db()
    assert first.close_reason == Attempt.CloseReason.TIME_LIMIT


def test_expired_last_attempt_stays_closed_when_start_is_refused(trainee):
    quiz = make_quiz(1, time_limit_minutes=5, max_attempts=1)
    first = services.attempt_start(user=trainee, quiz=quiz, now=T0)
    with pytest.raises(services.AttemptRefused, match=START_LIMIT_REACHED):
        services.attempt_start(user=trainee, quiz=quiz, now=T0 + timedelta(hours=1))
    first.refresh_from_db()
    assert first.state == Attempt.State.SUBMITTED


def test_close_expired_attempts_command(trainee, other_trainee):
    quiz = make_quiz(1, time_limit_minutes=5)
    expired = services.attempt_start(user=trainee, quiz=quiz, now=T0 - timedelta(hours=1))
    current = services.attempt_start(user=other_trainee, quiz=quiz)
    call_command("close_expired_attempts", "--dry-run")
    expired.refresh_from_db()
    assert expired.is_open is True
    call_command("close_expired_attempts")
    expired.refresh_from_db()
    current.refresh_from_db()
    assert expired.close_reason == Attempt.CloseReason.TIME_LIMIT
    assert current.is_open is True


# Practice -------------------------------------------------------------------------


def _submitted(user, quiz, wrong_keys, now=T0):
    attempt = services.attempt_start(user=user, quiz=quiz, now=now)
    answers = {
        q["id"]: (wrong_ids(q) if q["key"] in wrong_keys else correct_ids(q))
        for q in attempt.paper["questions"]
    }
    services.attempt_save_answers(
        attempt=attempt, answers=answers, sequence=attempt.sequence, now=now
    )
    return services.attempt_submit(attempt=attempt, now=now)


def test_practice_from_an_attempt_uses_its_mistakes(trainee):
    quiz = make_quiz(4, max_attempts=2)
    source = _submitted(trainee, quiz, {"first-quiz-1", "first-quiz-3"})
    practice = services.practice_start_from_mistakes(user=trainee, quiz=quiz, source=source)
    assert practice.kind == Attempt.Kind.PRACTICE
    assert practice.source_attempt == source
    assert [q["key"] for q in practice.paper["questions"]] == ["first-quiz-1", "first-quiz-3"]
    answer_all(practice)
    services.attempt_submit(attempt=practice)
    practice.refresh_from_db()
    assert practice.percent == 100.0
    assert practice.passed is None
    check = quiz_start_check(user=trainee, quiz=quiz)
    assert (check.attempts_used, check.attempts_left, check.refusal) == (1, 1, None)


def test_practice_all_missed_skips_questions_answered_correctly_since(trainee):
    quiz = make_quiz(3)
    _submitted(trainee, quiz, {"first-quiz-0", "first-quiz-1"})
    _submitted(trainee, quiz, {"first-quiz-2"}, now=T0 + timedelta(minutes=5))
    # 0 and 1 were wrong, then right; 2 was right, then wrong.
    practice = services.practice_start_from_mistakes(user=trainee, quiz=quiz)
    assert [q["key"] for q in practice.paper["questions"]] == ["first-quiz-2"]


def test_practice_with_no_mistakes_is_refused(trainee):
    quiz = make_quiz(2)
    source = _submitted(trainee, quiz, set())
    with pytest.raises(services.AttemptRefused, match=services.PRACTICE_NOTHING_TO_PRACTISE):
        services.practice_start_from_mistakes(user=trainee, quiz=quiz, source=source)


def test_practice_round_is_never_announced_as_graded(trainee, graded_sent):
    quiz = make_quiz(1)
    source = _submitted(trainee, quiz, {"first-quiz-0"})
    practice = services.practice_start_from_mistakes(user=trainee, quiz=quiz, source=source)
    services.attempt_submit(attempt=practice)
    assert graded_sent == [source]


def failed_attempt(user, quiz):
    """A submitted graded_sent attempt with every question answered wrongly."""
    attempt = services.attempt_start(user=user, quiz=quiz)
    answers = {q["id"]: wrong_ids(q) for q in attempt.paper["questions"]}
    services.attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence)
    return services.attempt_submit(attempt=attempt)


def test_a_submitted_round_does_not_block_a_new_one(trainee):
    quiz = make_quiz(2)
    source = failed_attempt(trainee, quiz)
    first = services.practice_start_from_mistakes(user=trainee, quiz=quiz, source=source)
    services.attempt_submit(attempt=first)

    second = services.practice_start_from_mistakes(user=trainee, quiz=quiz, source=source)

    assert second.pk != first.pk
    assert second.is_open is True


def test_rounds_from_different_sources_are_separate(trainee):
    quiz = make_quiz(2)
    older = failed_attempt(trainee, quiz)
    newer = failed_attempt(trainee, quiz)

    from_older = services.practice_start_from_mistakes(user=trainee, quiz=quiz, source=older)
    from_newer = services.practice_start_from_mistakes(user=trainee, quiz=quiz, source=newer)
    from_history = services.practice_start_from_mistakes(user=trainee, quiz=quiz)
    history_again = services.practice_start_from_mistakes(user=trainee, quiz=quiz)

    assert len({from_older.pk, from_newer.pk, from_history.pk}) == 3
    assert history_again.pk == from_history.pk
    assert from_history.source_attempt_id is None


def test_another_trainees_open_round_is_not_resumed(trainee, other_trainee):
    quiz = make_quiz(1)
    failed_attempt(trainee, quiz)
    failed_attempt(other_trainee, quiz)
    mine = services.practice_start_from_mistakes(user=trainee, quiz=quiz)
    theirs = services.practice_start_from_mistakes(user=other_trainee, quiz=quiz)
    assert theirs.pk != mine.pk
    assert theirs.user == other_trainee
