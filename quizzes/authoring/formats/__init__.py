"""Question-bank file formats: the CSV template, GIFT and Aiken.

Each module offers ``parse(text) -> ParseResult``; CSV and GIFT also ``write``.
Pure code: nothing here reads or writes the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from quizzes.authoring.formats import aiken, csv_template, gift
from quizzes.authoring.formats.common import ParsedQuestion, ParseResult

CSV = "csv"
GIFT = "gift"
AIKEN = "aiken"
FORMATS = {CSV: "CSV template", GIFT: "GIFT (Moodle)", AIKEN: "Aiken"}
EXPORT_FORMATS = (CSV, GIFT)

_PARSERS: dict[str, Callable[[str], ParseResult]] = {
    CSV: csv_template.parse,
    GIFT: gift.parse,
    AIKEN: aiken.parse,
}
_WRITERS: dict[str, Callable[[Iterable[ParsedQuestion]], str]] = {
    CSV: csv_template.write,
    GIFT: gift.write,
}
EXTENSIONS = {".csv": CSV, ".gift": GIFT, ".aiken": AIKEN}


def parse(text: str, *, file_format: str) -> ParseResult:
    """Parse text in the named format."""
    return _PARSERS[file_format](text)


def write(questions: Iterable[ParsedQuestion], *, file_format: str) -> str:
    """Write questions in the named export format."""
    return _WRITERS[file_format](questions)


def guess_format(filename: str) -> str | None:
    """Return the format a file name suggests, or None."""
    lowered = filename.lower()
    for extension, file_format in EXTENSIONS.items():
        if lowered.endswith(extension):
            return file_format
    return None
