"""Writer then parser gives back the same questions, for any content (pure, hypothesis)."""

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes.authoring.formats import aiken, csv_template, gift
from quizzes.authoring.formats.common import (
    MULTIPLE,
    SINGLE,
    TRUE_FALSE,
    ParsedChoice,
    ParsedQuestion,
    true_false_choices,
)

# Any text a person might type: letters, punctuation including GIFT's special
# characters, accents and line breaks; not control or private-use characters.
_characters = st.characters(
    exclude_categories=("Cs", "Co", "Cc", "Zl", "Zp"), include_characters="\n~=#{}:\\%[]/"
)
texts = st.text(_characters, min_size=1, max_size=40).map(str.strip).filter(bool)
optional_texts = st.one_of(st.just(""), texts)
slugs = st.text(string.ascii_lowercase + string.digits + "-", min_size=1, max_size=20)


@st.composite
def questions(draw, kinds=(SINGLE, MULTIPLE, TRUE_FALSE)):
    kind = draw(st.sampled_from(kinds))
    if kind == TRUE_FALSE:
        choices = true_false_choices(
            draw(st.booleans()),
            true_feedback=draw(optional_texts),
            false_feedback=draw(optional_texts),
        )
    else:
        count = draw(st.integers(2, 7))
        if kind == SINGLE:
            right = draw(st.integers(0, count - 1))
            flags = [n == right for n in range(count)]
        else:
            flags = draw(st.lists(st.booleans(), min_size=count, max_size=count))
            flags[draw(st.integers(0, count - 1))] = True
        choices = tuple(ParsedChoice(draw(texts), flag, draw(optional_texts)) for flag in flags)
    return ParsedQuestion(
        kind=kind,
        prompt=draw(texts),
        choices=choices,
        explanation=draw(optional_texts),
        points=draw(st.integers(1, 100)),
        critical=draw(st.booleans()),
        topic=draw(st.one_of(st.just(""), slugs)),
        lesson=draw(st.one_of(st.just(""), slugs)),
        title=draw(st.one_of(st.just(""), slugs)),
    )


banks = st.lists(questions(), min_size=1, max_size=5)


def _same(parsed, original):
    assert parsed.errors == ()
    assert [q.content() for q in parsed.questions] == [q.content() for q in original]
    assert [q.title for q in parsed.questions] == [q.title for q in original]


@settings(max_examples=200, deadline=None)
@given(banks)
def test_csv_round_trip(bank):
    _same(csv_template.parse(csv_template.write(bank)), bank)


@settings(max_examples=200, deadline=None)
@given(banks)
def test_gift_round_trip(bank):
    _same(gift.parse(gift.write(bank)), bank)


# Aiken keeps only single-line prompts and options, and nothing but the key.
aiken_texts = (
    st.text(string.ascii_letters + string.digits + " .,?!:()-'", min_size=1, max_size=40)
    .map(lambda text: " ".join(text.split()))
    .filter(lambda text: text and not text.upper().startswith("ANSWER"))
)


@st.composite
def aiken_questions(draw):
    count = draw(st.integers(2, 6))
    right = draw(st.integers(0, count - 1))
    return ParsedQuestion(
        kind=SINGLE,
        prompt=draw(aiken_texts),
        choices=tuple(ParsedChoice(draw(aiken_texts), n == right) for n in range(count)),
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(aiken_questions(), min_size=1, max_size=5))
def test_aiken_round_trip(bank):
    _same(aiken.parse(aiken.write(bank)), bank)
