"""The program admin's renewal-by-review fields: shown, and refused without a fit renewal quiz."""

import pytest
from django.urls import reverse

from quizzes.certification.renewal_rules import (
    RENEWAL_QUIZ_NOT_EXAM,
    RENEWAL_QUIZ_NOT_PUBLISHED,
    RENEWAL_QUIZ_REQUIRED,
)
from quizzes.models import Bank, Program
from tests.builders import make_question, make_quiz

pytestmark = pytest.mark.django_db


def program_data(**fields) -> dict:
    data = {
        "name": "Renewable",
        "slug": "renewable",
        "status": "published",
        "validity_months": "24",
        "update_window_days": "60",
        "update_quiz_questions": "5",
        "update_pass_mark": "80",
    }
    return {**data, **fields}


def exam_quiz(slug="short-renewal", status="published"):
    question = make_question(f"{slug}-1", bank=Bank.EXAM)
    return make_quiz(questions=[question], slug=slug, status=status, bank=Bank.EXAM)


def post(client, **fields):
    return client.post(reverse("admin:quizzes_program_add"), program_data(**fields))


def test_the_program_admin_shows_both_fields(educator_client):
    body = educator_client.get(reverse("admin:quizzes_program_add")).content.decode()
    assert 'name="renewal_by_review"' in body
    assert 'name="renewal_quiz"' in body


def test_the_renewal_quiz_list_leaves_out_the_review_sessions_quiz(educator_client):
    make_quiz(questions=0, slug="spaced-review", status="draft")
    exam_quiz()
    form = educator_client.get(reverse("admin:quizzes_program_add")).context["adminform"].form
    slugs = {quiz.slug for quiz in form.fields["renewal_quiz"].queryset}
    assert slugs == {"short-renewal"}


@pytest.mark.parametrize(
    ("quiz_kind", "message"),
    [
        ("none", RENEWAL_QUIZ_REQUIRED),
        ("practice", RENEWAL_QUIZ_NOT_EXAM),
        ("draft", RENEWAL_QUIZ_NOT_PUBLISHED),
    ],
)
def test_renewal_by_review_needs_a_published_exam_quiz(educator_client, quiz_kind, message):
    quiz = {
        "none": None,
        "practice": make_quiz(questions=1, slug="practice-renewal"),
        "draft": exam_quiz(status="draft"),
    }[quiz_kind]
    response = post(educator_client, renewal_by_review="on", renewal_quiz=quiz.pk if quiz else "")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"renewal_quiz": [message]}
    assert not Program.objects.exists()


def test_renewal_by_review_with_a_published_exam_quiz_is_saved(educator_client):
    quiz = exam_quiz()
    response = post(educator_client, renewal_by_review="on", renewal_quiz=quiz.pk)
    assert response.status_code == 302
    program = Program.objects.get(slug="renewable")
    assert (program.renewal_by_review, program.renewal_quiz_id) == (True, quiz.pk)


def test_off_by_default_and_any_quiz_left_unchecked_while_off(educator_client):
    practice = make_quiz(questions=1, slug="practice-renewal")
    assert post(educator_client, renewal_quiz=practice.pk).status_code == 302
    program = Program.objects.get(slug="renewable")
    assert (program.renewal_by_review, program.renewal_quiz_id) == (False, practice.pk)
    assert Program._meta.get_field("renewal_by_review").default is False
