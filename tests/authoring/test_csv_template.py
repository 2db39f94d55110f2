"""The CSV template: parser, writer and the downloadable template (pure, no database)."""

import pytest

from quizzes.authoring.formats import common, csv_template
from quizzes.authoring.formats.common import (
    ERROR_EMPTY_FILE,
    ERROR_UNKNOWN_KIND,
    MULTIPLE,
    SINGLE,
    TRUE_FALSE,
    ParsedChoice,
    ParseError,
)

HEADER = "kind,prompt,choice_1,choice_2,choice_3,correct,feedback_1,explanation,points,critical"


def parse_rows(*rows, header=HEADER):
    return csv_template.parse("\n".join([header, *rows]) + "\n")


def test_template_has_one_valid_example_per_kind():
    result = csv_template.parse(csv_template.template_text())
    assert result.errors == ()
    assert [q.kind for q in result.questions] == [SINGLE, MULTIPLE, TRUE_FALSE]
    assert [q.content() for q in result.questions] == [q.content() for q in csv_template.EXAMPLES]


def test_template_header_lists_six_choices_and_their_feedback():
    first_line = csv_template.template_text().splitlines()[0].split(",")
    assert first_line == csv_template.header(6)
    assert "choice_6" in first_line
    assert "feedback_6" in first_line


def test_single_choice_row():
    result = parse_rows("single,Which?,Pinpoint,Soaking,None,1,Right.,Because.,2,yes")
    assert result.errors == ()
    (question,) = result.questions
    assert question.kind == SINGLE
    assert question.prompt == "Which?"
    assert question.choices == (
        ParsedChoice("Pinpoint", True, "Right."),
        ParsedChoice("Soaking", False),
        ParsedChoice("None", False),
    )
    assert question.explanation == "Because."
    assert question.points == 2
    assert question.critical is True
    assert question.line == 2


def test_multiple_row_with_semicolon_list_and_default_points():
    result = parse_rows('multiple,Select all,a,b,c,"1;3",,,,')
    assert result.errors == ()
    (question,) = result.questions
    assert question.kind == MULTIPLE
    assert [c.correct for c in question.choices] == [True, False, True]
    assert question.points == 1
    assert question.critical is False


@pytest.mark.parametrize("correct", ["2", "false", "F"])
def test_true_false_row_without_choices_gets_true_and_false(correct):
    result = parse_rows(f"true_false,Pressure first?,,,,{correct},,,,")
    assert result.errors == ()
    (question,) = result.questions
    assert question.choices == (ParsedChoice("True", False), ParsedChoice("False", True))


def test_columns_in_any_order_topic_lesson_and_key():
    text = "prompt,correct,kind,choice_2,choice_1,topic,lesson,key\nWhich?,2,single,b,a,t,l,k-1\n"
    (question,) = csv_template.parse(text).questions
    assert [c.text for c in question.choices] == ["a", "b"]
    assert question.choices[1].correct is True
    assert (question.topic, question.lesson, question.title) == ("t", "l", "k-1")


def test_semicolon_separated_spreadsheet_export():
    text = "kind;prompt;choice_1;choice_2;correct\nsingle;Which, exactly?;a;b;1\n"
    (question,) = csv_template.parse(text).questions
    assert question.prompt == "Which, exactly?"


def test_quoted_multiline_prompt_reports_the_next_row_on_its_own_line():
    result = parse_rows('single,"Line one\nline two",a,b,,1,,,,', "single,,a,b,,1,,,,")
    assert result.questions[0].prompt == "Line one\nline two"
    assert result.errors == (ParseError(4, common.ERROR_EMPTY_PROMPT),)


def test_blank_rows_are_skipped():
    result = parse_rows(",,,,,,,,,", "single,Q,a,b,,2,,,,")
    assert result.errors == ()
    assert result.questions[0].line == 3


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("essay,Q,a,b,,1,,,,", ERROR_UNKNOWN_KIND),
        (",Q,a,b,,1,,,,", ERROR_UNKNOWN_KIND),
        ("single,,a,b,,1,,,,", common.ERROR_EMPTY_PROMPT),
        ("single,Q,a,b,,,,,,", csv_template.ERROR_CORRECT_EMPTY),
        ("single,Q,a,b,,one,,,,", csv_template.ERROR_CORRECT_UNREADABLE),
        ("single,Q,a,b,,3,,,,", csv_template.ERROR_CORRECT_OUT_OF_RANGE.format(number=3)),
        ("single,Q,a,,c,1,,,,", csv_template.ERROR_CHOICE_GAP),
        ("single,Q,a,b,,1;2,,,,", common.ERROR_SINGLE_ONE_CORRECT),
        ("single,Q,a,,,1,,,,", common.ERROR_TOO_FEW_CHOICES),
        ("multiple,Q,a,b,,0,,,,", csv_template.ERROR_CORRECT_OUT_OF_RANGE.format(number=0)),
        ("true_false,Q,Yes,No,Maybe,1,,,,", common.ERROR_TRUE_FALSE_TWO_CHOICES),
        ("single,Q,a,b,,1,,,two,", common.ERROR_POINTS),
        ("single,Q,a,b,,1,,,0,", common.ERROR_POINTS),
        ("single,Q,a,b,,1,,,101,", common.ERROR_POINTS),
        ("single,Q,a,b,,1,,,,perhaps", csv_template.ERROR_CRITICAL),
        ("single,Q,a,b,,1,,,,,surplus", csv_template.ERROR_TOO_MANY_CELLS),
    ],
)
def test_row_errors_carry_the_row_line_and_message(row, message):
    result = parse_rows("single,Fine,a,b,,1,,,,", row)
    assert len(result.questions) == 1
    assert result.errors == (ParseError(3, message),)


def test_feedback_for_an_empty_choice_is_an_error():
    result = csv_template.parse(
        "kind,prompt,choice_1,choice_2,correct,feedback_3\nsingle,Q,a,b,1,why\n"
    )
    assert result.errors == (
        ParseError(2, csv_template.ERROR_FEEDBACK_WITHOUT_CHOICE.format(number=3)),
    )


def test_every_bad_row_is_reported_not_only_the_first():
    result = parse_rows("essay,Q,a,b,,1,,,,", "single,Q,a,b,,1,,,,", "single,,a,b,,1,,,,")
    assert [error.line for error in result.errors] == [2, 4]
    assert len(result.questions) == 1


def test_missing_and_unknown_columns_are_reported_on_line_one():
    result = csv_template.parse("kind,prompt,choice_1,choice_2,corect\nsingle,Q,a,b,1\n")
    assert result.questions == ()
    assert result.errors == (
        ParseError(1, "The header row lacks the column correct."),
        ParseError(1, "Unknown column in the header row: corect."),
    )


def test_several_missing_and_unknown_columns_are_named_in_the_plural():
    result = csv_template.parse("prompt,choice_1,colour,size\nQ,a,red,big\n")
    assert result.errors == (
        ParseError(1, "The header row lacks the columns kind, correct."),
        ParseError(1, "Unknown columns in the header row: colour, size."),
    )


def test_repeated_column_is_reported():
    result = csv_template.parse("kind,prompt,correct,choice_1,choice_1\n")
    assert result.errors == (
        ParseError(1, csv_template.ERROR_DUPLICATE_COLUMNS.format(columns="choice_1")),
    )


@pytest.mark.parametrize("text", ["", HEADER + "\n", HEADER + "\n,,,\n"])
def test_a_file_without_questions_says_so(text):
    assert csv_template.parse(text).errors == (ParseError(0, ERROR_EMPTY_FILE),)


def test_unterminated_quote_is_a_clear_error():
    result = csv_template.parse(HEADER + '\nsingle,"Never closed,a,b,,1,,,,\n')
    assert len(result.errors) == 1
    assert result.errors[0].message.startswith("The file cannot be read as CSV")


def test_writer_adds_columns_for_more_than_six_choices():
    questions = csv_template.parse(
        "kind,prompt,correct,"
        + ",".join(f"choice_{n}" for n in range(1, 9))
        + "\nmultiple,Q,1;8,"
        + ",".join("abcdefgh")
        + "\n"
    ).questions
    text = csv_template.write(questions)
    assert "choice_8" in text.splitlines()[0]
    assert csv_template.parse(text).questions[0].content() == questions[0].content()


def test_a_variant_group_is_read_written_and_checked():
    text = "kind,prompt,choice_1,choice_2,correct,variant_group\nsingle,Q,a,b,1,pressure-after\n"
    (question,) = csv_template.parse(text).questions
    assert question.variant_group == "pressure-after"
    written = csv_template.write([question])
    assert written.splitlines()[0].split(",")[-1] == "variant_group"
    assert csv_template.parse(written).questions[0].variant_group == "pressure-after"
    for bad in ("two words", "x" * 51, "pressure/after"):
        result = csv_template.parse(
            f"kind,prompt,choice_1,choice_2,correct,variant_group\nsingle,Q,a,b,1,{bad}\n"
        )
        assert result.errors == (ParseError(2, csv_template.ERROR_VARIANT_GROUP),)
