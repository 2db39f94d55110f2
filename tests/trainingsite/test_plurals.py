"""Plural messages: the form follows the count, never "(s)"."""

from trainingsite.plurals import Plural

RETIRED = Plural("{count} question retired.", "{count} questions retired.")
SHORT = Plural(
    "{needed} question from {topic}.", "{needed} questions from {topic}.", count="needed"
)


def test_one_takes_the_singular_and_other_counts_the_plural():
    assert RETIRED.format(count=1) == "1 question retired."
    assert RETIRED.format(count=2) == "2 questions retired."
    assert RETIRED.format(count=0) == "0 questions retired."


def test_the_named_value_chooses_the_form_and_the_others_fill_in():
    assert SHORT.format(needed=1, topic="Pressure") == "1 question from Pressure."
    assert SHORT.format(needed=3, topic="Pressure") == "3 questions from Pressure."
