"""Question admin: mark and clear "needs review", filter and column."""

import pytest
from django.urls import reverse

from quizzes.authoring.services import QUESTIONS_MARKED_FOR_REVIEW, QUESTIONS_REVIEW_CLEARED
from quizzes.models import Question
from quizzes.services import quiz_paper_build
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:quizzes_question_changelist"


def run_action(client, action, questions):
    response = client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [str(q.pk) for q in questions]},
    )
    assert response.status_code == 302
    return [str(m) for m in client.get(response["Location"]).context["messages"]]


def test_mark_action_holds_the_questions_out_of_new_papers(educator_client):
    quiz = make_quiz(questions=3, slug="bank")
    held = list(Question.objects.filter(key__in=["bank-0", "bank-2"]))
    messages = run_action(educator_client, "mark_needs_review", held)
    assert QUESTIONS_MARKED_FOR_REVIEW.format(count=2) in messages
    assert set(Question.objects.filter(needs_review=True).values_list("key", flat=True)) == {
        "bank-0",
        "bank-2",
    }
    assert [q["key"] for q in quiz_paper_build(quiz=quiz)["questions"]] == ["bank-1"]


def test_clear_action_puts_them_back(educator_client):
    quiz = make_quiz(questions=2, slug="clear")
    Question.objects.update(needs_review=True)
    messages = run_action(educator_client, "clear_needs_review", list(Question.objects.all()))
    assert QUESTIONS_REVIEW_CLEARED.format(count=2) in messages
    assert Question.objects.filter(needs_review=True).count() == 0
    assert len(quiz_paper_build(quiz=quiz)["questions"]) == 2


def test_changelist_filters_and_shows_needs_review(educator_client):
    make_quiz(questions=3, slug="filter")
    Question.objects.filter(key="filter-1").update(needs_review=True)
    response = educator_client.get(reverse(CHANGELIST), {"needs_review__exact": "1"})
    assert response.status_code == 200
    shown = [q.key for q in response.context["cl"].result_list]
    assert shown == ["filter-1"]
    assert "needs_review" in response.context["cl"].list_display
    assert "Mark as needing review" in response.content.decode()
    assert "Clear needs review" in response.content.decode()


def test_trainee_cannot_run_the_action(trainee_client):
    make_quiz(questions=1, slug="nope")
    response = trainee_client.post(
        reverse(CHANGELIST),
        {"action": "mark_needs_review", "_selected_action": [str(Question.objects.get().pk)]},
    )
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert Question.objects.get().needs_review is False
