"""Authoring pages: a quiz previewed as a trainee sees it, nothing recorded, educators only."""

import pytest
from django.urls import reverse

from quizzes.models import Attempt, AttemptAnswer
from tests.builders import (
    EXPLANATION_MARK,
    make_quiz,
)

pytestmark = pytest.mark.django_db


def test_preview_shows_questions_and_records_nothing(educator_client):
    quiz = make_quiz(3, status="draft")
    response = educator_client.get(reverse("authoring:quiz_preview", args=[quiz.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<fieldset") == 3
    assert "Nothing is recorded" in html
    assert EXPLANATION_MARK not in html
    assert Attempt.objects.count() == 0
    assert AttemptAnswer.objects.count() == 0


def test_preview_is_for_educators_only(trainee_client):
    quiz = make_quiz(1)
    assert (
        trainee_client.get(reverse("authoring:quiz_preview", args=[quiz.slug])).status_code == 403
    )
