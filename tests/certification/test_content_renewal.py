"""The programs loader reads renewal by review: off unless named, and only with a fit quiz."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from quizzes.certification.renewal_rules import RENEWAL_QUIZ_NOT_EXAM, RENEWAL_QUIZ_REQUIRED
from quizzes.models import Bank, Program
from tests.builders import make_question, make_quiz

pytestmark = pytest.mark.django_db


def load(tmp_path, **fields):
    path = tmp_path / "programs.json"
    entry = {"slug": "x", "name": "X", "lessons": [], "quizzes": [], **fields}
    path.write_text(json.dumps([entry]))
    call_command("load_programs", "--path", str(path), stdout=StringIO())
    return Program.objects.get(slug="x")


def test_the_option_is_off_unless_named(tmp_path):
    program = load(tmp_path)
    assert (program.renewal_by_review, program.renewal_quiz) == (False, None)


def test_the_option_named_off(tmp_path):
    assert load(tmp_path, renewal_by_review=False).renewal_by_review is False


def test_the_option_on_with_a_published_exam_quiz(tmp_path):
    quiz = make_quiz(
        questions=[make_question("short-1", bank=Bank.EXAM)], slug="short", bank=Bank.EXAM
    )
    program = load(tmp_path, renewal_by_review=True, renewal_quiz="short")
    assert (program.renewal_by_review, program.renewal_quiz) == (True, quiz)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"renewal_by_review": True}, RENEWAL_QUIZ_REQUIRED),
        ({"renewal_by_review": True, "renewal_quiz": "practice"}, RENEWAL_QUIZ_NOT_EXAM),
        ({"renewal_by_review": True, "renewal_quiz": "nowhere"}, "unknown renewal_quiz nowhere"),
        ({"renewal_by_review": "yes"}, "renewal_by_review must be true or false"),
    ],
)
def test_the_option_on_without_a_fit_quiz_is_a_clear_error(tmp_path, fields, message):
    make_quiz(questions=1, slug="practice")
    with pytest.raises(CommandError, match=message):
        load(tmp_path, **fields)
    assert not Program.objects.exists()
