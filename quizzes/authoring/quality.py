"""The item-quality check: cues and gaps a test-wise trainee or a reviewer would spot.

Plain items in, a frozen report out; no database (`quizzes.authoring.selectors` feeds it).
Five criteria, each with its figures, its threshold (the constants below) and the items it
flags:

- **Key is the longest option** (`key_longest`): among single-choice items with at least 3
  options, the share whose key is strictly longer (in characters) than every distractor.
  With 3 or 4 options chance alone makes the key the longest in 25-33% of items; above
  `KEY_LONGEST_MAX_SHARE` (0.40) "pick the longest" beats chance. Judged from
  `KEY_LONGEST_MIN_ITEMS` (5) such items; fewer pass with a note.
- **Absolute words** (`absolute_words`): the share of distractors and of keys (correct
  choices of single-choice and multiple-response items) holding one of `ABSOLUTE_WORDS`.
  A cue pattern, which fails, is distractors at `ABSOLUTE_DISTRACTOR_MAX_SHARE` (25%) or
  more, or distractors at more than `ABSOLUTE_RATIO` (2) times the keys' share once at least
  `ABSOLUTE_RATIO_FLOOR` (10%) of distractors carry one (below that a stray "never" is noise,
  not a pattern a trainee can learn).
- **Multiple-response balance** (`multiple_balance`): from `BALANCE_MIN_ITEMS` (5)
  multiple-response items, at most `BALANCE_MAX_HALF_SHARE` (60%) may have at least half
  their options correct, at least one has exactly one correct option and at least one has
  most (more than half) of its options correct; otherwise "tick everything sensible" or
  "tick one" works. Fewer items pass with a note.
- **Explanations and feedback** (`explanations`): every item has an explanation and every
  choice its feedback; any gap fails.
- **Near-duplicate prompts** (`near_duplicates`): the Jaccard similarity of two prompts'
  word sets (lower-cased, `STOP_WORDS` dropped): shared words over all words. A pair at
  `NEAR_DUPLICATE_MIN_SIMILARITY` (0.6) or above is flagged unless both items share a
  non-blank variant group (a paper never holds two of one group); any flagged pair fails.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from trainingsite.plurals import Plural

SINGLE = "single"
MULTIPLE = "multiple"
TRUE_FALSE = "true_false"

KEY_LONGEST_MAX_SHARE = 0.40
KEY_LONGEST_MIN_OPTIONS = 3
KEY_LONGEST_MIN_ITEMS = 5
ABSOLUTE_WORDS = (
    "always",
    "never",
    "must",
    "certainly",
    "all",
    "none",
    "only",
    "completely",
    "at all",
    "guaranteed",
)
ABSOLUTE_DISTRACTOR_MAX_SHARE = 0.25
ABSOLUTE_RATIO = 2.0
ABSOLUTE_RATIO_FLOOR = 0.10
BALANCE_MIN_ITEMS = 5
BALANCE_MAX_HALF_SHARE = 0.60
NEAR_DUPLICATE_MIN_SIMILARITY = 0.6
STOP_WORDS = frozenset(
    "a an and are as at be been before by can could do does for from has have how i if in "
    "into is it its may might of on or should so than that the their them then there these "
    "they this to was were what when where which while who why will with would you your".split()
)

KEY_LONGEST = "key_longest"
ABSOLUTE = "absolute_words"
BALANCE = "multiple_balance"
EXPLANATIONS = "explanations"
NEAR_DUPLICATES = "near_duplicates"
TITLES = {
    KEY_LONGEST: "Key is the longest option",
    ABSOLUTE: "Absolute words in distractors",
    BALANCE: "Multiple-response key balance",
    EXPLANATIONS: "Explanations and feedback",
    NEAR_DUPLICATES: "Near-duplicate prompts",
}

KEY_LONGEST_MESSAGE = "The key is the longest of its {options} options."
ABSOLUTE_MESSAGE = "A distractor says {words}; the key does not."
NO_EXPLANATION_MESSAGE = "No explanation."
NO_FEEDBACK_MESSAGE = Plural(
    "{missing} of {choices} choices has no feedback.",
    "{missing} of {choices} choices have no feedback.",
    count="missing",
)
NEAR_DUPLICATE_MESSAGE = (
    "Its prompt is {similarity:.0%} like {other}'s: put both in one variant group or reword one."
)
NEAR_DUPLICATES_SUMMARY = Plural(
    "{count} pair of prompts at {similarity:.0%} word overlap or more outside one variant "
    "group ({grouped} inside one; the closest pair outside one {closest:.0%}); none allowed.",
    "{count} pairs of prompts at {similarity:.0%} word overlap or more outside one variant "
    "group ({grouped} inside one; the closest pair outside one {closest:.0%}); none allowed.",
)
TOO_FEW_NOTE = "Too few items to judge ({count}, needs {needed}); passes."
BALANCE_HALF_NOTE = (
    "{share:.0%} of items have at least half their options correct (at most {most:.0%})."
)
BALANCE_NO_ONE_NOTE = "No item has exactly one correct option."
BALANCE_NO_MOST_NOTE = "No item has most of its options correct."

_ABSOLUTE = re.compile(r"\b(" + "|".join(w.replace(" ", r"\s+") for w in ABSOLUTE_WORDS) + r")\b")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@dataclass(frozen=True)
class ItemChoice:
    text: str
    correct: bool
    feedback: str = ""


@dataclass(frozen=True)
class Item:
    key: str
    kind: str
    prompt: str
    explanation: str
    choices: tuple[ItemChoice, ...]
    variant_group: str = ""


@dataclass(frozen=True)
class Finding:
    key: str
    criterion: str
    message: str


@dataclass(frozen=True)
class CriterionResult:
    criterion: str
    title: str
    passed: bool
    summary: str  # the figures against the threshold, in one sentence
    figures: dict[str, float | int]
    findings: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def flagged_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.key for f in self.findings))


@dataclass(frozen=True)
class QualityReport:
    items: int
    criteria: tuple[CriterionResult, ...]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.criteria)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for c in self.criteria for f in c.findings)

    def criterion(self, name: str) -> CriterionResult:
        return next(c for c in self.criteria if c.criterion == name)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def absolute_words(text: str) -> tuple[str, ...]:
    """The absolute words in `text`, lower-cased, in order of first appearance."""
    found = (re.sub(r"\s+", " ", m) for m in _ABSOLUTE.findall(text.lower()))
    return tuple(dict.fromkeys(found))


def prompt_words(prompt: str) -> frozenset[str]:
    return frozenset(_WORD.findall(prompt.lower())) - STOP_WORDS


def similarity(first: str, second: str) -> float:
    """Jaccard similarity of two prompts' word sets: shared words over all their words."""
    a, b = prompt_words(first), prompt_words(second)
    return len(a & b) / len(a | b) if a | b else 0.0


def key_longest(items: Sequence[Item]) -> CriterionResult:
    eligible = [i for i in items if i.kind == SINGLE and len(i.choices) >= KEY_LONGEST_MIN_OPTIONS]
    findings = []
    for item in eligible:
        key = max((len(c.text.strip()) for c in item.choices if c.correct), default=0)
        others = [len(c.text.strip()) for c in item.choices if not c.correct]
        if others and key > max(others):
            message = KEY_LONGEST_MESSAGE.format(options=len(item.choices))
            findings.append(Finding(item.key, KEY_LONGEST, message))
    share = _share(len(findings), len(eligible))
    enough = len(eligible) >= KEY_LONGEST_MIN_ITEMS
    notes = (
        () if enough else (TOO_FEW_NOTE.format(count=len(eligible), needed=KEY_LONGEST_MIN_ITEMS),)
    )
    return CriterionResult(
        criterion=KEY_LONGEST,
        title=TITLES[KEY_LONGEST],
        passed=not enough or share <= KEY_LONGEST_MAX_SHARE,
        summary=(
            f"{len(findings)} of {len(eligible)} single-choice items with 3+ options "
            f"({share:.0%}); at most {KEY_LONGEST_MAX_SHARE:.0%}."
        ),
        figures={"items": len(eligible), "key_longest": len(findings), "share": share},
        findings=tuple(findings),
        notes=notes,
    )


def absolute_cue(items: Sequence[Item]) -> CriterionResult:
    keys = distractors = keys_absolute = distractors_absolute = 0
    findings = []
    for item in items:
        if item.kind not in (SINGLE, MULTIPLE):
            continue
        in_keys, in_distractors = set(), []
        for choice in item.choices:
            words = absolute_words(choice.text)
            if choice.correct:
                keys += 1
                keys_absolute += bool(words)
                in_keys.update(words)
            else:
                distractors += 1
                distractors_absolute += bool(words)
                in_distractors += [w for w in words if w not in in_distractors]
        if in_distractors and not in_keys:
            words = ", ".join(f'"{w}"' for w in in_distractors)
            findings.append(Finding(item.key, ABSOLUTE, ABSOLUTE_MESSAGE.format(words=words)))
    key_share = _share(keys_absolute, keys)
    distractor_share = _share(distractors_absolute, distractors)
    cue = distractor_share >= ABSOLUTE_DISTRACTOR_MAX_SHARE or (
        distractor_share >= ABSOLUTE_RATIO_FLOOR and distractor_share > ABSOLUTE_RATIO * key_share
    )
    return CriterionResult(
        criterion=ABSOLUTE,
        title=TITLES[ABSOLUTE],
        passed=not cue,
        summary=(
            f"In {distractors_absolute} of {distractors} distractors ({distractor_share:.0%}) "
            f"and {keys_absolute} of {keys} keys ({key_share:.0%}); a cue at 25% of "
            "distractors, or above twice the keys' share from 10%."
        ),
        figures={
            "distractors": distractors,
            "distractors_absolute": distractors_absolute,
            "distractor_share": distractor_share,
            "keys": keys,
            "keys_absolute": keys_absolute,
            "key_share": key_share,
        },
        findings=tuple(findings),
    )


def multiple_balance(items: Sequence[Item]) -> CriterionResult:
    multiple = [i for i in items if i.kind == MULTIPLE and i.choices]
    correct = [(sum(c.correct for c in i.choices), len(i.choices)) for i in multiple]
    half = sum(2 * right >= options for right, options in correct)
    one = sum(right == 1 for right, _ in correct)
    most = sum(2 * right > options for right, options in correct)
    share = _share(half, len(multiple))
    if len(multiple) < BALANCE_MIN_ITEMS:
        notes = (TOO_FEW_NOTE.format(count=len(multiple), needed=BALANCE_MIN_ITEMS),)
    else:
        notes = tuple(
            note
            for note, failing in (
                (
                    BALANCE_HALF_NOTE.format(share=share, most=BALANCE_MAX_HALF_SHARE),
                    share > BALANCE_MAX_HALF_SHARE,
                ),
                (BALANCE_NO_ONE_NOTE, one == 0),
                (BALANCE_NO_MOST_NOTE, most == 0),
            )
            if failing
        )
    passed = len(multiple) < BALANCE_MIN_ITEMS or not notes
    return CriterionResult(
        criterion=BALANCE,
        title=TITLES[BALANCE],
        passed=passed,
        summary=(
            f"{half} of {len(multiple)} multiple-response items ({share:.0%}) have at least half "
            f"their options correct (at most {BALANCE_MAX_HALF_SHARE:.0%}); {one} with one "
            f"correct option, {most} with most (at least one of each)."
        ),
        figures={
            "items": len(multiple),
            "half_or_more": half,
            "share": share,
            "one_correct": one,
            "most_correct": most,
        },
        notes=notes,
    )


def explanations(items: Sequence[Item]) -> CriterionResult:
    findings = []
    no_explanation = no_feedback = choices = 0
    for item in items:
        if not item.explanation.strip():
            no_explanation += 1
            findings.append(Finding(item.key, EXPLANATIONS, NO_EXPLANATION_MESSAGE))
        missing = sum(not c.feedback.strip() for c in item.choices)
        choices += len(item.choices)
        if missing:
            no_feedback += missing
            message = NO_FEEDBACK_MESSAGE.format(missing=missing, choices=len(item.choices))
            findings.append(Finding(item.key, EXPLANATIONS, message))
    return CriterionResult(
        criterion=EXPLANATIONS,
        title=TITLES[EXPLANATIONS],
        passed=not findings,
        summary=(
            f"{no_explanation} of {len(items)} items without an explanation, {no_feedback} of "
            f"{choices} choices without feedback; none allowed."
        ),
        figures={
            "items": len(items),
            "no_explanation": no_explanation,
            "choices": choices,
            "no_feedback": no_feedback,
        },
        findings=tuple(findings),
    )


def near_duplicates(items: Sequence[Item]) -> CriterionResult:
    words = [(item, prompt_words(item.prompt)) for item in items]
    findings = []
    pairs = grouped = 0
    closest = 0.0  # the most similar pair outside one group, flagged or not
    for (first, a), (second, b) in combinations(words, 2):
        if not a & b:
            continue
        score = len(a & b) / len(a | b)
        same_group = bool(first.variant_group) and first.variant_group == second.variant_group
        if not same_group:
            closest = max(closest, score)
        if score < NEAR_DUPLICATE_MIN_SIMILARITY:
            continue
        if same_group:
            grouped += 1
            continue
        pairs += 1
        for item, other in ((first, second), (second, first)):
            message = NEAR_DUPLICATE_MESSAGE.format(similarity=score, other=other.key)
            findings.append(Finding(item.key, NEAR_DUPLICATES, message))
    return CriterionResult(
        criterion=NEAR_DUPLICATES,
        title=TITLES[NEAR_DUPLICATES],
        passed=not findings,
        summary=NEAR_DUPLICATES_SUMMARY.format(
            count=pairs, similarity=NEAR_DUPLICATE_MIN_SIMILARITY, grouped=grouped, closest=closest
        ),
        figures={"pairs": pairs, "grouped_pairs": grouped, "closest_ungrouped": closest},
        findings=tuple(findings),
    )


def quality_check(items: Sequence[Item]) -> QualityReport:
    """Run every criterion over `items` (one quiz's pool or a whole bank)."""
    checks = (key_longest, absolute_cue, multiple_balance, explanations, near_duplicates)
    return QualityReport(items=len(items), criteria=tuple(check(items) for check in checks))
