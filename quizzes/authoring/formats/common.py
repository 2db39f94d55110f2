"""The neutral shape of a parsed question, and the rules every format shares.

Pure: no database and no Django models. Each format module turns text into a
:class:`ParseResult` (questions plus errors with their line numbers) and can
write questions back, so a bank round-trips. Checks that need the database
(does the topic exist? is the question already in the pool?) belong to
``quizzes.authoring.imports``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from quizzes.authoring import validation

# The question kinds, spelt as Question.Kind stores them (kept here so parsers
# need no model import).
SINGLE = "single"
MULTIPLE = "multiple"
TRUE_FALSE = "true_false"
KINDS = (SINGLE, MULTIPLE, TRUE_FALSE)

TRUE_TEXT = "True"
FALSE_TEXT = "False"

MAX_UPLOAD_BYTES = 1024 * 1024
MAX_CHOICE_LENGTH = 500
MAX_POINTS = 100

# Error messages: module constants so tests (and educators reading a preview)
# see exactly the same words everywhere.
ERROR_TOO_LARGE = "The file is larger than 1 MB. Split the bank into smaller files."
ERROR_ENCODING = (
    "The file is not UTF-8 text. Save it as “CSV UTF-8” (spreadsheets) or as UTF-8 plain text."
)
ERROR_EMPTY_FILE = "The file contains no questions."
ERROR_RESERVED_CHARACTERS = "The file contains private-use characters (U+E000–U+E00F)."
ERROR_EMPTY_PROMPT = "The question has no prompt."
ERROR_EMPTY_CHOICE = "A choice has no text."
ERROR_CHOICE_TOO_LONG = f"A choice is longer than {MAX_CHOICE_LENGTH} characters."
# The choice rules are the admin's own (quizzes.authoring.validation), word for word.
ERROR_TOO_FEW_CHOICES = validation.CHOICES_AT_LEAST_TWO
ERROR_SINGLE_ONE_CORRECT = validation.SINGLE_ONE_CORRECT
ERROR_TRUE_FALSE_ONE_CORRECT = validation.TRUE_FALSE_ONE_CORRECT
ERROR_TRUE_FALSE_TWO_CHOICES = validation.TRUE_FALSE_TWO_CHOICES
ERROR_MULTIPLE_NO_CORRECT = validation.MULTIPLE_ONE_CORRECT
ERROR_UNKNOWN_KIND = "Unknown question kind; use single, multiple or true_false."
WRITTEN = "written"
ERROR_WRITTEN_NOT_IMPORTED = (
    "Written-answer questions cannot be imported: add them in the admin, with a model answer, "
    "to a hand-marked quiz."
)
ERROR_POINTS = f"Points must be a whole number from 1 to {MAX_POINTS}."


@dataclass(frozen=True)
class ParsedChoice:
    text: str
    correct: bool = False
    feedback: str = ""


@dataclass(frozen=True)
class ParsedQuestion:
    """One question as read from a file, before it touches the database."""

    kind: str
    prompt: str
    choices: tuple[ParsedChoice, ...]
    explanation: str = ""
    points: int = 1
    critical: bool = False
    topic: str = ""
    lesson: str = ""
    title: str = ""
    line: int = 0
    variant_group: str = ""  # the point it tests (CSV only); not part of content()

    def content(self) -> tuple:
        """Return what the question says, without where it came from (for comparisons)."""
        return (
            self.kind,
            self.prompt,
            tuple((c.text, c.correct, c.feedback) for c in self.choices),
            self.explanation,
            self.points,
            self.critical,
            self.topic,
            self.lesson,
        )


@dataclass(frozen=True)
class ParseError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class ParseResult:
    questions: tuple[ParsedQuestion, ...] = ()
    errors: tuple[ParseError, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.questions)


class FileRejected(ValueError):
    """The upload as a whole cannot be read (too large, not UTF-8)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def decode_upload(data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """Return the text of an uploaded file, or raise FileRejected with a clear message.

    Accepts UTF-8 with or without a byte-order mark (spreadsheets add one) and
    normalises line endings to ``\\n``.
    """
    if len(data) > max_bytes:
        raise FileRejected(ERROR_TOO_LARGE)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRejected(ERROR_ENCODING) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def clean_text(value: str) -> str:
    """Strip surrounding whitespace and Windows line endings."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def normalise_prompt(prompt: str) -> str:
    """Return the form of a prompt used to spot duplicates: case, spacing and accents folded."""
    text = unicodedata.normalize("NFKC", prompt).casefold()
    return re.sub(r"\s+", " ", text).strip()


def duplicate_key(kind: str, prompt: str) -> tuple[str, str]:
    return (kind, normalise_prompt(prompt))


def choice_problems(kind: str, correct_flags: Sequence[bool]) -> list[str]:
    """Return what is wrong with a question's choices (the admin's rules), empty if nothing.

    ``correct_flags`` holds one entry per choice: whether it is correct.
    """
    if kind == WRITTEN:
        return [ERROR_WRITTEN_NOT_IMPORTED]
    if kind not in KINDS:
        return [ERROR_UNKNOWN_KIND]
    return validation.question_choice_problems(kind=kind, correct_flags=correct_flags)


def question_problems(question: ParsedQuestion) -> list[str]:
    """Return every rule the parsed question breaks, in a stable order."""
    problems: list[str] = []
    if not question.prompt.strip():
        problems.append(ERROR_EMPTY_PROMPT)
    if any(not choice.text.strip() for choice in question.choices):
        problems.append(ERROR_EMPTY_CHOICE)
    if any(len(choice.text) > MAX_CHOICE_LENGTH for choice in question.choices):
        problems.append(ERROR_CHOICE_TOO_LONG)
    if not 1 <= question.points <= MAX_POINTS:
        problems.append(ERROR_POINTS)
    problems.extend(choice_problems(question.kind, [c.correct for c in question.choices]))
    return problems


def true_false_choices(
    answer: bool, *, true_feedback: str = "", false_feedback: str = ""
) -> tuple[ParsedChoice, ParsedChoice]:
    """Return the two choices of a true/false question, True first (as the shipped bank has)."""
    return (
        ParsedChoice(TRUE_TEXT, answer is True, true_feedback),
        ParsedChoice(FALSE_TEXT, answer is False, false_feedback),
    )


def checked(question: ParsedQuestion) -> tuple[ParsedQuestion | None, list[ParseError]]:
    """Return the question if it follows the rules, else None and its errors."""
    problems = question_problems(question)
    if problems:
        return None, [ParseError(question.line, message) for message in problems]
    return question, []


def collect(questions: Iterable[ParsedQuestion], errors: Iterable[ParseError]) -> ParseResult:
    """Validate every question and gather the result, errors ordered by line."""
    kept: list[ParsedQuestion] = []
    all_errors = list(errors)
    for question in questions:
        good, problems = checked(question)
        if good is not None:
            kept.append(good)
        all_errors.extend(problems)
    all_errors.sort(key=lambda error: error.line)
    return ParseResult(questions=tuple(kept), errors=tuple(all_errors))


def parse_bool(value: str) -> bool | None:
    """Read yes/no the way a spreadsheet user writes it; None when unreadable."""
    folded = value.strip().casefold()
    if folded in {"", "0", "no", "n", "false", "f"}:
        return False
    if folded in {"1", "yes", "y", "true", "t"}:
        return True
    return None
