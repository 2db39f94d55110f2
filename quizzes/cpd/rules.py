"""CPD rules: what an evidence file is, the record's lines, totals and CSV rows. Pure.

A trainee's CPD record joins two sources: the certificates issued here (each with the
hours copied onto it when issued) and the training done elsewhere that the trainee
records. Only what counts adds up: a revoked certificate, or an external entry still
waiting for approval or rejected, is listed but not totalled.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ENTRY_HOURS_MIN = Decimal("0.1")
ENTRY_HOURS_MAX = Decimal("100")
MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
ZERO = Decimal("0.0")

# What an evidence file may be, read from its first bytes (never from its name).
PDF, PNG, JPEG = "pdf", "png", "jpeg"
EVIDENCE_TYPES = {
    PDF: ("application/pdf", "pdf"),
    PNG: ("image/png", "png"),
    JPEG: ("image/jpeg", "jpg"),
}
_SIGNATURES = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
SIGNATURE_BYTES = 8

SOURCE_CERTIFICATE, SOURCE_EXTERNAL = "certificate", "external"

CSV_HEADER = [
    "Source",
    "Title",
    "Provider or awarding body",
    "Date",
    "CPD hours",
    "Status",
    "Counts",
    "Certificate code",
]


def evidence_kind(head: bytes) -> str | None:
    """Return PDF, PNG or JPEG from a file's first bytes, or None for anything else."""
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


def twelve_months_before(today: date) -> date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


@dataclass(frozen=True)
class CpdLine:
    """One line of the record: a certificate issued here, or training done elsewhere."""

    source: str  # SOURCE_CERTIFICATE or SOURCE_EXTERNAL
    title: str
    provider: str  # the awarding body for a certificate, the provider for an entry
    on: date
    hours: Decimal | None
    status: str  # a label: "Issued", "Revoked", "Recorded", "Pending approval", ...
    counts: bool
    code: str = ""  # a certificate's grouped code
    entry_id: int | None = None
    pending: bool = False  # an entry waiting for a manager's approval


@dataclass(frozen=True)
class CpdTotals:
    all_time: Decimal
    last_12_months: Decimal
    pending: Decimal  # hours of entries waiting for approval (not in the totals)
    since: date  # the first day of the last 12 months


def cpd_totals(*, lines: Iterable[CpdLine], today: date) -> CpdTotals:
    """Add up the lines that count: all time, and those dated within the last 12 months."""
    since = twelve_months_before(today)
    all_time = last_year = pending = ZERO
    for line in lines:
        if line.pending and line.hours is not None:
            pending += line.hours
        if not line.counts or line.hours is None:
            continue
        all_time += line.hours
        if since < line.on <= today:
            last_year += line.hours
    return CpdTotals(
        all_time=all_time,
        last_12_months=last_year,
        pending=pending,
        since=since,
    )


def csv_rows(lines: Sequence[CpdLine]) -> Iterator[list]:
    """The record's lines as CSV rows (CSV_HEADER), hours with one decimal place."""
    for line in lines:
        yield [
            "Certificate" if line.source == SOURCE_CERTIFICATE else "External",
            line.title,
            line.provider,
            line.on,
            f"{line.hours:.1f}" if line.hours is not None else "",
            line.status,
            "yes" if line.counts else "no",
            line.code,
        ]
