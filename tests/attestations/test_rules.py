"""The typed-name rule: pure, no database."""

import pytest

from quizzes.attestations.rules import (
    NAME_EMPTY,
    NAME_MISMATCH,
    expected_name,
    name_normalise,
    typed_name_problem,
)


@pytest.mark.parametrize(
    ("typed", "full"),
    [
        ("Tara Trainee", "Tara Trainee"),
        ("tara trainee", "Tara Trainee"),
        ("  TARA   Trainee ", "Tara Trainee"),
        ("Mary-Jane O'Neil", "Mary Jane O Neil"),
        ("Mary Jane ONeil.", "Mary-Jane ONeil"),
        ("Zoë Łukasiewicz", "ZOË ŁUKASIEWICZ"),
        ("Ναταλία Ивановa", "ναταλία ивановa"),
        ("山田 太郎", "山田　太郎"),  # an ideographic space is a space
    ],
)
def test_names_that_match(typed, full):
    assert typed_name_problem(typed_name=typed, full_name=full, username="x") is None


def test_accents_are_kept():
    assert typed_name_problem(
        typed_name="Zoe Lukasiewicz", full_name="Zoë Łukasiewicz", username="zoe"
    ) == NAME_MISMATCH.format(expected="Zoë Łukasiewicz")


def test_another_name_is_refused_with_the_message():
    assert typed_name_problem(
        typed_name="Otto Other", full_name="Tara Trainee", username="tara"
    ) == NAME_MISMATCH.format(expected="Tara Trainee")


@pytest.mark.parametrize("typed", ["", "   ", "-.'"])
def test_an_empty_name_is_refused(typed):
    assert typed_name_problem(typed_name=typed, full_name="Tara", username="tara") == NAME_EMPTY


def test_without_a_full_name_the_username_is_expected():
    assert expected_name(full_name="  ", username="tara") == "tara"
    assert typed_name_problem(typed_name="TARA", full_name="", username="tara") is None
    assert typed_name_problem(
        typed_name="Tara Trainee", full_name="", username="tara"
    ) == NAME_MISMATCH.format(expected="tara")


def test_normalise_folds_compatibility_forms():
    assert name_normalise("ＴＡＲＡ") == "tara"
    assert name_normalise("Straße") == name_normalise("STRASSE")
