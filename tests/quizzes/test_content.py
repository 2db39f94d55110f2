import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from lessons.services import lessons_load
from quizzes.authoring.content import TRUE_FALSE_ORDER, QuizContentError, quizzes_load
from quizzes.authoring.validation import (
    CHOICES_AT_LEAST_TWO,
    MULTIPLE_ONE_CORRECT,
    SINGLE_ONE_CORRECT,
    TRUE_FALSE_ONE_CORRECT,
    TRUE_FALSE_TWO_CHOICES,
)
from quizzes.models import Choice, Question, Quiz
from tests.builders import make_bare_lesson, shared_topic

pytestmark = pytest.mark.django_db


def single(key="q-1", **extra):
    return {
        "key": key,
        "topic": "managing-bleeding",
        "lesson": "pressure",
        "kind": "single",
        "prompt": f"Prompt {key}",
        "explanation": "Because.",
        "points": 1,
        "critical": False,
        "choices": [
            {"text": "Right", "correct": True, "feedback": "Yes."},
            {"text": "Wrong", "correct": False},
        ],
        **extra,
    }


def quiz(**extra):
    return {
        "slug": "managing",
        "title": "Managing",
        "description": "d",
        "topic": "managing-bleeding",
        "lessons": ["pressure"],
        "questions": ["q-1", "q-2"],
        "pass_mark": 80,
        "max_attempts": None,
        "time_limit_minutes": None,
        "questions_per_attempt": None,
        "shuffle_questions": True,
        "shuffle_choices": True,
        "feedback_policy": "full",
        "prerequisite_lessons": ["pressure"],
        "retake_wait_minutes": 0,
        "topic_minimum_percent": None,
        "status": "published",
        **extra,
    }


@pytest.fixture
def content(tmp_path):
    shared_topic()
    make_bare_lesson()

    def write(questions=None, quizzes=None):
        questions = [single("q-1"), single("q-2")] if questions is None else questions
        quizzes = [quiz()] if quizzes is None else quizzes
        (tmp_path / "questions.json").write_text(json.dumps(questions))
        (tmp_path / "quizzes.json").write_text(json.dumps(quizzes))
        return tmp_path

    return write


def test_load_creates_questions_choices_and_quiz(content):
    result = quizzes_load(directory=content())
    assert (result.questions.created, result.quizzes.created) == (2, 1)
    loaded = Quiz.objects.get(slug="managing")
    assert loaded.status == Quiz.Status.PUBLISHED
    assert list(loaded.pool.values_list("question__key", flat=True)) == ["q-1", "q-2"]
    assert list(loaded.prerequisite_lessons.values_list("slug", flat=True)) == ["pressure"]
    question = Question.objects.get(key="q-1")
    assert question.lesson.slug == "pressure"
    assert list(question.choices.values_list("text", "is_correct", "feedback")) == [
        ("Right", True, "Yes."),
        ("Wrong", False, ""),
    ]


def test_load_twice_creates_nothing_new(content):
    directory = content()
    quizzes_load(directory=directory)
    again = quizzes_load(directory=directory)
    assert (again.questions.created, again.questions.unchanged) == (0, 2)
    assert (again.quizzes.created, again.quizzes.unchanged) == (0, 1)
    assert Question.objects.count() == 2
    assert Choice.objects.count() == 4


def test_existing_content_is_kept_unless_overwrite(content):
    quizzes_load(directory=content())
    Question.objects.filter(key="q-1").update(prompt="Edited by an educator")
    quizzes_load(directory=content())
    assert Question.objects.get(key="q-1").prompt == "Edited by an educator"
    result = quizzes_load(directory=content(), overwrite=True)
    assert (result.questions.updated, result.questions.unchanged) == (1, 1)
    assert Question.objects.get(key="q-1").prompt == "Prompt q-1"


def test_overwrite_keeps_choice_ids(content):
    quizzes_load(directory=content())
    ids = list(Choice.objects.filter(question__key="q-1").values_list("id", flat=True))
    changed = single("q-1")
    changed["choices"][1]["text"] = "Wrong, rephrased"
    quizzes_load(directory=content(questions=[changed, single("q-2")]), overwrite=True)
    choices = Choice.objects.filter(question__key="q-1").order_by("order")
    assert list(choices.values_list("id", flat=True)) == ids
    assert choices[1].text == "Wrong, rephrased"


def test_dry_run_writes_nothing(content):
    result = quizzes_load(directory=content(), dry_run=True)
    assert result.questions.created == 2
    assert Question.objects.count() == 0


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (single(choices=[{"text": "Only", "correct": True}]), CHOICES_AT_LEAST_TWO),
        (
            single(choices=[{"text": "A", "correct": True}, {"text": "B", "correct": True}]),
            SINGLE_ONE_CORRECT,
        ),
        (
            single(
                kind="true_false",
                choices=[{"text": "True", "correct": False}, {"text": "False", "correct": False}],
            ),
            TRUE_FALSE_ONE_CORRECT,
        ),
        (
            single(
                kind="true_false",
                choices=[
                    {"text": "True", "correct": True},
                    {"text": "False", "correct": False},
                    {"text": "Maybe", "correct": False},
                ],
            ),
            TRUE_FALSE_TWO_CHOICES,
        ),
        (
            single(
                kind="true_false",
                choices=[{"text": "False", "correct": True}, {"text": "True", "correct": False}],
            ),
            TRUE_FALSE_ORDER,
        ),
        (
            single(
                kind="multiple",
                choices=[{"text": "A", "correct": False}, {"text": "B", "correct": False}],
            ),
            MULTIPLE_ONE_CORRECT,
        ),
        (single(kind="essay"), "unknown kind 'essay'"),
        (single(topic="nowhere"), "unknown topic 'nowhere'"),
        (single(lesson="nowhere"), "unknown lesson 'nowhere'"),
        (single(colour="red"), "unknown field colour."),
        (single(colour="red", size="big"), "unknown fields colour, size."),
    ],
)
def test_invalid_questions_are_refused_and_nothing_written(content, question, message):
    with pytest.raises(QuizContentError) as error:
        quizzes_load(directory=content(questions=[single("q-2"), dict(question, key="q-1")]))
    assert message in str(error.value)
    assert "questions.json entry 2 (q-1)" in str(error.value)
    assert Question.objects.count() == 0


def test_quiz_with_unknown_question_is_refused(content):
    with pytest.raises(QuizContentError, match="unknown question 'q-9'"):
        quizzes_load(directory=content(quizzes=[quiz(questions=["q-1", "q-9"])]))
    assert Quiz.objects.count() == 0


def test_published_quiz_drawing_more_than_its_pool_is_refused(content):
    with pytest.raises(QuizContentError, match="it draws 3"):
        quizzes_load(directory=content(quizzes=[quiz(questions_per_attempt=3)]))


def test_load_quizzes_command(content, capsys):
    call_command("load_quizzes", "--directory", str(content()))
    assert "Questions: 2 created" in capsys.readouterr().out
    with pytest.raises(CommandError, match="file not found"):
        call_command("load_quizzes", "--directory", "/nonexistent")


def test_shipped_fixtures_load():
    """Smoke test of fixtures/quizzes: valid, complete and idempotent."""
    lessons_load(directory=settings.BASE_DIR / "fixtures" / "lessons")
    directory = settings.BASE_DIR / "fixtures" / "quizzes"
    first = quizzes_load(directory=directory)
    assert first.questions.created >= 36
    kinds = set(Question.objects.values_list("kind", flat=True))
    assert kinds == {"single", "multiple", "true_false", "written"}
    # Written case answers sit only in hand-marked quizzes, each with a model answer and guide.
    written = Question.objects.filter(kind="written")
    assert not written.filter(model_answer="").exists()
    assert not written.filter(marking_guide="").exists()
    assert set(
        Quiz.objects.filter(pool__question__in=written).values_list("slug", "hand_marked")
    ) == {("bleeding-case-studies", True)}
    for topic_slug in (
        "why-bleeding-occurs",
        "normal-versus-excessive-bleeding",
        "managing-bleeding",
    ):
        assert Question.objects.filter(topic__slug=topic_slug).count() >= 12
        assert Quiz.objects.published().filter(topic__slug=topic_slug).exists()
    assert Quiz.objects.published().filter(topic__isnull=True).exists()
    assert not Question.objects.filter(explanation="").exists()
    again = quizzes_load(directory=directory)
    assert again.questions.created == again.quizzes.created == 0
