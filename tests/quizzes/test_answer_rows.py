"""An attempt's answer rows, read and first written in plain SQL, agree with the ORM's view.

`quizzes/answer_rows.py` bypasses the ORM on the hottest paths (every attempt page,
autosave, submit and start); these tests hold it to what the ORM stores and reads,
on SQLite and PostgreSQL alike (the suite runs on both).
"""

import pytest

from quizzes import services
from quizzes.answer_rows import ROWS_PER_INSERT, answer_rows, blank_answers_create
from quizzes.models import AttemptAnswer
from tests.builders import correct_ids, make_quiz

pytestmark = pytest.mark.django_db


def test_a_started_attempt_has_one_empty_row_per_question(trainee):
    attempt = services.attempt_start(user=trainee, quiz=make_quiz(4))
    stored = AttemptAnswer.objects.filter(attempt=attempt)
    assert sorted(stored.values_list("question_id", flat=True)) == sorted(
        q["id"] for q in attempt.paper["questions"]
    )
    assert [(row.selected, row.text, row.tries, row.saved_at) for row in stored] == [
        ([], "", 0, None)
    ] * 4


def test_more_questions_than_one_insert_takes_are_all_created(trainee):
    attempt = services.attempt_start(user=trainee, quiz=make_quiz(ROWS_PER_INSERT + 5))
    assert len(attempt.paper["questions"]) == ROWS_PER_INSERT + 5
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == ROWS_PER_INSERT + 5


def test_no_question_writes_nothing(trainee):
    attempt = services.attempt_start(user=trainee, quiz=make_quiz(1))
    blank_answers_create(attempt_id=attempt.pk, question_ids=[])
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 1


def test_rows_read_back_what_the_orm_stored(trainee):
    attempt = services.attempt_start(user=trainee, quiz=make_quiz(3, kinds=("multiple",)))
    first, second, _ = attempt.paper["questions"]
    services.attempt_save_answers(
        attempt=attempt,
        answers={first["id"]: correct_ids(first), second["id"]: [second["choices"][0]["id"]]},
        sequence=0,
    )
    rows = {row.question_id: row for row in answer_rows(attempt_id=attempt.pk)}
    orm = {row.question_id: row for row in AttemptAnswer.objects.filter(attempt=attempt)}
    assert rows.keys() == orm.keys()
    for question_id, row in rows.items():
        assert row.pk == orm[question_id].pk
        assert sorted(row.selected) == sorted(orm[question_id].selected)
        assert isinstance(row.selected, list)
        assert row.text == orm[question_id].text
    assert sorted(rows[first["id"]].selected) == sorted(correct_ids(first))


def test_another_attempts_rows_are_never_read(trainee, other_trainee):
    quiz = make_quiz(2)
    mine = services.attempt_start(user=trainee, quiz=quiz)
    theirs = services.attempt_start(user=other_trainee, quiz=quiz)
    assert {row.pk for row in answer_rows(attempt_id=mine.pk)} == set(
        AttemptAnswer.objects.filter(attempt=mine).values_list("pk", flat=True)
    )
    assert not {row.pk for row in answer_rows(attempt_id=mine.pk)} & set(
        AttemptAnswer.objects.filter(attempt=theirs).values_list("pk", flat=True)
    )


def test_marks_read_back_as_the_orm_holds_them(trainee):
    attempt = services.attempt_start(user=trainee, quiz=make_quiz(3))
    first, second, _ = attempt.paper["questions"]
    wrong = [c["id"] for c in second["choices"] if c["id"] not in correct_ids(second)][:1]
    services.attempt_save_answers(
        attempt=attempt, answers={first["id"]: correct_ids(first), second["id"]: wrong}, sequence=0
    )
    services.attempt_submit(attempt=attempt)
    rows = {row.question_id: row for row in answer_rows(attempt_id=attempt.pk)}
    for answer in AttemptAnswer.objects.filter(attempt=attempt):
        assert rows[answer.question_id].awarded == answer.awarded
        assert rows[answer.question_id].is_correct is answer.is_correct
    assert rows[first["id"]].is_correct is True
    assert rows[second["id"]].is_correct is False
