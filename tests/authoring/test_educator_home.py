from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lessons.models import Lesson
from quizzes.authoring.home import HOME_LIST_LIMIT, educator_home
from quizzes.models import Question
from tests.builders import (
    make_bare_lesson,
    make_certificate,
    make_lesson,
    make_program,
    make_quiz,
    make_trainee,
)
from trainingsite.access import NOT_AN_EDUCATOR

pytestmark = pytest.mark.django_db

URL = reverse("educator_home")


def _grow(size: int) -> None:
    """`size` of everything the home lists: flagged questions, drafts, changed lessons."""
    now = timezone.now()
    for i in range(size):
        quiz = make_quiz(questions=2, slug=f"grow-quiz-{i}", status="draft")
        Question.objects.filter(pool_entries__quiz=quiz).update(needs_review=True)
        make_lesson(f"grow-draft-{i}", status=Lesson.Status.DRAFT)
        program = make_program(slug=f"grow-program-{i}", lessons=1, quizzes=0, status="draft")
        lesson = program.required_lessons.get()
        make_certificate(make_trainee(), program, issued_at=now - timedelta(days=3))
        Lesson.objects.filter(pk=lesson.pk).update(content_changed_at=now - timedelta(days=1))


def test_educator_home_lists_what_needs_attention(educator_client):
    now = timezone.now()
    quiz = make_quiz(questions=2, slug="final", status="published")
    flagged = quiz.questions.order_by("pk").first()
    Question.objects.filter(pk=flagged.pk).update(needs_review=True)
    draft_quiz = make_quiz(questions=1, slug="draft-quiz", status="draft")
    draft = make_lesson("draft-lesson", title="Unfinished lesson", status=Lesson.Status.DRAFT)
    program = make_program(slug="core", name="Core program", lessons=1, quizzes=0)
    changed = program.required_lessons.get()
    make_certificate(make_trainee(), program, issued_at=now - timedelta(days=10))
    make_certificate(make_trainee(), program, issued_at=now - timedelta(days=9))
    make_certificate(make_trainee(), program, issued_at=now - timedelta(days=8), revoked=True)
    make_certificate(make_trainee(), program, issued_at=now)  # after the change: not counted
    Lesson.objects.filter(pk=changed.pk).update(content_changed_at=now - timedelta(days=1))
    make_program(slug="draft-program", name="Draft program", lessons=0, quizzes=0, status="draft")

    response = educator_client.get(URL)

    assert response.status_code == 200
    home = response.context["home"]
    assert [q.key for q in home.flagged_questions.rows] == [flagged.key]
    assert home.flagged_questions.rows[0].quiz_count == 1
    assert [d.title for d in home.draft_lessons.rows] == ["Unfinished lesson"]
    assert [d.slug for d in home.draft_quizzes.rows] == ["draft-quiz"]
    assert [d.title for d in home.draft_programs.rows] == ["Draft program"]
    assert [(c.pk, c.certificates_before) for c in home.changed_lessons.rows] == [(changed.pk, 2)]
    by_slug = {row.slug: row for row in home.quizzes.rows}
    assert by_slug["final"].flagged == 1 and by_slug["final"].published is True
    html = response.content.decode()
    assert "1 question held for review" in html
    assert "1 lesson changed since certificates were issued" in html
    assert "(2 certificates issued before)" in html
    assert "1 draft lesson<" in html and "1 draft quiz<" in html
    for url in (
        reverse("reports:quizzes"),
        reverse("reports:questions", args=[quiz.pk]),
        reverse("authoring:quiz_preview", args=[draft_quiz.slug]),
        reverse("admin:quizzes_quiz_import_questions", args=[quiz.pk]),
        reverse("admin:quizzes_quiz_question_template"),
        reverse("admin:lessons_lesson_preview", args=[draft.pk]),
        reverse("admin:quizzes_question_change", args=[flagged.pk]),
        reverse("admin:index"),
    ):
        assert f'href="{url}' in html, url
    assert "(s)" not in html


def test_educator_home_says_when_nothing_needs_attention(educator_client):
    response = educator_client.get(URL)
    assert response.status_code == 200
    assert response.context["home"].needs_attention == 0
    assert 'data-testid="nothing-needs-attention"' in response.content.decode()


def test_lesson_changed_before_any_certificate_is_not_listed():
    program = make_program(slug="core", lessons=1, quizzes=0)
    lesson = program.required_lessons.get()
    now = timezone.now()
    Lesson.objects.filter(pk=lesson.pk).update(content_changed_at=now - timedelta(days=2))
    make_certificate(make_trainee(), program, issued_at=now)
    assert educator_home().changed_lessons.total == 0


def test_retired_flagged_questions_are_not_listed():
    quiz = make_quiz(questions=2)
    Question.objects.filter(pool_entries__quiz=quiz).update(
        needs_review=True, status=Question.Status.RETIRED
    )
    assert educator_home().flagged_questions.total == 0


def test_long_lists_are_cut_with_the_total_shown(educator_client):
    for i in range(HOME_LIST_LIMIT + 3):
        make_bare_lesson(slug=f"many-{i}", status=Lesson.Status.DRAFT)
    home = educator_client.get(URL).context["home"]
    assert len(home.draft_lessons.rows) == HOME_LIST_LIMIT
    assert home.draft_lessons.total == HOME_LIST_LIMIT + 3
    assert home.draft_lessons.more == 3


@pytest.mark.parametrize("size", [1, 12])
def test_educator_home_queries_stay_flat_as_content_grows(
    educator_client, django_assert_max_num_queries, size
):
    _grow(size)
    educator_client.get(URL)  # warm the session and the user's role cache
    with django_assert_max_num_queries(15):
        response = educator_client.get(URL)
    assert response.status_code == 200
    assert response.context["home"].draft_quizzes.total == size


def test_superuser_sees_the_educator_home(client, superuser):
    client.force_login(superuser)
    assert client.get(URL).status_code == 200


@pytest.mark.parametrize("persona", ["trainee", "manager"])
def test_others_cannot_open_the_educator_home(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(URL)
    assert response.status_code == 403
    assert NOT_AN_EDUCATOR in response.content.decode()
