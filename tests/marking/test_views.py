"""The marking pages and the trainee's pages for written answers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.marking.forms import POINTS_REQUIRED
from quizzes.marking.selectors import CANDIDATE
from quizzes.marking.services import MARK_POINTS_RANGE, answer_mark
from quizzes.models import Attempt, WrittenAnswerMark
from quizzes.services import attempt_close_if_expired, attempt_save_answers, attempt_start
from quizzes.written import SAVE_TEXT_TOO_LONG, WRITTEN_ANSWER_MAX_CHARS
from tests.builders import make_trainee
from tests.marking.conftest import (
    GUIDE_MARK,
    MODEL_MARK,
    answer_and_submit,
    written_answer,
    written_entry,
)

pytestmark = pytest.mark.django_db


def test_queue_lists_answers_awaiting_a_mark_oldest_first_blind(
    client, trainee, other_trainee, assessor, cohort, hand_quiz
):
    cohort.memberships.create(user=other_trainee)
    first = answer_and_submit(trainee, hand_quiz)
    second = answer_and_submit(other_trainee, hand_quiz)
    Attempt.objects.filter(pk=second.pk).update(submitted_at=first.submitted_at + timedelta(1))
    client.force_login(assessor)
    response = client.get(reverse("marking:queue"))
    assert response.status_code == 200
    rows = response.context["queue"].rows
    assert [r.answer.attempt_id for r in rows] == [first.pk, second.pk]
    body = response.content.decode()
    assert "Tara" not in body and "Otto" not in body
    assert f"{CANDIDATE} #{written_answer(first).pk}" in body
    assert MODEL_MARK not in body


def test_queue_only_shows_the_assessors_cohorts(
    client, trainee, other_trainee, assessor, cohort, other_cohort, hand_quiz
):
    answer_and_submit(other_trainee, hand_quiz)
    client.force_login(assessor)
    response = client.get(reverse("marking:queue"))
    assert response.context["queue"].rows == []
    assert client.get(reverse("marking:queue"), {"cohort": other_cohort.pk}).status_code == 404
    assert client.get(reverse("marking:queue"), {"quiz": "x"}).status_code == 400


def test_queue_query_count_is_flat(
    client, django_assert_max_num_queries, trainee, assessor, cohort, hand_quiz
):
    for i in range(6):
        person = make_trainee(username=f"t{i}")
        cohort.memberships.create(user=person)
        answer_and_submit(person, hand_quiz)
    client.force_login(assessor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("marking:queue"))
    assert len(response.context["queue"].rows) == 6


def test_answer_page_blind_until_saved_then_named(client, trainee, assessor, cohort, hand_quiz):
    attempt = answer_and_submit(trainee, hand_quiz)
    answer = written_answer(attempt)
    url = reverse("marking:answer", args=[answer.pk])
    client.force_login(assessor)
    page = client.get(url).content.decode()
    assert "Tara" not in page
    assert MODEL_MARK in page and GUIDE_MARK in page
    assert "Apply firm pressure with sterile gauze." in page
    response = client.post(url, {"points": "3.5", "feedback": "Clear and safe."})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Tara Trainee" in page
    assert "The mark is saved: 3.5 / 4 points for Tara Trainee." in page
    attempt.refresh_from_db()
    assert attempt.passed is True


def test_answer_page_refuses_bad_points_with_400(client, trainee, assessor, cohort, hand_quiz):
    answer = written_answer(answer_and_submit(trainee, hand_quiz))
    url = reverse("marking:answer", args=[answer.pk])
    client.force_login(assessor)
    for points, message in [
        ("5", MARK_POINTS_RANGE.format(points=4)),
        ("-1", MARK_POINTS_RANGE.format(points=4)),
        ("abc", MARK_POINTS_RANGE.format(points=4)),
        ("", POINTS_REQUIRED),
    ]:
        response = client.post(url, {"points": points, "feedback": ""})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not WrittenAnswerMark.objects.exists()


def test_out_of_scope_and_junk_answers_are_404(
    client, trainee, other_trainee, assessor, cohort, other_cohort, hand_quiz
):
    mine = written_answer(answer_and_submit(trainee, hand_quiz))
    theirs = written_answer(answer_and_submit(other_trainee, hand_quiz))
    client.force_login(assessor)
    assert client.get(reverse("marking:answer", args=[theirs.pk])).status_code == 404
    assert (
        client.post(reverse("marking:answer", args=[theirs.pk]), {"points": "1"}).status_code == 404
    )
    assert client.get(reverse("marking:answer", args=[999999])).status_code == 404
    choice_answer = mine.attempt.answers.exclude(pk=mine.pk).get()
    assert client.get(reverse("marking:answer", args=[choice_answer.pk])).status_code == 404


def test_non_assessors_get_403(client, trainee, manager, educator, cohort, hand_quiz):
    answer = written_answer(answer_and_submit(trainee, hand_quiz))
    for person in (trainee, manager, educator):
        client.force_login(person)
        assert client.get(reverse("marking:queue")).status_code == 403
        assert client.get(reverse("marking:answer", args=[answer.pk])).status_code == 403


def test_trainee_sees_awaiting_marking_then_the_feedback(
    client, trainee, assessor, cohort, hand_quiz
):
    attempt = answer_and_submit(trainee, hand_quiz)
    client.force_login(trainee)
    page = client.get(reverse("quizzes:result", args=[attempt.uuid])).content.decode()
    assert "Awaiting marking" in page
    assert "Not passed" not in page and "Passed" not in page
    assert MODEL_MARK not in page and GUIDE_MARK not in page
    assert "Apply firm pressure with sterile gauze." in page
    detail = client.get(reverse("quizzes:detail", args=[hand_quiz.slug])).content.decode()
    assert 'data-testid="rule-marking"' in detail
    answer_mark(
        marker=assessor, answer=written_answer(attempt), points=Decimal(4), feedback="FEEDBACK-X"
    )
    page = client.get(reverse("quizzes:result", args=[attempt.uuid])).content.decode()
    assert "Passed" in page
    assert "FEEDBACK-X" in page
    assert MODEL_MARK in page  # the quiz's feedback policy is full review
    assert GUIDE_MARK not in page


def test_attempt_page_shows_a_labelled_textarea_without_the_model_answer(
    client, trainee, hand_quiz
):
    attempt = attempt_start(user=trainee, quiz=hand_quiz)
    client.force_login(trainee)
    page = client.get(reverse("quizzes:attempt", args=[attempt.uuid])).content.decode()
    ident = f"q{written_entry(attempt)['id']}-text"
    assert f'<label class="form-label" for="{ident}">' in page
    assert f'<textarea class="form-control" name="q-{written_entry(attempt)["id"]}"' in page
    assert MODEL_MARK not in page and GUIDE_MARK not in page


def test_oversized_text_is_400_and_keeps_the_saved_text(client, trainee, hand_quiz):
    attempt = attempt_start(user=trainee, quiz=hand_quiz)
    field = f"q-{written_entry(attempt)['id']}"
    url = reverse("quizzes:save", args=[attempt.uuid])
    client.force_login(trainee)
    headers = {"Accept": "application/json"}
    ok = client.post(url, {"sequence": 0, field: "First draft\r\nline two"}, headers=headers)
    assert ok.status_code == 200
    too_long = "x" * (WRITTEN_ANSWER_MAX_CHARS + 1)
    response = client.post(url, {"sequence": 1, field: too_long}, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"] == SAVE_TEXT_TOO_LONG
    assert written_answer(attempt).text == "First draft\nline two"
    # A reload shows the saved text exactly (the newline after <textarea> is the parser's).
    page = client.get(reverse("quizzes:attempt", args=[attempt.uuid])).content.decode()
    assert ">\nFirst draft\nline two</textarea>" in page
    exact = "y" * WRITTEN_ANSWER_MAX_CHARS
    assert client.post(url, {"sequence": 1, field: exact}, headers=headers).status_code == 200
    assert written_answer(attempt).text == exact


def test_stale_tab_cannot_overwrite_the_text(client, trainee, hand_quiz):
    attempt = attempt_start(user=trainee, quiz=hand_quiz)
    field = f"q-{written_entry(attempt)['id']}"
    url = reverse("quizzes:save", args=[attempt.uuid])
    client.force_login(trainee)
    headers = {"Accept": "application/json"}
    assert client.post(url, {"sequence": 0, field: "Tab one"}, headers=headers).status_code == 200
    assert client.post(url, {"sequence": 0, field: "Tab two"}, headers=headers).status_code == 409
    assert written_answer(attempt).text == "Tab one"


def test_time_limit_close_keeps_the_text_and_waits_for_marking(trainee, hand_quiz):
    hand_quiz.time_limit_minutes = 10
    hand_quiz.save()
    start = timezone.now() - timedelta(minutes=30)
    attempt = attempt_start(user=trainee, quiz=hand_quiz, now=start)
    attempt_save_answers(
        attempt=attempt,
        answers={},
        sequence=0,
        texts={written_entry(attempt)["id"]: "Saved before the deadline"},
        now=start + timedelta(minutes=5),
    )
    assert attempt_close_if_expired(attempt=attempt) is True
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.MARKING
    assert attempt.close_reason == Attempt.CloseReason.TIME_LIMIT
    assert written_answer(attempt).text == "Saved before the deadline"
