"""GIFT, Moodle's plain-text question format: the subset for this site's question kinds.

Read (one question per block; blocks are separated by blank lines)::

    // A comment line (ignored)
    ::Optional title::Which is expected? {
      =Pinpoint bleeding#Right: expected at capillary depth.
      ~Bleeding that soaks gauze#That is excessive.
      ####General feedback, kept as the question's explanation.
    }

    Select all that apply: ask about... {~%50%Anticoagulants ~%50%Fish oil ~%-100%Hair colour}
    Firm pressure is the first step. {T}

* **Single choice**: one ``=right`` answer and ``~wrong`` answers.
* **Multiple response**: no ``=``; answers carry weights such as ``~%50%`` (a positive
  weight marks a correct choice, zero or negative an incorrect one). The site scores
  with its own partial-credit rule, so only the sign of a weight matters.
* **True/false**: ``{T}``, ``{TRUE}``, ``{F}`` or ``{FALSE}``; ``{T#wrong#right}`` gives
  the feedback for a wrong and for a right answer, as Moodle reads it.
* ``#feedback`` after an answer, ``####general feedback`` (the explanation), escapes
  ``\\~ \\= \\# \\{ \\} \\: \\\\`` and ``\\n``, a leading ``[markdown]``, ``[html]``, ``[plain]`` or
  ``[moodle]`` marker (HTML tags are removed from ``[html]`` text), text after the braces
  (a “missing word” question, read with a blank ``_____``), ``$CATEGORY:`` lines (ignored).
* Short answer, numerical, matching, essay and description questions are refused with
  a clear error, each with the line it starts on.

This site's own fields ride in a comment that Moodle ignores, just above the question:
``// trainingsite: points=2; critical=yes; topic=managing-bleeding; lesson=after-care``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from django.utils.html import strip_tags

from quizzes.authoring.formats.common import (
    ERROR_EMPTY_FILE,
    ERROR_POINTS,
    ERROR_RESERVED_CHARACTERS,
    MULTIPLE,
    SINGLE,
    TRUE_FALSE,
    ParsedChoice,
    ParsedQuestion,
    ParseError,
    ParseResult,
    collect,
    parse_bool,
    true_false_choices,
)

ERROR_UNTERMINATED_TITLE = "The title opens with :: but is never closed with ::."
ERROR_NO_ANSWER_BLOCK = (
    "No answer block in braces: descriptions are not supported. "
    "Add the answers, e.g. {=right ~wrong}."
)
ERROR_UNTERMINATED_BRACE = "The answer block opened with { is never closed with }."
ERROR_STRAY_BRACE = (
    "An unescaped brace is out of place (one answer block per question); "
    "write \\{ or \\} for a literal brace."
)
ERROR_UNSUPPORTED = (
    "{kind} questions are not supported: use single choice (=right ~wrong), "
    "multiple response (~%50%right ~%-100%wrong) or true/false ({{T}} or {{F}})."
)
ERROR_ANSWER_SYNTAX = "Each answer must start with = (right answer) or ~ (wrong answer)."
ERROR_NO_CORRECT = (
    "No answer is marked right: mark it with =, or with a positive weight such as "
    "~%50% for multiple response."
)
ERROR_WEIGHT_IN_SINGLE = (
    "Partial-credit weights are only read in multiple-response questions (no = answer); "
    "mark the one right answer with = and the others with ~."
)
ERROR_META = "Unreadable trainingsite comment: {detail}."

META_PREFIX = "// trainingsite:"
_META_KEYS = ("points", "critical", "topic", "lesson")

# Escaped characters are swapped for private-use placeholders while the
# structure is read, then swapped back in the texts.
_ESCAPABLE = "\\~=#{}:n"
_PLACEHOLDERS = {char: chr(0xE000 + index) for index, char in enumerate(_ESCAPABLE)}
_RESTORE = {
    placeholder: ("\n" if char == "n" else char) for char, placeholder in _PLACEHOLDERS.items()
}
_RESERVED = re.compile("[\ue000-\ue00f]")
_ESCAPE = re.compile(r"\\([\\~=#{}:n])")
_FORMAT_MARKER = re.compile(r"^\s*\[(markdown|html|plain|moodle)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


class _BlockError(Exception):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message = message
        self.line = line


def _protect(text: str) -> str:
    return _ESCAPE.sub(lambda match: _PLACEHOLDERS[match.group(1)], text)


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(char, char) for char in text)


def _plain(text: str, *, is_html: bool) -> str:
    text = _restore(text)
    if is_html:
        text = re.sub(r"<br\s*/?>|</p>", "\n", text, flags=re.IGNORECASE)
        text = html.unescape(strip_tags(text))
        text = "\n".join(line.strip() for line in text.split("\n"))
        text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _read_meta(comment: str, line: int) -> dict[str, object]:
    meta: dict[str, object] = {}
    for part in comment[len(META_PREFIX) :].split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name, value = name.strip().casefold(), value.strip()
        if not sep or name not in _META_KEYS:
            raise _BlockError(ERROR_META.format(detail=f"“{part.strip()}”"), line)
        if name == "points":
            if not value.isdigit():
                raise _BlockError(ERROR_POINTS, line)
            meta[name] = int(value)
        elif name == "critical":
            flag = parse_bool(value)
            if flag is None:
                raise _BlockError(ERROR_META.format(detail="critical must be yes or no"), line)
            meta[name] = flag
        else:
            meta[name] = value
    return meta


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _answers(body: str, line: int, is_html: bool) -> tuple[str, tuple[ParsedChoice, ...], str]:
    """Read the inside of the braces: return the kind, the choices and the explanation."""
    general = ""
    if "####" in body:
        body, general = body.split("####", 1)
    explanation = _plain(general, is_html=is_html)
    stripped = body.strip()
    if not stripped:
        raise _BlockError(ERROR_UNSUPPORTED.format(kind="Essay"), line)
    if stripped.startswith("#"):
        raise _BlockError(ERROR_UNSUPPORTED.format(kind="Numerical"), line)

    head, *feedback = stripped.split("#")
    verdict = _TRUE_FALSE.get(head.strip().upper())
    if verdict is not None:
        wrong = _plain(feedback[0], is_html=is_html) if feedback else ""
        right = _plain(feedback[1], is_html=is_html) if len(feedback) > 1 else ""
        if verdict:
            choices = true_false_choices(True, true_feedback=right, false_feedback=wrong)
        else:
            choices = true_false_choices(False, true_feedback=wrong, false_feedback=right)
        return TRUE_FALSE, choices, explanation

    parts = re.split(r"([~=])", stripped)
    if parts[0].strip():
        raise _BlockError(ERROR_ANSWER_SYNTAX, line)
    answers = list(zip(parts[1::2], parts[2::2], strict=True))
    markers = {marker for marker, _ in answers}
    if markers == {"="}:
        if all("->" in text for _, text in answers):
            raise _BlockError(ERROR_UNSUPPORTED.format(kind="Matching"), line)
        raise _BlockError(ERROR_UNSUPPORTED.format(kind="Short answer"), line)

    kind = SINGLE if "=" in markers else MULTIPLE
    choices = []
    for marker, raw in answers:
        weight = None
        match = _WEIGHT.match(raw)
        if match:
            weight = float(match.group(1))
            raw = raw[match.end() :]
        text, _, choice_feedback = raw.partition("#")
        if kind == SINGLE:
            if marker == "=" and weight not in (None, 100.0):
                raise _BlockError(ERROR_WEIGHT_IN_SINGLE, line)
            if marker == "~" and weight is not None and weight > 0:
                raise _BlockError(ERROR_WEIGHT_IN_SINGLE, line)
            correct = marker == "="
        else:
            correct = weight is not None and weight > 0
        choices.append(
            ParsedChoice(
                _plain(text, is_html=is_html),
                correct,
                _plain(choice_feedback, is_html=is_html),
            )
        )
    if not any(choice.correct for choice in choices):
        raise _BlockError(ERROR_NO_CORRECT, line)
    return kind, tuple(choices), explanation


def _question(lines: list[tuple[int, str]], meta: dict[str, object]) -> ParsedQuestion:
    first_line = lines[0][0]
    text = _protect("\n".join(line for _, line in lines))

    def line_at(position: int) -> int:
        return lines[text.count("\n", 0, position)][0]

    start = len(text) - len(text.lstrip())
    title = ""
    if text.startswith("::", start):
        end = text.find("::", start + 2)
        if end == -1:
            raise _BlockError(ERROR_UNTERMINATED_TITLE, first_line)
        title = _restore(text[start + 2 : end]).strip()
        start = end + 2

    opening = text.find("{", start)
    closing = text.find("}", start)
    if opening == -1:
        if closing != -1:
            raise _BlockError(ERROR_STRAY_BRACE, line_at(closing))
        raise _BlockError(ERROR_NO_ANSWER_BLOCK, first_line)
    if closing == -1:
        raise _BlockError(ERROR_UNTERMINATED_BRACE, line_at(opening))
    if closing < opening:
        raise _BlockError(ERROR_STRAY_BRACE, line_at(closing))
    second = text.find("{", opening + 1)
    if second != -1 and second < closing:
        raise _BlockError(ERROR_UNTERMINATED_BRACE, line_at(opening))
    if second != -1 or text.find("}", closing + 1) != -1:
        stray = min(p for p in (second, text.find("}", closing + 1)) if p != -1)
        raise _BlockError(ERROR_STRAY_BRACE, line_at(stray))

    before = text[start:opening]
    marker = _FORMAT_MARKER.match(before)
    is_html = bool(marker) and marker.group(1).casefold() == "html"
    if marker:
        before = before[marker.end() :]
    prompt = _plain(before, is_html=is_html)
    after = _plain(text[closing + 1 :], is_html=is_html)
    if after:
        prompt = f"{prompt} _____ {after}".strip()

    kind, choices, explanation = _answers(text[opening + 1 : closing], line_at(opening), is_html)
    return ParsedQuestion(
        kind=kind,
        prompt=prompt,
        choices=choices,
        explanation=explanation,
        points=int(meta.get("points", 1)),
        critical=bool(meta.get("critical", False)),
        topic=str(meta.get("topic", "")),
        lesson=str(meta.get("lesson", "")),
        title=title,
        line=first_line,
    )


def parse(text: str) -> ParseResult:
    """Parse GIFT text; each block's problem is reported with the line it occurs on."""
    reserved = _RESERVED.search(text)
    if reserved:
        line = text.count("\n", 0, reserved.start()) + 1
        return ParseResult(errors=(ParseError(line, ERROR_RESERVED_CHARACTERS),))
    questions: list[ParsedQuestion] = []
    errors: list[ParseError] = []
    for block in _blocks(text):
        meta: dict[str, object] = {}
        content: list[tuple[int, str]] = []
        try:
            for number, line in block:
                stripped = line.strip()
                if stripped.startswith(META_PREFIX):
                    meta.update(_read_meta(stripped, number))
                elif stripped.startswith("//"):
                    continue
                elif stripped.startswith("$CATEGORY:") and not content:
                    continue
                else:
                    content.append((number, line))
            if content:
                questions.append(_question(content, meta))
        except _BlockError as error:
            errors.append(ParseError(error.line, error.message))
    if not questions and not errors:
        errors.append(ParseError(0, ERROR_EMPTY_FILE))
    return collect(questions, errors)


def escape(text: str) -> str:
    """Escape GIFT's special characters and line breaks in a text."""
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def _weight(share: float) -> str:
    return f"{share:.5f}".rstrip("0").rstrip(".")


def _answer(marker: str, weight: str, choice: ParsedChoice) -> str:
    text = escape(choice.text)
    if not weight and text.startswith("%"):
        # A choice that starts with %n% would read as a weight: state one.
        weight = "%100%" if marker == "=" else "%0%"
    line = f"{marker}{weight}{text}"
    return f"{line}#{escape(choice.feedback)}" if choice.feedback else line


def _write_one(question: ParsedQuestion) -> str:
    lines: list[str] = []
    meta = [f"points={question.points}", f"critical={'yes' if question.critical else 'no'}"]
    if question.topic:
        meta.append(f"topic={question.topic}")
    if question.lesson:
        meta.append(f"lesson={question.lesson}")
    lines.append(f"{META_PREFIX} {'; '.join(meta)}")
    prompt = escape(question.prompt)
    if prompt.startswith(("[", "//")):
        prompt = "[plain]" + prompt
    opening = f"::{escape(question.title)}::{prompt}" if question.title else prompt
    explanation = f"####{escape(question.explanation)}" if question.explanation else ""

    if question.kind == TRUE_FALSE:
        right = next(c for c in question.choices if c.correct)
        wrong = next(c for c in question.choices if not c.correct)
        parts = ["TRUE" if right.text == "True" else "FALSE"]
        if wrong.feedback or right.feedback:
            parts.append(escape(wrong.feedback))
        if right.feedback:
            parts.append(escape(right.feedback))
        lines.append(f"{opening} {{{'#'.join(parts)}{explanation}}}")
        return "\n".join(lines)

    lines.append(f"{opening} {{")
    if question.kind == SINGLE:
        for choice in question.choices:
            lines.append(f"\t{_answer('=' if choice.correct else '~', '', choice)}")
    else:
        correct = sum(1 for c in question.choices if c.correct)
        incorrect = len(question.choices) - correct
        for choice in question.choices:
            share = 100 / correct if choice.correct else -100 / incorrect
            lines.append(f"\t{_answer('~', f'%{_weight(share)}%', choice)}")
    if explanation:
        lines.append(f"\t{explanation}")
    lines.append("}")
    return "\n".join(lines)


def write(questions: Iterable[ParsedQuestion]) -> str:
    """Write questions as GIFT that Moodle and this site both read back."""
    return "\n\n".join(_write_one(question) for question in questions) + "\n"
