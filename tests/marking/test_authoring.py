"""Authoring written-answer questions: the rules (pure), the admin, the loader, the imports."""

import json

import pytest
from django.urls import reverse

from quizzes.authoring import validation
from quizzes.authoring.content import QuizContentError, quizzes_load
from quizzes.authoring.formats import csv_template
from quizzes.authoring.formats.common import ERROR_WRITTEN_NOT_IMPORTED
from quizzes.models import Question, Quiz
from tests.builders.bank import make_question, make_quiz, question_admin_form, quiz_admin_form
from tests.builders.lessons import shared_topic
from tests.marking.conftest import make_written


def test_written_rules_are_pure_and_name_the_keys():
    assert validation.question_choice_problems(kind="written", correct_flags=[]) == []
    assert validation.question_choice_problems(kind="written", correct_flags=[True]) == [
        validation.WRITTEN_NO_CHOICES
    ]
    assert validation.written_question_problems(kind="written", model_answer="  ") == [
        validation.WRITTEN_NEEDS_MODEL_ANSWER
    ]
    assert validation.written_question_problems(kind="single", model_answer="") == []
    assert validation.pool_written_problem(
        hand_marked=False, questions=[("a", "written"), ("b", "single"), ("c", "written")]
    ) == validation.POOL_WRITTEN_NOT_HAND_MARKED.format(keys="a, c", verb="are", them="them")
    assert validation.pool_written_problem(hand_marked=True, questions=[("a", "written")]) is None


@pytest.mark.django_db
def test_the_quiz_admin_refuses_a_written_question_in_a_quiz_not_hand_marked(educator_client):
    written = make_written("adm-w")
    response = educator_client.post(
        reverse("admin:quizzes_quiz_add"), quiz_admin_form(pool=[written])
    )
    assert response.status_code == 200
    assert "adm-w is written" in response.text
    assert not Quiz.objects.filter(slug="new-quiz").exists()
    response = educator_client.post(
        reverse("admin:quizzes_quiz_add"), quiz_admin_form(pool=[written], hand_marked="on")
    )
    assert response.status_code == 302
    assert Quiz.objects.get(slug="new-quiz").hand_marked is True


@pytest.mark.django_db
def test_the_question_admin_needs_a_model_answer_and_shows_the_fields(educator_client):
    question = make_written("adm-w2")
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    page = educator_client.get(url).text
    assert 'name="model_answer"' in page and 'name="marking_guide"' in page
    data = question_admin_form(question, model_answer="", marking_guide="")
    response = educator_client.post(url, data)
    assert response.status_code == 200
    assert validation.WRITTEN_NEEDS_MODEL_ANSWER in response.text.replace("&#x27;", "'")


@pytest.mark.django_db
def test_the_question_admin_refuses_making_a_pooled_question_written(educator_client):
    question = make_question("adm-s")
    make_quiz([question], slug="plain-quiz")
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    data = question_admin_form(question, kind="written", model_answer="Pressure.")
    data.update({f"choices-{i}-DELETE": "on" for i in range(3)})
    response = educator_client.post(url, data)
    assert response.status_code == 200
    assert "“Quiz plain-quiz”, which is not hand-marked" in response.text
    question.refresh_from_db()
    assert question.kind == "single"


def _write(tmp_path, questions, quizzes):
    (tmp_path / "questions.json").write_text(json.dumps(questions))
    (tmp_path / "quizzes.json").write_text(json.dumps(quizzes))
    return tmp_path


@pytest.mark.django_db
def test_the_loader_refuses_written_questions_outside_hand_marked_quizzes(tmp_path):
    topic = shared_topic().slug
    question = {
        "key": "load-w",
        "topic": topic,
        "kind": "written",
        "prompt": "Case?",
        "choices": [],
        "model_answer": "Pressure.",
    }
    quiz = {"slug": "load-cases", "title": "Cases", "questions": ["load-w"]}
    with pytest.raises(QuizContentError, match="load-w is written"):
        quizzes_load(directory=_write(tmp_path, [question], [quiz]))
    with pytest.raises(QuizContentError, match="needs a model answer"):
        quizzes_load(directory=_write(tmp_path, [{**question, "model_answer": ""}], []))
    quizzes_load(directory=_write(tmp_path, [question], [{**quiz, "hand_marked": True}]))
    assert Question.objects.get(key="load-w").model_answer == "Pressure."
    assert Quiz.objects.get(slug="load-cases").hand_marked is True


def test_csv_imports_refuse_written_questions_clearly():
    text = "kind,prompt,choice_1,choice_2,correct\r\nwritten,Case?,a,b,1\r\n"
    result = csv_template.parse(text)
    assert [error.message for error in result.errors] == [ERROR_WRITTEN_NOT_IMPORTED]
