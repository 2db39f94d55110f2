"""The demo educator's path: the shipped question bank exports and imports back unchanged."""

import pytest
from django.conf import settings

from lessons.services import lessons_load
from quizzes.authoring.content import quizzes_load
from quizzes.authoring.formats import CSV, GIFT
from quizzes.authoring.imports import (
    question_import_confirm,
    question_import_preview,
    quiz_pool_parsed,
    quiz_questions_export,
)
from quizzes.models import Quiz
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped():
    lessons_load(directory=settings.BASE_DIR / "fixtures" / "lessons")
    quizzes_load(directory=settings.BASE_DIR / "fixtures" / "quizzes")
    # Hand-marked quizzes hold written answers, which CSV and GIFT do not carry (the imports
    # refuse them by name: tests/marking/test_authoring.py).
    return list(Quiz.objects.filter(hand_marked=False).order_by("order", "id"))


@pytest.mark.parametrize("file_format", [CSV, GIFT])
def test_every_shipped_quiz_round_trips(shipped, educator, file_format):
    assert shipped
    for number, quiz in enumerate(shipped):
        exported = quiz_questions_export(quiz=quiz, file_format=file_format)
        # Importing back into the same quiz finds only duplicates.
        again = question_import_preview(quiz=quiz, text=exported, file_format=file_format)
        assert (again.errors, again.to_create) == ([], [])
        assert len(again.duplicates) == quiz.pool.count()
        target = make_quiz(questions=0, slug=f"copy-{number}", topic=None, status="draft")
        question_import_confirm(quiz=target, text=exported, file_format=file_format, actor=educator)
        original = [q.content() for q in quiz_pool_parsed(quiz=quiz)]
        assert [q.content() for q in quiz_pool_parsed(quiz=target)] == original
        if file_format == CSV:  # only the CSV template carries the variant groups
            groups = [q.variant_group for q in quiz_pool_parsed(quiz=quiz)]
            assert any(groups)
            assert [q.variant_group for q in quiz_pool_parsed(quiz=target)] == groups
