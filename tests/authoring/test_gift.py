"""GIFT: the subset Moodle uses for single, multiple response and true/false (pure)."""

import pytest

from quizzes.authoring.formats import common, gift
from quizzes.authoring.formats.common import (
    MULTIPLE,
    SINGLE,
    TRUE_FALSE,
    ParsedChoice,
    ParseError,
)

HAND_WRITTEN = """\
// Bleeding basics, written by hand.
$CATEGORY: $course$/top/Bleeding

::pinpoint::Which finding is expected at capillary depth? {
    =Pinpoint bleeding#Right: expected once the needles reach the capillaries.
    ~Bleeding that soaks gauze within a minute#That is excessive.
    ~No change at all
    ####Pinpoint bleeding is normal at that depth.
}

// trainingsite: points=2; critical=yes; topic=managing-bleeding; lesson=after-care
Select all that apply\\: ask about {
~%50%anticoagulants
~%50%fish oil#Supplements count.
~%-100%hair colour
}

Firm pressure is the first step for oozing. {T}

A client may go home while still bleeding freely. {FALSE#Never: stop and escalate.#Correct.}
"""


def test_hand_written_file_reads_every_kind():
    result = gift.parse(HAND_WRITTEN)
    assert result.errors == ()
    single, multiple, true, false = result.questions

    assert single.kind == SINGLE
    assert single.title == "pinpoint"
    assert single.prompt == "Which finding is expected at capillary depth?"
    assert single.choices == (
        ParsedChoice(
            "Pinpoint bleeding", True, "Right: expected once the needles reach the capillaries."
        ),
        ParsedChoice("Bleeding that soaks gauze within a minute", False, "That is excessive."),
        ParsedChoice("No change at all", False),
    )
    assert single.explanation == "Pinpoint bleeding is normal at that depth."
    assert single.line == 4

    assert multiple.kind == MULTIPLE
    assert multiple.prompt == "Select all that apply: ask about"
    assert [(c.text, c.correct) for c in multiple.choices] == [
        ("anticoagulants", True),
        ("fish oil", True),
        ("hair colour", False),
    ]
    assert multiple.choices[1].feedback == "Supplements count."
    assert (multiple.points, multiple.critical) == (2, True)
    assert (multiple.topic, multiple.lesson) == ("managing-bleeding", "after-care")
    assert multiple.line == 12

    assert true.kind == TRUE_FALSE
    assert true.choices == (ParsedChoice("True", True), ParsedChoice("False", False))
    assert true.points == 1  # the metadata comment belongs to its own question only

    # Moodle's order: the first feedback is for a wrong answer, the second for a right one.
    assert false.choices == (
        ParsedChoice("True", False, "Never: stop and escalate."),
        ParsedChoice("False", True, "Correct."),
    )


@pytest.mark.parametrize("answer", ["T", "TRUE", "true", "F", "FALSE"])
def test_true_false_spellings(answer):
    (question,) = gift.parse(f"Statement. {{{answer}}}").questions
    assert question.choices[0].correct is answer.upper().startswith("T")


def test_escapes_are_read_as_literal_characters():
    (question,) = gift.parse(
        r"::a\:b::Is 1\=1 \{really\} \~ \# \\ true?\nYes. {=yes\#1#fb\: ok ~no}"
    ).questions
    assert question.title == "a:b"
    assert question.prompt == "Is 1=1 {really} ~ # \\ true?\nYes."
    assert question.choices[0] == ParsedChoice("yes#1", True, "fb: ok")


def test_markdown_and_html_markers_are_stripped():
    markdown, html = gift.parse(
        "[markdown]**Which**? {=a ~b}\n\n"
        "::t::[html]<p>Is <b>this</b> &amp; that</p> right? {=<i>yes</i> ~no####<p>Why</p>}"
    ).questions
    assert markdown.prompt == "**Which**?"
    assert html.prompt == "Is this & that\nright?"
    assert html.choices[0].text == "yes"
    assert html.explanation == "Why"


def test_missing_word_question_reads_with_a_blank():
    (question,) = gift.parse("Stop and {=escalate ~wait} when pressure fails.").questions
    assert question.prompt == "Stop and _____ when pressure fails."


def test_comment_lines_inside_a_question_are_ignored_and_lines_stay_right():
    result = gift.parse("Q {\n// a note\n=a\n~b\n}\n\nR\n// note\n{=a =b}")
    assert len(result.questions) == 1
    assert result.errors == (ParseError(9, gift.ERROR_UNSUPPORTED.format(kind="Short answer")),)


def test_single_choice_with_explicit_full_and_zero_weights():
    (question,) = gift.parse("Q {=%100%a ~%0%b ~%-50%c}").questions
    assert [c.correct for c in question.choices] == [True, False, False]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Q {~a ~b}", 1, gift.ERROR_NO_CORRECT),
        ("Q {~%0%a ~%-100%b}", 1, gift.ERROR_NO_CORRECT),
        ("Q {=a =b ~c}", 1, common.ERROR_SINGLE_ONE_CORRECT),
        ("Q {=a}", 1, gift.ERROR_UNSUPPORTED.format(kind="Short answer")),
        ("Q {=Paris =paris}", 1, gift.ERROR_UNSUPPORTED.format(kind="Short answer")),
        ("Q {=a -> 1 =b -> 2}", 1, gift.ERROR_UNSUPPORTED.format(kind="Matching")),
        ("Q {#3:0.5}", 1, gift.ERROR_UNSUPPORTED.format(kind="Numerical")),
        ("Q {}", 1, gift.ERROR_UNSUPPORTED.format(kind="Essay")),
        ("Just a description.", 1, gift.ERROR_NO_ANSWER_BLOCK),
        ("Q {=a ~b", 1, gift.ERROR_UNTERMINATED_BRACE),
        ("Q line one\nline two {\n=a\n~b", 2, gift.ERROR_UNTERMINATED_BRACE),
        ("Q {=a {~b}", 1, gift.ERROR_UNTERMINATED_BRACE),
        ("Q }=a ~b{", 1, gift.ERROR_STRAY_BRACE),
        ("Q {=a ~b}\nmore {=c ~d}", 2, gift.ERROR_STRAY_BRACE),
        ("Q {=a ~b} }", 1, gift.ERROR_STRAY_BRACE),
        ("::title Q {=a ~b}", 1, gift.ERROR_UNTERMINATED_TITLE),
        ("Q {a =b ~c}", 1, gift.ERROR_ANSWER_SYNTAX),
        ("Q {=a ~%50%b}", 1, gift.ERROR_WEIGHT_IN_SINGLE),
        ("Q {=%50%a ~b}", 1, gift.ERROR_WEIGHT_IN_SINGLE),
        ("{=a ~b}", 1, common.ERROR_EMPTY_PROMPT),
        ("Q {=a ~}", 1, common.ERROR_EMPTY_CHOICE),
        ("Q {~%100%a}", 1, common.ERROR_TOO_FEW_CHOICES),
        ("// trainingsite: points=lots\nQ {T}", 1, common.ERROR_POINTS),
        ("// trainingsite: points=0\nQ {T}", 2, common.ERROR_POINTS),
        ("// trainingsite: colour=red\nQ {T}", 1, gift.ERROR_META.format(detail="“colour=red”")),
        (
            "// trainingsite: critical=maybe\nQ {T}",
            1,
            gift.ERROR_META.format(detail="critical must be yes or no"),
        ),
        ("Q \ue001 {T}", 1, common.ERROR_RESERVED_CHARACTERS),
    ],
)
def test_errors_name_the_line_and_the_problem(text, line, message):
    result = gift.parse("Fine {=a ~b}\n\n\n" + text)
    offset = 0 if message == common.ERROR_RESERVED_CHARACTERS else 1
    assert result.errors == (ParseError(line + 3, message),)
    assert len(result.questions) == offset


def test_every_broken_question_is_reported():
    result = gift.parse("A {~a ~b}\n\nB {=a ~b}\n\nC {}\n\nD {=a")
    assert [error.line for error in result.errors] == [1, 5, 7]
    assert [question.prompt for question in result.questions] == ["B"]


@pytest.mark.parametrize("text", ["", "\n\n", "// only a comment\n", "$CATEGORY: x\n"])
def test_a_file_without_questions_says_so(text):
    assert gift.parse(text).errors == (ParseError(0, common.ERROR_EMPTY_FILE),)


def test_writer_output_reads_back_with_metadata_and_feedback():
    questions = gift.parse(HAND_WRITTEN).questions
    text = gift.write(questions)
    assert text.count("// trainingsite:") == 4
    again = gift.parse(text)
    assert again.errors == ()
    assert [q.content() for q in again.questions] == [q.content() for q in questions]
    assert [q.title for q in again.questions] == [q.title for q in questions]


def test_writer_weights_multiple_response_for_moodle():
    question = common.ParsedQuestion(
        kind=MULTIPLE,
        prompt="Q",
        choices=(
            ParsedChoice("a", True),
            ParsedChoice("b", True),
            ParsedChoice("c", True),
            ParsedChoice("d", False),
        ),
    )
    text = gift.write([question])
    assert "~%33.33333%a" in text
    assert "~%-100%d" in text


def test_writer_protects_texts_that_look_like_syntax():
    question = common.ParsedQuestion(
        kind=SINGLE,
        prompt="[html] // not a comment",
        choices=(ParsedChoice("%5% of clients", True), ParsedChoice("%10%", False)),
    )
    (again,) = gift.parse(gift.write([question])).questions
    assert again.content() == question.content()
