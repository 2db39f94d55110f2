"""Aiken: question, lettered options, ANSWER line (pure)."""

import pytest

from quizzes.authoring.formats import aiken, common
from quizzes.authoring.formats.common import SINGLE, ParsedChoice, ParseError

VALID = """\
Which finding is expected at capillary depth?
A. Pinpoint bleeding
B) Bleeding that soaks gauze within a minute
C. No change in the skin
ANSWER: A

A client is still oozing twenty minutes after treatment.
What comes first?
A. Firm, steady pressure
B. Send them home
ANSWER: a
Which is a red flag?
A. Bleeding that does not slow with pressure
B. Mild redness
answer:A
"""


def test_valid_file_with_and_without_blank_lines_between_questions():
    result = aiken.parse(VALID)
    assert result.errors == ()
    first, second, third = result.questions
    assert first.kind == SINGLE
    assert first.prompt == "Which finding is expected at capillary depth?"
    assert first.choices == (
        ParsedChoice("Pinpoint bleeding", True),
        ParsedChoice("Bleeding that soaks gauze within a minute", False),
        ParsedChoice("No change in the skin", False),
    )
    assert first.line == 1
    assert second.prompt == (
        "A client is still oozing twenty minutes after treatment.\nWhat comes first?"
    )
    assert [c.correct for c in second.choices] == [True, False]
    assert second.line == 7
    assert third.line == 12


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Q\nA. a\nB. b\n", 1, aiken.ERROR_NO_ANSWER),
        ("Q\nA. a\nB. b\n\nNext\nA. a\nB. b\nANSWER: A", 1, aiken.ERROR_NO_ANSWER),
        ("Q\nANSWER: A", 1, aiken.ERROR_NO_OPTIONS),
        ("Q\nA. a\nB. b\nANSWER: C", 4, aiken.ERROR_ANSWER_LETTER),
        ("Q\nA. a\nB. b\nANSWER: A, B", 4, aiken.ERROR_ANSWER_LETTER),
        ("Q\nA. a\nB. b\nANSWER:", 4, aiken.ERROR_ANSWER_LETTER),
        ("Q\nA. a\nC. b\nANSWER: A", 3, aiken.ERROR_OPTION_ORDER.format(expected="B")),
        ("Q\nA. a\nmore text\nANSWER: A", 3, aiken.ERROR_TEXT_AFTER_OPTIONS),
        ("Q\nA. a\nANSWER: A", 1, common.ERROR_TOO_FEW_CHOICES),
    ],
)
def test_errors_name_the_line_and_the_problem(text, line, message):
    result = aiken.parse("Fine\nA. a\nB. b\nANSWER: B\n\n" + text)
    assert result.errors[0] == ParseError(line + 5, message)
    assert result.questions[0].prompt == "Fine"


def test_a_broken_question_does_not_swallow_the_next_one():
    result = aiken.parse("Q\nA. a\nC. c\n\nR\nA. a\nB. b\nANSWER: B\n")
    assert result.errors == (ParseError(3, aiken.ERROR_OPTION_ORDER.format(expected="B")),)
    assert [q.prompt for q in result.questions] == ["R"]


def test_a_file_without_questions_says_so():
    assert aiken.parse("\n\n").errors == (ParseError(0, common.ERROR_EMPTY_FILE),)


def test_writer_refuses_multiple_response():
    question = common.ParsedQuestion(
        kind=common.MULTIPLE,
        prompt="Q",
        choices=(ParsedChoice("a", True), ParsedChoice("b", True)),
    )
    with pytest.raises(ValueError):
        aiken.write([question])
