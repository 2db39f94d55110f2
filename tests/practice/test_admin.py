"""The quiz admin and the content loader: an exam can never be set to immediate feedback."""

import html
import json

import pytest
from django.urls import reverse

from quizzes.authoring.content import QuizContentError, quizzes_load
from quizzes.authoring.validation import IMMEDIATE_NEEDS_FULL_REVIEW, IMMEDIATE_NEVER_EXAM
from quizzes.models import Quiz
from tests.builders import make_question, quiz_admin_form

pytestmark = pytest.mark.django_db


def test_the_quiz_admin_refuses_an_exam_with_immediate_feedback(educator_client):
    exam_question = make_question("adm-exam-1", bank="exam")
    response = educator_client.post(
        reverse("admin:quizzes_quiz_add"),
        quiz_admin_form(bank="exam", practice_behaviour="immediate", pool=[exam_question]),
    )
    assert response.status_code == 200
    assert IMMEDIATE_NEVER_EXAM in html.unescape(response.content.decode())
    assert not Quiz.objects.filter(slug="new-quiz").exists()


def test_the_quiz_admin_refuses_immediate_feedback_without_full_review(educator_client):
    response = educator_client.post(
        reverse("admin:quizzes_quiz_add"),
        quiz_admin_form(practice_behaviour="immediate", feedback_policy="score_only"),
    )
    assert IMMEDIATE_NEEDS_FULL_REVIEW in html.unescape(response.content.decode())


def test_the_quiz_admin_saves_a_practice_quiz_with_immediate_feedback(educator_client):
    response = educator_client.post(
        reverse("admin:quizzes_quiz_add"),
        quiz_admin_form(practice_behaviour="immediate", practice_tries="3"),
    )
    assert response.status_code == 302
    quiz = Quiz.objects.get(slug="new-quiz")
    assert (quiz.practice_behaviour, quiz.practice_tries) == ("immediate", 3)


def test_the_loader_refuses_a_shipped_exam_with_immediate_feedback(tmp_path):
    make_question("load-exam-1", bank="exam")
    (tmp_path / "questions.json").write_text("[]")
    entry = {
        "slug": "shipped-exam",
        "title": "Shipped exam",
        "bank": "exam",
        "questions": [],
        "practice_behaviour": "immediate",
    }
    (tmp_path / "quizzes.json").write_text(json.dumps([entry]))
    with pytest.raises(QuizContentError, match="never gives immediate feedback"):
        quizzes_load(directory=tmp_path)
