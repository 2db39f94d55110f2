"""The item-quality check's rules, each at its threshold (pure: no database)."""

from dataclasses import FrozenInstanceError

import pytest

from quizzes.authoring import quality
from quizzes.authoring.quality import Item, ItemChoice, quality_check


def item(key, *choices, kind="single", prompt=None, explanation="Why.", group="", feedback="F."):
    """An item from (text, correct) pairs; prompts are distinct unless given."""
    return Item(
        key=key,
        kind=kind,
        prompt=prompt if prompt is not None else f"Distinct{key} prompt{key}?",
        explanation=explanation,
        variant_group=group,
        choices=tuple(ItemChoice(text, correct, feedback) for text, correct in choices),
    )


def single(key, *, key_longest=False, key_text="Key", distractors=("Dist", "Drat")):
    key_text = "Much longer key" if key_longest else key_text
    return item(key, (key_text, True), *((text, False) for text in distractors))


def multiple(key, correct, options=4):
    return item(key, *((f"Option {i}", i < correct) for i in range(options)), kind=quality.MULTIPLE)


# Key is the longest option --------------------------------------------------------


def test_key_longest_at_the_share_limit_passes():
    items = [single(f"q{i}", key_longest=i < 2) for i in range(5)]
    result = quality.key_longest(items)
    assert (result.passed, result.figures["share"]) == (True, 0.4)
    assert result.flagged_keys == ("q0", "q1")
    assert result.findings[0].message == "The key is the longest of its 3 options."


def test_key_longest_above_the_share_limit_fails():
    items = [single(f"q{i}", key_longest=i < 3) for i in range(7)]
    result = quality.key_longest(items)
    assert (result.passed, result.figures["key_longest"], result.figures["items"]) == (
        False,
        3,
        7,
    )


def test_a_key_tied_for_longest_is_not_the_longest():
    items = [single(f"q{i}", key_text="Same", distractors=("Same", "Two")) for i in range(5)]
    assert quality.key_longest(items).figures["key_longest"] == 0


def test_key_longest_counts_only_single_choice_items_with_three_options():
    items = [
        *(single(f"q{i}") for i in range(5)),
        item("two", ("A much longer key", True), ("No", False)),
        item("tf", ("True", True), ("False", False), kind=quality.TRUE_FALSE),
        item("m", ("A much longer key", True), ("No", False), ("Nah", False), kind="multiple"),
    ]
    assert quality.key_longest(items).figures["items"] == 5


def test_key_longest_passes_with_a_note_below_five_items():
    result = quality.key_longest([single(f"q{i}", key_longest=True) for i in range(4)])
    assert (result.passed, result.figures["share"]) == (True, 1.0)
    assert result.notes == ("Too few items to judge (4, needs 5); passes.",)


# Absolute words ------------------------------------------------------------------


def test_absolute_words_match_whole_words_and_phrases():
    assert quality.absolute_words("It ALWAYS bleeds; none at  all, overall, allowed") == (
        "always",
        "none",
        "at all",
    )
    assert quality.absolute_words("Overall it is usually fine, mustard aside") == ()


def _absolute_bank(*, distractors_absolute, keys_absolute, items=10):
    """`items` items of one key and two distractors (so 2 × items distractors)."""
    bank = []
    for i in range(items):
        key = "Key, always" if i < keys_absolute else "Key"
        first = "Distractor never" if 2 * i < distractors_absolute else "Distractor"
        second = "Distractor must" if 2 * i + 1 < distractors_absolute else "Distractor"
        bank.append(item(f"q{i}", (key, True), (first, False), (second, False)))
    return bank


@pytest.mark.parametrize(
    ("distractors_absolute", "keys_absolute", "passed"),
    [
        (5, 10, False),  # 25% of distractors: a cue whatever the keys say
        (4, 10, True),  # 20% of distractors, keys more so
        (4, 1, True),  # 20% against 10%: exactly twice, not more
        (4, 0, False),  # 20% against none
        (2, 0, False),  # 10%: at the floor, against none
        (1, 0, True),  # 5%: below the floor, a stray word
    ],
)
def test_absolute_words_cue_pattern_at_its_thresholds(distractors_absolute, keys_absolute, passed):
    bank = _absolute_bank(distractors_absolute=distractors_absolute, keys_absolute=keys_absolute)
    result = quality.absolute_cue(bank)
    assert result.passed is passed
    assert result.figures["distractors"] == 20
    assert result.figures["distractors_absolute"] == distractors_absolute


def test_absolute_words_flag_items_whose_key_hedges():
    bank = [
        item("cue", ("Usually", True), ("Never", False), ("Always, at all", False)),
        item("even", ("Must", True), ("Never", False), ("Other", False)),
        item("tf", ("True", True), ("False", False), kind=quality.TRUE_FALSE),
    ]
    result = quality.absolute_cue(bank)
    assert [(f.key, f.message) for f in result.findings] == [
        ("cue", 'A distractor says "never", "always", "at all"; the key does not.')
    ]
    assert (result.figures["keys"], result.figures["distractors"]) == (2, 4)


# Multiple-response balance -------------------------------------------------------


@pytest.mark.parametrize(
    ("correct", "passed", "notes"),
    [
        ([1, 3, 1, 1, 2], True, ()),
        ([1, 3, 2, 2, 1], True, ()),  # 60% with at least half correct: at the limit
        ([1, 3, 2, 2, 2], False, (quality.BALANCE_HALF_NOTE.format(share=0.8, most=0.6),)),
        ([2, 2, 2, 3, 3], False, None),  # everything half or more: "tick everything"
        ([2, 2, 4, 5, 5], False, (quality.BALANCE_NO_ONE_NOTE,)),
        ([1, 1, 1, 2, 2], False, (quality.BALANCE_NO_MOST_NOTE,)),
    ],
)
def test_multiple_response_balance_at_its_thresholds(correct, passed, notes):
    options = 6 if max(correct) > 3 else 4
    result = quality.multiple_balance(
        [multiple(f"m{i}", n, options) for i, n in enumerate(correct)]
    )
    assert result.passed is passed
    if notes is not None:
        assert result.notes == notes


def test_multiple_response_balance_passes_with_a_note_below_five_items():
    result = quality.multiple_balance([multiple(f"m{i}", 2) for i in range(4)])
    assert (result.passed, result.figures["share"]) == (True, 1.0)
    assert result.notes == ("Too few items to judge (4, needs 5); passes.",)


# Explanations and feedback -------------------------------------------------------


def test_explanations_and_feedback_all_present_pass():
    result = quality.explanations([single("q0"), single("q1")])
    assert (result.passed, result.findings) == (True, ())


def test_a_blank_explanation_or_a_choice_without_feedback_fails():
    blank = item("blank", ("Key", True), ("No", False), explanation="  \n")
    silent = Item(
        key="silent",
        kind="single",
        prompt="Silent?",
        explanation="Why.",
        choices=(ItemChoice("Key", True, "F."), ItemChoice("A", False), ItemChoice("B", False)),
    )
    result = quality.explanations([blank, silent, single("fine")])
    assert result.passed is False
    assert [(f.key, f.message) for f in result.findings] == [
        ("blank", "No explanation."),
        ("silent", "2 of 3 choices have no feedback."),
    ]
    assert (result.figures["no_explanation"], result.figures["no_feedback"]) == (1, 2)


# Near-duplicate prompts ----------------------------------------------------------


def test_similarity_is_jaccard_on_words_without_stop_words():
    # {pressure, stop, bleeding} against {firm, pressure, stop, bleeding}: 3 / 4.
    assert (
        quality.similarity(
            "Why does pressure stop bleeding?", "Does firm pressure stop the bleeding"
        )
        == 0.75
    )
    assert quality.similarity("The", "A") == 0.0


@pytest.mark.parametrize(
    ("first", "second", "flagged"),
    [
        ("one two three four", "one two three five", True),  # 3 / 5 = 0.6: at the limit
        ("one two three four five six seven", "one two three four five x y", False),  # 5 / 9
    ],
)
def test_near_duplicate_prompts_at_the_similarity_limit(first, second, flagged):
    bank = [
        item("a", ("K", True), ("D", False), prompt=first),
        item("b", ("K", True), ("D", False), prompt=second),
    ]
    result = quality.near_duplicates(bank)
    assert result.passed is not flagged
    assert result.flagged_keys == (("a", "b") if flagged else ())


def test_near_duplicates_in_one_variant_group_pass():
    prompts = "How long should firm pressure be held?"
    bank = [
        item("a", ("K", True), ("D", False), prompt=prompts, group="pressure"),
        item("b", ("K", True), ("D", False), prompt=prompts, group="pressure"),
        item("c", ("K", True), ("D", False), prompt=prompts, group="other"),
        item("d", ("K", True), ("D", False), prompt=prompts),
    ]
    result = quality.near_duplicates(bank)
    assert (result.figures["pairs"], result.figures["grouped_pairs"]) == (5, 1)
    assert result.figures["closest_ungrouped"] == 1.0
    assert result.passed is False
    assert result.findings[0].message == (
        "Its prompt is 100% like c's: put both in one variant group or reword one."
    )


# The report ----------------------------------------------------------------------


def test_a_clean_bank_passes_every_criterion():
    bank = [
        *(single(f"q{i}", key_longest=i < 2) for i in range(5)),
        *(multiple(f"m{i}", n) for i, n in enumerate([1, 3, 1, 1, 2])),
    ]
    report = quality_check(bank)
    assert report.items == 10
    assert [c.criterion for c in report.criteria] == [
        quality.KEY_LONGEST,
        quality.ABSOLUTE,
        quality.BALANCE,
        quality.EXPLANATIONS,
        quality.NEAR_DUPLICATES,
    ]
    assert report.passed is True
    assert [f.key for f in report.findings] == ["q0", "q1"]  # flagged, within the limit


def test_one_failing_criterion_fails_the_report_and_the_report_is_frozen():
    report = quality_check([single("q0"), item("bare", ("K", True), ("D", False), explanation="")])
    assert report.criterion(quality.EXPLANATIONS).passed is False
    assert report.passed is False
    with pytest.raises(FrozenInstanceError):
        report.items = 0
