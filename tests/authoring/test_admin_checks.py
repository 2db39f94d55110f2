"""The question and quiz admin: choices and pools checked on save, questions never deleted."""

import pytest
from django.urls import reverse

from quizzes.authoring.validation import (
    CHOICES_AT_LEAST_TWO,
    MULTIPLE_ONE_CORRECT,
    QUIZ_TOO_FEW_ACTIVE,
    SINGLE_ONE_CORRECT,
    TRUE_FALSE_ONE_CORRECT,
    TRUE_FALSE_TWO_CHOICES,
)
from quizzes.models import Question, Quiz
from tests.builders import (
    make_question,
    make_quiz,
    quiz_admin_form,
    shared_topic,
)

pytestmark = pytest.mark.django_db


def question_post(kind, choices, key="new-q"):
    topic = shared_topic()
    data = {
        "key": key,
        "kind": kind,
        "bank": "practice",
        "prompt": "What now?",
        "explanation": "Because.",
        "points": "1",
        "status": "active",
        "topic": str(topic.pk),
        "lesson": "",
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for i, (text, correct) in enumerate(choices):
        data[f"choices-{i}-text"] = text
        data[f"choices-{i}-order"] = str(i)
        data[f"choices-{i}-feedback"] = ""
        if correct:
            data[f"choices-{i}-is_correct"] = "on"
    return data


@pytest.mark.parametrize(
    ("kind", "choices", "messages"),
    [
        ("single", [("A", True), ("B", True)], [SINGLE_ONE_CORRECT]),
        ("single", [("A", False), ("B", False)], [SINGLE_ONE_CORRECT]),
        ("true_false", [("True", True), ("False", True)], [TRUE_FALSE_ONE_CORRECT]),
        (
            "true_false",
            [("True", True), ("False", False), ("Maybe", False)],
            [TRUE_FALSE_TWO_CHOICES],
        ),
        ("multiple", [("A", False), ("B", False)], [MULTIPLE_ONE_CORRECT]),
    ],
)
def test_question_admin_refuses_invalid_choices(educator_client, kind, choices, messages):
    response = educator_client.post(
        reverse("admin:quizzes_question_add"), question_post(kind, choices)
    )
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors() == messages
    assert Question.objects.count() == 0


def test_question_admin_needs_two_choices(educator_client):
    data = question_post("multiple", [("Only", True)])
    response = educator_client.post(reverse("admin:quizzes_question_add"), data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert errors == [CHOICES_AT_LEAST_TWO]
    assert Question.objects.count() == 0


def test_question_admin_saves_a_valid_question(educator_client):
    data = question_post("multiple", [("A", True), ("B", True), ("C", False)])
    response = educator_client.post(reverse("admin:quizzes_question_add"), data)
    assert response.status_code == 302
    question = Question.objects.get(key="new-q")
    assert list(question.choices.values_list("text", "is_correct")) == [
        ("A", True),
        ("B", True),
        ("C", False),
    ]


def quiz_post(status, questions, per_attempt=""):
    return quiz_admin_form(status=status, pool=questions, per_attempt=per_attempt)


def test_quiz_cannot_be_published_with_too_few_active_questions(educator_client):
    active = make_question("active-1")
    retired = make_question("retired-1")
    Question.objects.filter(pk=retired.pk).update(status=Question.Status.RETIRED)
    retired.refresh_from_db()
    response = educator_client.post(
        reverse("admin:quizzes_quiz_add"), quiz_post("published", [active, retired], "2")
    )
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors() == [
        QUIZ_TOO_FEW_ACTIVE.format(needed=2, active=1)
    ]
    assert Quiz.objects.count() == 0
    # As a draft it saves.
    response = educator_client.post(
        reverse("admin:quizzes_quiz_add"), quiz_post("draft", [active, retired], "2")
    )
    assert response.status_code == 302
    assert Quiz.objects.get().pool.count() == 2


def test_quiz_admin_lists_pool_with_kind_points_and_status(educator_client):
    quiz = make_quiz(2, kinds=("multiple",))
    response = educator_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Multiple response (select all that apply)" in html
    assert "Preview as trainee" in html
    changelist = educator_client.get(reverse("admin:quizzes_quiz_changelist") + "?q=first")
    assert "Quiz first-quiz" in changelist.content.decode()


def test_educator_cannot_delete_questions(educator_client):
    question = make_question("keep-me")
    response = educator_client.get(reverse("admin:quizzes_question_delete", args=[question.pk]))
    assert response.status_code == 403
