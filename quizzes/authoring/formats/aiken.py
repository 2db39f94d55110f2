"""Aiken, the plain single-choice format many LMSs read and write::

    Which finding is expected at capillary depth?
    A. Pinpoint bleeding
    B) Bleeding that soaks gauze within a minute
    C. No change in the skin
    ANSWER: A

The question text (one or more lines), then options lettered from A in order
with ``A.`` or ``A)``, then ``ANSWER:`` and one letter. Blank lines between
questions are optional. Every question is single choice; Aiken has no
feedback, explanation, points or topic (the import's defaults apply).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

from quizzes.authoring.formats.common import (
    ERROR_EMPTY_FILE,
    SINGLE,
    TRUE_FALSE,
    ParsedChoice,
    ParsedQuestion,
    ParseError,
    ParseResult,
    collect,
)

ERROR_NO_ANSWER = "The question has no ANSWER: line after its options."
ERROR_NO_OPTIONS = "The question has no options (A. …, B. …) before its ANSWER: line."
ERROR_ANSWER_LETTER = "ANSWER: must give the letter of one of the question's options."
ERROR_OPTION_ORDER = "Options must be lettered A, B, C… in order; expected {expected}."
ERROR_TEXT_AFTER_OPTIONS = "Expected an option (such as “C. …”) or the ANSWER: line."

_OPTION = re.compile(r"^([A-Z])[.)]\s+(.*\S)\s*$")
_ANSWER = re.compile(r"^ANSWER\s*:\s*(.*?)\s*$", re.IGNORECASE)


def parse(text: str) -> ParseResult:
    """Parse Aiken text; each question's problem is reported with its line number."""
    questions: list[ParsedQuestion] = []
    errors: list[ParseError] = []
    prompt_lines: list[str] = []
    options: list[str] = []
    start = 0
    broken = False  # skip the rest of a question once one error is reported

    def reset() -> None:
        nonlocal prompt_lines, options, start, broken
        prompt_lines, options, start, broken = [], [], 0, False

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            # A blank line after the options ends the question.
            if options and not broken:
                errors.append(ParseError(start, ERROR_NO_ANSWER))
            if options or broken:
                reset()
            continue
        answer = _ANSWER.match(line)
        if answer:
            if not broken:
                if not options:
                    errors.append(ParseError(start or number, ERROR_NO_OPTIONS))
                else:
                    letter = answer.group(1).upper()
                    index = string.ascii_uppercase.find(letter) if len(letter) == 1 else -1
                    if not 0 <= index < len(options):
                        errors.append(ParseError(number, ERROR_ANSWER_LETTER))
                    else:
                        questions.append(
                            ParsedQuestion(
                                kind=SINGLE,
                                prompt="\n".join(prompt_lines),
                                choices=tuple(
                                    ParsedChoice(option, position == index)
                                    for position, option in enumerate(options)
                                ),
                                line=start,
                            )
                        )
            reset()
            continue
        if broken:
            continue
        option = _OPTION.match(line)
        if option and prompt_lines:
            expected = string.ascii_uppercase[len(options)] if len(options) < 26 else "?"
            if option.group(1) != expected:
                errors.append(ParseError(number, ERROR_OPTION_ORDER.format(expected=expected)))
                broken = True
                continue
            options.append(option.group(2))
        elif options:
            errors.append(ParseError(number, ERROR_TEXT_AFTER_OPTIONS))
            broken = True
        else:
            start = start or number
            prompt_lines.append(line)
    if (prompt_lines or options) and not broken:
        errors.append(ParseError(start, ERROR_NO_ANSWER))
    if not questions and not errors:
        errors.append(ParseError(0, ERROR_EMPTY_FILE))
    return collect(questions, errors)


def write(questions: Iterable[ParsedQuestion]) -> str:
    """Write single-choice and true/false questions as Aiken (it has no other kind)."""
    blocks = []
    for question in questions:
        if question.kind not in (SINGLE, TRUE_FALSE):
            raise ValueError("Aiken holds single-choice and true/false questions only.")
        lines = [line.strip() for line in question.prompt.split("\n") if line.strip()]
        for letter, choice in zip(string.ascii_uppercase, question.choices, strict=False):
            lines.append(f"{letter}. {' '.join(choice.text.split())}")
        correct = next(i for i, c in enumerate(question.choices) if c.correct)
        lines.append(f"ANSWER: {string.ascii_uppercase[correct]}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
