"""The quiz engine's admin: accommodations and attempts.

Attempts are read-only there: educators list and read them; nobody adds, changes or deletes.
"""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.models import Accommodation, Attempt, Question
from quizzes.services import attempt_save_answers, attempt_start, attempt_submit
from tests.builders import (
    EXPLANATION_MARK,
    correct_ids,
    make_quiz,
    wrong_ids,
)
from trainingsite.roles import Role

pytestmark = pytest.mark.django_db


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


def test_an_accommodation_page_names_people_without_links_educators_cannot_open(
    educator, educator_client, trainee
):
    quiz = make_quiz(1)
    educator.first_name, educator.last_name = "Edna", "Educator"
    educator.save()
    accommodation = Accommodation.objects.create(
        user=trainee, quiz=quiz, extra_minutes=10, granted_by=educator
    )
    response = educator_client.get(
        reverse("admin:quizzes_accommodation_change", args=[accommodation.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Edna Educator" in page
    assert "/admin/auth/user/" not in page
    attempts = reverse("admin:quizzes_attempt_changelist") + f"?user__id__exact={trainee.pk}"
    assert attempts in page
    # Whom the grant is for stays as it was when the amounts change.
    response = educator_client.post(
        reverse("admin:quizzes_accommodation_change", args=[accommodation.pk]),
        {"user": "999999", "quiz": str(quiz.pk), "extra_minutes": "20", "extra_attempts": "0"},
    )
    assert response.status_code == 302
    accommodation.refresh_from_db()
    assert (accommodation.user, accommodation.extra_minutes) == (trainee, 20)


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
