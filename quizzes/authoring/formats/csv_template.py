"""The CSV question template: one question per row, as a spreadsheet writes it.

Columns (the header row names them; order does not matter):

========== =========================================================================
key        Optional. A short name; the new question's key when it is free.
kind       ``single``, ``multiple`` or ``true_false``.
prompt     The question as trainees read it.
choice_N   The choices, from ``choice_1`` without gaps; six columns in the template,
           add ``choice_7``… for more. A true/false row may leave them empty:
           they become True and False.
correct    The numbers of the correct choices, e.g. ``2`` or ``1;3``. A true/false
           row may also say ``true`` or ``false``.
feedback_N Optional feedback shown in the review next to choice N.
explanation Optional; shown in the review after submission.
points     Optional whole number, 1 by default.
critical   Optional ``yes``/``no`` (``no`` by default): a safety point that fails the
           attempt when answered wrongly.
topic      Optional topic slug; the quiz's topic (or the one chosen on import) otherwise.
lesson     Optional lesson slug: the review links to it.
variant_group Optional short name of the point the question tests, e.g. ``pressure-after``;
           a paper never holds two questions of one group.
========== =========================================================================

Spreadsheets in some locales separate with semicolons; a header without commas
is read that way. The file must be UTF-8 (“CSV UTF-8” in spreadsheet save
dialogs); a byte-order mark is fine.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from quizzes.authoring.formats.common import (
    ERROR_EMPTY_FILE,
    ERROR_POINTS,
    ERROR_UNKNOWN_KIND,
    ERROR_WRITTEN_NOT_IMPORTED,
    KINDS,
    MULTIPLE,
    SINGLE,
    TRUE_FALSE,
    WRITTEN,
    ParsedChoice,
    ParsedQuestion,
    ParseError,
    ParseResult,
    clean_text,
    collect,
    parse_bool,
    true_false_choices,
)
from trainingsite.plurals import Plural

TEMPLATE_CHOICES = 6
FIXED_COLUMNS = ("key", "kind", "prompt", "correct", "explanation", "points", "critical")
OPTIONAL_COLUMNS = ("topic", "lesson", "variant_group")
REQUIRED_COLUMNS = ("kind", "prompt", "correct")

ERROR_MISSING_COLUMNS = Plural(
    "The header row lacks the column {columns}.", "The header row lacks the columns {columns}."
)
ERROR_UNKNOWN_COLUMNS = Plural(
    "Unknown column in the header row: {columns}.", "Unknown columns in the header row: {columns}."
)
ERROR_DUPLICATE_COLUMNS = "A column appears twice in the header row: {columns}."
ERROR_CHOICE_GAP = "Choices must be filled from choice_1 without gaps."
ERROR_FEEDBACK_WITHOUT_CHOICE = "feedback_{number} is filled but choice_{number} is empty."
ERROR_CORRECT_EMPTY = (
    "The correct column is empty: give the number of each correct choice, e.g. 2 or 1;3."
)
ERROR_CORRECT_UNREADABLE = "The correct column must list choice numbers such as 2 or 1;3."
ERROR_CORRECT_OUT_OF_RANGE = "The correct column names choice {number}, which is empty."
ERROR_CRITICAL = "The critical column must be yes or no."
ERROR_VARIANT_GROUP = (
    "The variant_group column takes a short name of letters, digits, hyphens and underscores "
    "(at most 50 characters), e.g. pressure-after."
)
_VARIANT_GROUP = re.compile(r"[-a-zA-Z0-9_]{1,50}")
ERROR_TOO_MANY_CELLS = "The row has more cells than the header row has columns."
ERROR_CSV = "The file cannot be read as CSV: {detail}."

_CHOICE_COLUMN = re.compile(r"^(choice|feedback)_([1-9][0-9]?)$")


def header(choice_count: int = TEMPLATE_CHOICES) -> list[str]:
    """Return the template's header row with this many choice columns."""
    numbers = range(1, choice_count + 1)
    return [
        "key",
        "kind",
        "prompt",
        *(f"choice_{n}" for n in numbers),
        "correct",
        *(f"feedback_{n}" for n in numbers),
        "explanation",
        "points",
        "critical",
        "topic",
        "lesson",
        "variant_group",
    ]


EXAMPLES = (
    ParsedQuestion(
        kind=SINGLE,
        title="example-single",
        prompt="Which finding during microneedling is expected at depths that reach the "
        "capillaries?",
        choices=(
            ParsedChoice("Pinpoint bleeding that slows with light pressure", True, "Yes."),
            ParsedChoice("Bleeding that soaks gauze within a minute", False, "Excessive."),
            ParsedChoice("No change at all in the skin", False),
        ),
        explanation="Pinpoint bleeding is expected once the needles reach the capillaries.",
        points=1,
    ),
    ParsedQuestion(
        kind=MULTIPLE,
        title="example-multiple",
        prompt="Select all that apply: which should you ask about before treatment?",
        choices=(
            ParsedChoice("Anticoagulant or antiplatelet medicines", True),
            ParsedChoice("Supplements such as fish oil or ginkgo", True),
            ParsedChoice("The client's favourite colour", False, "Not relevant to bleeding."),
        ),
        explanation="Medicines and supplements that affect clotting change how a client bleeds.",
        points=2,
    ),
    ParsedQuestion(
        kind=TRUE_FALSE,
        title="example-true-false",
        prompt="Bleeding that does not slow with firm pressure is a reason to stop and escalate.",
        choices=true_false_choices(True, false_feedback="Persistent bleeding needs escalation."),
        explanation="Follow your local protocol and escalate when pressure does not work.",
        critical=True,
    ),
)


def template_text() -> str:
    """Return the downloadable template: the header and one example row per kind."""
    return write(EXAMPLES)


def write(questions: Iterable[ParsedQuestion]) -> str:
    """Write questions as template CSV (UTF-8 text; quote fields as needed)."""
    questions = list(questions)
    choice_count = max([TEMPLATE_CHOICES, *(len(q.choices) for q in questions)])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header(choice_count))
    for question in questions:
        texts = [c.text for c in question.choices]
        feedback = [c.feedback for c in question.choices]
        padding = [""] * (choice_count - len(question.choices))
        correct = ";".join(str(n) for n, c in enumerate(question.choices, start=1) if c.correct)
        writer.writerow(
            [
                question.title,
                question.kind,
                question.prompt,
                *texts,
                *padding,
                correct,
                *feedback,
                *padding,
                question.explanation,
                question.points,
                "yes" if question.critical else "no",
                question.topic,
                question.lesson,
                question.variant_group,
            ]
        )
    return buffer.getvalue()


def _check_header(names: list[str]) -> tuple[dict[int, str], list[ParseError]]:
    """Map cell positions to column names; report missing, unknown and repeated columns."""
    columns: dict[int, str] = {}
    errors: list[ParseError] = []
    unknown: list[str] = []
    seen: set[str] = set()
    repeated: list[str] = []
    for position, raw in enumerate(names):
        name = raw.strip().casefold()
        if not name:
            continue  # spreadsheets leave empty trailing header cells
        if name not in FIXED_COLUMNS + OPTIONAL_COLUMNS and not _CHOICE_COLUMN.match(name):
            unknown.append(raw.strip())
            continue
        if name in seen:
            repeated.append(name)
        seen.add(name)
        columns[position] = name
    missing = [name for name in REQUIRED_COLUMNS if name not in seen]
    if missing:
        message = ERROR_MISSING_COLUMNS.format(columns=", ".join(missing), count=len(missing))
        errors.append(ParseError(1, message))
    if unknown:
        message = ERROR_UNKNOWN_COLUMNS.format(columns=", ".join(unknown), count=len(unknown))
        errors.append(ParseError(1, message))
    if repeated:
        errors.append(ParseError(1, ERROR_DUPLICATE_COLUMNS.format(columns=", ".join(repeated))))
    return columns, errors


def _correct_numbers(value: str, kind: str) -> set[int] | None:
    folded = value.strip().casefold()
    if kind == TRUE_FALSE:
        verdict = {"true": 1, "t": 1, "false": 2, "f": 2}.get(folded)
        if verdict is not None:
            return {verdict}
    parts = [part for part in re.split(r"[;,\s]+", folded) if part]
    if not parts or not all(part.isdigit() for part in parts):
        return None
    return {int(part) for part in parts}


def _row_question(row: dict[str, str], line: int) -> tuple[ParsedQuestion | None, list[ParseError]]:
    errors: list[ParseError] = []

    def fail(message: str) -> None:
        errors.append(ParseError(line, message))

    kind = row.get("kind", "").strip().casefold().replace("/", "_").replace("-", "_")
    if kind == WRITTEN:
        fail(ERROR_WRITTEN_NOT_IMPORTED)
        return None, errors
    if kind not in KINDS:
        fail(ERROR_UNKNOWN_KIND)
        return None, errors

    choices: dict[int, str] = {}
    feedback: dict[int, str] = {}
    for name, value in row.items():
        match = _CHOICE_COLUMN.match(name)
        if match and clean_text(value):
            target = choices if match.group(1) == "choice" else feedback
            target[int(match.group(2))] = clean_text(value)
    if kind == TRUE_FALSE and not choices:
        choices = {1: "True", 2: "False"}
    count = len(choices)
    if choices and sorted(choices) != list(range(1, count + 1)):
        fail(ERROR_CHOICE_GAP)
    for number in sorted(feedback):
        if number not in choices:
            fail(ERROR_FEEDBACK_WITHOUT_CHOICE.format(number=number))

    correct_raw = row.get("correct", "")
    correct: set[int] = set()
    if not correct_raw.strip():
        fail(ERROR_CORRECT_EMPTY)
    else:
        numbers = _correct_numbers(correct_raw, kind)
        if numbers is None:
            fail(ERROR_CORRECT_UNREADABLE)
        else:
            for number in sorted(numbers):
                if number not in choices:
                    fail(ERROR_CORRECT_OUT_OF_RANGE.format(number=number))
            correct = numbers

    points_raw = row.get("points", "").strip()
    points = 1
    if points_raw:
        if points_raw.isdigit():
            points = int(points_raw)
        else:
            fail(ERROR_POINTS)
    critical = parse_bool(row.get("critical", ""))
    if critical is None:
        fail(ERROR_CRITICAL)
    variant_group = clean_text(row.get("variant_group", ""))
    if variant_group and not _VARIANT_GROUP.fullmatch(variant_group):
        fail(ERROR_VARIANT_GROUP)

    if errors:
        return None, errors
    question = ParsedQuestion(
        kind=kind,
        title=clean_text(row.get("key", "")),
        prompt=clean_text(row.get("prompt", "")),
        choices=tuple(
            ParsedChoice(choices[n], n in correct, feedback.get(n, "")) for n in sorted(choices)
        ),
        explanation=clean_text(row.get("explanation", "")),
        points=points,
        critical=bool(critical),
        topic=clean_text(row.get("topic", "")),
        lesson=clean_text(row.get("lesson", "")),
        line=line,
        variant_group=variant_group,
    )
    return question, []


def parse(text: str) -> ParseResult:
    """Parse template CSV text; every row's problems are reported with its line number."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    questions: list[ParsedQuestion] = []
    errors: list[ParseError] = []
    try:
        names = next(reader, None)
        if names is None:
            return ParseResult(errors=(ParseError(0, ERROR_EMPTY_FILE),))
        columns, header_errors = _check_header(names)
        if header_errors:
            return ParseResult(errors=tuple(header_errors))
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if any(cell.strip() for cell in cells[len(names) :]):
                errors.append(ParseError(start, ERROR_TOO_MANY_CELLS))
                continue
            row = {name: cells[pos] if pos < len(cells) else "" for pos, name in columns.items()}
            question, row_errors = _row_question(row, start)
            errors.extend(row_errors)
            if question is not None:
                questions.append(question)
    except csv.Error as exc:
        errors.append(ParseError(reader.line_num, ERROR_CSV.format(detail=exc)))
    if not questions and not errors:
        errors.append(ParseError(0, ERROR_EMPTY_FILE))
    return collect(questions, errors)
