"""Verification codes: random enough, readable, forgiving when typed."""

import re

import pytest

from quizzes.certification.codes import (
    CODE_ALPHABET,
    CODE_BITS,
    CODE_LENGTH,
    code_format,
    code_generate,
    code_normalise,
)


def test_code_carries_at_least_80_bits():
    assert CODE_BITS >= 80
    assert CODE_LENGTH * 5 == CODE_BITS
    assert len(CODE_ALPHABET) == 32


def test_generated_codes_use_the_alphabet_and_differ():
    codes = {code_generate() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(code) == CODE_LENGTH for code in codes)
    assert all(set(code) <= set(CODE_ALPHABET) for code in codes)


def test_generated_codes_reach_every_character():
    seen = set("".join(code_generate() for _ in range(200)))
    assert seen == set(CODE_ALPHABET)


def test_code_format_groups_in_fours():
    assert code_format("ABCD1234EFGH5678JKMN") == "ABCD-1234-EFGH-5678-JKMN"
    assert re.fullmatch(r"([0-9A-Z]{4}-){4}[0-9A-Z]{4}", code_format(code_generate()))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ABCD-1234-EFGH-5678-JKMN", "ABCD1234EFGH5678JKMN"),
        ("abcd 1234 efgh 5678 jkmn", "ABCD1234EFGH5678JKMN"),
        ("  abcd-1234-efgh-5678-jkmn  ", "ABCD1234EFGH5678JKMN"),
        ("ABCDI234EFGH5678JKMN", "ABCD1234EFGH5678JKMN"),
        ("ABCDl234EFGH5678JKMN", "ABCD1234EFGH5678JKMN"),
        ("ABCD1234EFGH5678JKMO", "ABCD1234EFGH5678JKM0"),
        ("ABCD1234EFGH5678JKM", None),
        ("ABCD1234EFGH5678JKMNP", None),
        ("ABCD1234EFGH5678JKMU", None),
        ("ABCD1234EFGH5678JKM!", None),
        ("", None),
        ("A" * 200, None),
    ],
)
def test_code_normalise(typed, expected):
    assert code_normalise(typed) == expected


def test_formatted_code_normalises_back():
    code = code_generate()
    assert code_normalise(code_format(code)) == code
    assert code_normalise(code_format(code).lower()) == code
