"""The quiz engine's admin: questions and quizzes checked on save, accommodations, attempts.

Attempts are read-only there: educators list and read them; nobody adds, changes or deletes.
"""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.authoring.validation import (
    CHOICES_AT_LEAST_TWO,
    MULTIPLE_ONE_CORRECT,
    QUIZ_TOO_FEW_ACTIVE,
    SINGLE_ONE_CORRECT,
    TRUE_FALSE_ONE_CORRECT,
    TRUE_FALSE_TWO_CHOICES,
)
from quizzes.models import Accommodation, Attempt, AttemptAnswer, Question, Quiz
from quizzes.services import attempt_save_answers, attempt_start, attempt_submit
from tests.builders import (
    EXPLANATION_MARK,
    correct_ids,
    make_question,
    make_quiz,
    shared_topic,
    wrong_ids,
)
from trainingsite.roles import Role

pytestmark = pytest.mark.django_db


def question_post(kind, choices, key="new-q"):
    topic = shared_topic()
    data = {
        "key": key,
        "kind": kind,
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
    data = {
        "title": "New quiz",
        "slug": "new-quiz",
        "description": "",
        "status": status,
        "order": "0",
        "topic": "",
        "pass_mark": "80",
        "topic_minimum_percent": "",
        "max_attempts": "",
        "time_limit_minutes": "",
        "retake_wait_minutes": "0",
        "questions_per_attempt": per_attempt,
        "feedback_policy": "full",
        "pool-TOTAL_FORMS": str(len(questions)),
        "pool-INITIAL_FORMS": "0",
        "pool-MIN_NUM_FORMS": "0",
        "pool-MAX_NUM_FORMS": "1000",
    }
    for i, question in enumerate(questions):
        data[f"pool-{i}-question"] = str(question.pk)
        data[f"pool-{i}-order"] = str(i)
    return data


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


def test_preview_shows_questions_and_records_nothing(educator_client):
    quiz = make_quiz(3, status="draft")
    response = educator_client.get(reverse("quizzes:preview", args=[quiz.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<fieldset") == 3
    assert "Nothing is recorded" in html
    assert EXPLANATION_MARK not in html
    assert Attempt.objects.count() == 0
    assert AttemptAnswer.objects.count() == 0


def test_preview_is_for_educators_only(trainee_client):
    quiz = make_quiz(1)
    assert trainee_client.get(reverse("quizzes:preview", args=[quiz.slug])).status_code == 403


def test_educator_cannot_delete_questions(educator_client):
    question = make_question("keep-me")
    response = educator_client.get(reverse("admin:quizzes_question_delete", args=[question.pk]))
    assert response.status_code == 403


def test_accommodation_records_who_granted_it(educator, educator_client, trainee):
    quiz = make_quiz(1)
    response = educator_client.post(
        reverse("admin:quizzes_accommodation_add"),
        {
            "user": str(trainee.pk),
            "quiz": str(quiz.pk),
            "extra_minutes": "15",
            "extra_attempts": "1",
            "note": "Reading support",
        },
    )
    assert response.status_code == 302
    accommodation = Accommodation.objects.get()
    assert accommodation.granted_by == educator
    assert (accommodation.extra_minutes, accommodation.extra_attempts) == (15, 1)


# Attempts (read-only) ---------------------------------------------------------------

# Measured on SQLite: the request, session and admin permissions, the attempt with
# its user and quiz, the answers, and the session save.
ATTEMPT_ADMIN_QUERIES = 10


def submitted(user, quiz, right=(0,)):
    attempt = attempt_start(user=user, quiz=quiz)
    answers = {
        q["id"]: correct_ids(q) if i in right else wrong_ids(q)
        for i, q in enumerate(attempt.paper["questions"])
    }
    attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence)
    return attempt_submit(attempt=attempt)


def test_educator_role_may_view_attempts_only():
    codenames = set(
        Group.objects.get(name=Role.EDUCATOR)
        .permissions.filter(content_type__model="attempt")
        .values_list("codename", flat=True)
    )
    assert codenames == {"view_attempt"}


def test_educator_lists_attempts_with_score(educator_client, trainee, other_trainee):
    quiz = make_quiz(2, pass_mark=50)
    submitted(trainee, quiz, right=(0,))
    submitted(other_trainee, quiz, right=())

    response = educator_client.get(reverse("admin:quizzes_attempt_changelist"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "1 / 2 (50%)" in html
    assert "0 / 2 (0%)" in html
    assert response.context["cl"].result_count == 2


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind__exact": "practice"}, 0),
        ({"kind__exact": "graded"}, 2),
        ({"state__exact": "submitted"}, 2),
        ({"q": "tara"}, 1),
    ],
)
def test_educator_filters_and_searches_attempts(
    educator_client, trainee, other_trainee, params, expected
):
    quiz = make_quiz(1)
    submitted(trainee, quiz)
    submitted(other_trainee, quiz)
    response = educator_client.get(reverse("admin:quizzes_attempt_changelist"), params)
    assert response.status_code == 200
    assert response.context["cl"].result_count == expected


def test_detail_shows_the_frozen_paper_and_answers_readably(educator_client, trainee):
    quiz = make_quiz(2, pass_mark=100)
    attempt = submitted(trainee, quiz, right=(0,))
    # Editing the question afterwards does not change what the attempt shows.
    first = attempt.paper["questions"][0]
    Question.objects.filter(pk=first["id"]).update(prompt="Rewritten later")

    response = educator_client.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert first["prompt"] in html
    assert "Rewritten later" not in html
    assert EXPLANATION_MARK in html
    right = next(c for c in first["choices"] if c["is_correct"])
    assert f"<strong>{right['text']}</strong> [chosen, correct]" in html
    assert "1 awarded, correct" in html
    assert "0 awarded, wrong" in html
    # View only: no save buttons, no delete link.
    assert 'name="_save"' not in html
    assert reverse("admin:quizzes_attempt_delete", args=[attempt.pk]) not in html


def _detail_queries(client, attempt) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk]))
    assert response.status_code == 200
    return len(captured)


def test_detail_query_count_is_flat(educator_client, trainee, django_assert_max_num_queries):
    small = submitted(trainee, make_quiz(5, slug="small"))
    large = submitted(trainee, make_quiz(60, slug="large", kinds=("single", "multiple")))
    _detail_queries(educator_client, small)  # warms the content-type cache
    assert _detail_queries(educator_client, small) == _detail_queries(educator_client, large)
    with django_assert_max_num_queries(ATTEMPT_ADMIN_QUERIES):
        educator_client.get(reverse("admin:quizzes_attempt_change", args=[large.pk]))


@pytest.mark.parametrize("method", ["add", "delete", "post_change"])
def test_nobody_adds_changes_or_deletes_attempts(client, superuser, educator, trainee, method):
    attempt = submitted(trainee, make_quiz(1))
    for user in (educator, superuser):
        client.force_login(user)
        if method == "add":
            response = client.get(reverse("admin:quizzes_attempt_add"))
        elif method == "delete":
            response = client.post(
                reverse("admin:quizzes_attempt_delete", args=[attempt.pk]), {"post": "yes"}
            )
        else:
            response = client.post(
                reverse("admin:quizzes_attempt_change", args=[attempt.pk]),
                {"state": "in_progress", "percent": "0"},
            )
        assert response.status_code == 403
    attempt.refresh_from_db()
    assert (attempt.state, attempt.percent) == (Attempt.State.SUBMITTED, 100.0)


def test_trainees_and_managers_cannot_reach_the_attempt_admin(client, trainee, manager):
    attempt = submitted(trainee, make_quiz(1))
    for user in (trainee, manager):
        client.force_login(user)
        response = client.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk]))
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
