"""The rules every format shares: upload decoding and the admin's choice rules (pure)."""

import pytest

from quizzes.authoring.formats import common, guess_format
from quizzes.authoring.formats.common import (
    MULTIPLE,
    SINGLE,
    TRUE_FALSE,
    FileRejected,
    ParsedChoice,
    ParsedQuestion,
    choice_problems,
    decode_upload,
    normalise_prompt,
    question_problems,
)


def test_decode_accepts_utf8_with_bom_and_normalises_line_endings():
    assert decode_upload("\ufeffa,b\r\nc\rd".encode()) == "a,b\nc\nd"


def test_decode_rejects_latin1_with_the_encoding_message():
    with pytest.raises(FileRejected) as excinfo:
        decode_upload("Prompt with caf\xe9".encode("latin-1"))
    assert excinfo.value.message == common.ERROR_ENCODING


def test_decode_rejects_a_file_over_one_megabyte():
    with pytest.raises(FileRejected) as excinfo:
        decode_upload(b"x" * (common.MAX_UPLOAD_BYTES + 1))
    assert excinfo.value.message == common.ERROR_TOO_LARGE


def test_decode_accepts_exactly_one_megabyte():
    assert len(decode_upload(b"x" * common.MAX_UPLOAD_BYTES)) == common.MAX_UPLOAD_BYTES


@pytest.mark.parametrize(
    ("kind", "flags", "expected"),
    [
        (SINGLE, [True, False], []),
        (SINGLE, [True, True], [common.ERROR_SINGLE_ONE_CORRECT]),
        (SINGLE, [False, False], [common.ERROR_SINGLE_ONE_CORRECT]),
        (SINGLE, [True], [common.ERROR_TOO_FEW_CHOICES]),
        (TRUE_FALSE, [False, True], []),
        (TRUE_FALSE, [True, False, False], [common.ERROR_TRUE_FALSE_TWO_CHOICES]),
        (TRUE_FALSE, [True, True], [common.ERROR_TRUE_FALSE_ONE_CORRECT]),
        (MULTIPLE, [True, True, False], []),
        (MULTIPLE, [True, True], []),
        (MULTIPLE, [False, False], [common.ERROR_MULTIPLE_NO_CORRECT]),
        ("essay", [True, False], [common.ERROR_UNKNOWN_KIND]),
    ],
)
def test_choice_rules_match_the_admin(kind, flags, expected):
    assert choice_problems(kind, flags) == expected


def _question(**overrides):
    fields = {
        "kind": SINGLE,
        "prompt": "Which?",
        "choices": (ParsedChoice("a", True), ParsedChoice("b")),
    }
    return ParsedQuestion(**{**fields, **overrides})


def test_a_valid_question_has_no_problems():
    assert question_problems(_question()) == []


def test_empty_prompt_blank_choice_long_choice_and_points_are_reported():
    question = _question(
        prompt="  ",
        choices=(ParsedChoice("x" * 501, True), ParsedChoice(" ")),
        points=0,
    )
    assert question_problems(question) == [
        common.ERROR_EMPTY_PROMPT,
        common.ERROR_EMPTY_CHOICE,
        common.ERROR_CHOICE_TOO_LONG,
        common.ERROR_POINTS,
    ]


def test_normalised_prompts_ignore_case_spacing_and_compatibility_forms():
    assert normalise_prompt("  Which   IS\nright？ ") == normalise_prompt("which is right?")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("bank.CSV", "csv"), ("bank.gift", "gift"), ("bank.aiken", "aiken"), ("bank.txt", None)],
)
def test_guess_format_from_the_file_name(name, expected):
    assert guess_format(name) == expected
