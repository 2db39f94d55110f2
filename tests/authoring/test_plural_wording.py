"""Authoring's messages in singular and plural forms, one of each module (never "(s)")."""

import pytest
from django.urls import reverse

from quizzes.authoring import quality
from quizzes.authoring.content import UNKNOWN_FIELDS
from quizzes.authoring.imports import IMPORTED_SUMMARY
from quizzes.authoring.services import (
    QUESTION_DELETE_REFUSED,
    QUESTIONS_MOVED,
    QUESTIONS_RETIRED,
    QUIZ_DUPLICATED,
)
from quizzes.authoring.validation import QUIZ_TOO_FEW_ACTIVE, quiz_publish_problem
from quizzes.models import Question
from quizzes.services import attempt_start
from tests.builders import make_quiz


def test_retired_questions_message_agrees_with_the_count():
    assert QUESTIONS_RETIRED.format(count=1) == (
        "1 question retired: it is no longer drawn into new attempts."
    )
    assert QUESTIONS_RETIRED.format(count=3) == (
        "3 questions retired: they are no longer drawn into new attempts."
    )


def test_moved_duplicated_and_delete_refused_messages_agree_with_the_count():
    assert QUESTIONS_MOVED.format(count=1, bank="exam") == "1 question moved to the exam bank."
    assert QUESTIONS_MOVED.format(count=2, bank="exam") == "2 questions moved to the exam bank."
    assert QUIZ_DUPLICATED.format(title="A", copy="B", count=1).endswith("with 1 new question.")
    assert QUIZ_DUPLICATED.format(title="A", copy="B", count=4).endswith("with 4 new questions.")
    assert "answered it in 1 attempt, and" in QUESTION_DELETE_REFUSED.format(key="q", count=1)
    assert "answered it in 2 attempts, and" in QUESTION_DELETE_REFUSED.format(key="q", count=2)


def test_too_few_active_questions_names_one_question_or_several():
    one = quiz_publish_problem(published=True, questions_per_attempt=1, active=0)
    several = quiz_publish_problem(published=True, questions_per_attempt=5, active=2)
    assert one == QUIZ_TOO_FEW_ACTIVE.format(needed=1, active=0)
    assert one.startswith("A published quiz needs at least 1 active question in its pool")
    assert several.startswith("A published quiz needs at least 5 active questions in its pool")


def _item(key: str, prompt: str) -> quality.Item:
    choices = (quality.ItemChoice("Yes", True, "Right."), quality.ItemChoice("No", False, "No."))
    return quality.Item(key=key, kind="single", prompt=prompt, explanation="Why.", choices=choices)


def test_near_duplicate_summary_counts_one_pair_or_several():
    prompt = "How long do you press on a bleeding point after needling?"
    one = quality.near_duplicates([_item("a", prompt), _item("b", prompt)])
    three = quality.near_duplicates([_item(key, prompt) for key in "abc"])
    assert one.summary.startswith("1 pair of prompts at 60% word overlap or more")
    assert three.summary.startswith("3 pairs of prompts at 60% word overlap or more")


def test_missing_feedback_agrees_with_the_missing_count():
    assert quality.NO_FEEDBACK_MESSAGE.format(missing=1, choices=4) == (
        "1 of 4 choices has no feedback."
    )
    assert quality.NO_FEEDBACK_MESSAGE.format(missing=2, choices=4) == (
        "2 of 4 choices have no feedback."
    )


def test_content_loader_and_import_audit_wording_agree_with_the_count():
    assert UNKNOWN_FIELDS.format(where="q-1", fields="colour", count=1) == (
        "q-1: unknown field colour."
    )
    assert UNKNOWN_FIELDS.format(where="q-1", fields="colour, size", count=2) == (
        "q-1: unknown fields colour, size."
    )
    assert IMPORTED_SUMMARY.format(count=1, quiz="Final") == "1 question imported into Final"
    assert IMPORTED_SUMMARY.format(count=2, quiz="Final") == "2 questions imported into Final"


@pytest.mark.django_db
def test_attempt_admin_shows_one_point_or_several(educator_client, trainee):
    quiz = make_quiz(2)
    heavy = quiz.questions.order_by("key").last()
    Question.objects.filter(pk=heavy.pk).update(points=3)
    attempt = attempt_start(user=trainee, quiz=quiz)

    response = educator_client.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk]))

    html = response.content.decode()
    assert " · 1 point · " in html
    assert " · 3 points · " in html
    assert "(s)" not in html
