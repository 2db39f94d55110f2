"""The pure CPD rules: evidence types from content, the 12-month window, totals, CSV rows."""

from datetime import date
from decimal import Decimal

import pytest

from quizzes.cpd.rules import (
    CSV_HEADER,
    JPEG,
    PDF,
    PNG,
    SOURCE_CERTIFICATE,
    SOURCE_EXTERNAL,
    CpdLine,
    cpd_totals,
    csv_rows,
    evidence_kind,
    twelve_months_before,
)


def _line(hours, on, *, counts=True, pending=False, source=SOURCE_EXTERNAL):
    return CpdLine(
        source=source,
        title="T",
        provider="P",
        on=on,
        hours=None if hours is None else Decimal(hours),
        status="Recorded",
        counts=counts,
        pending=pending,
    )


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", PDF),
        (b"\x89PNG\r\n\x1a\n", PNG),
        (b"\xff\xd8\xff\xe0", JPEG),
        (b"GIF89a", None),
        (b"<svg>", None),
        (b"PK\x03\x04", None),
        (b"", None),
    ],
)
def test_evidence_kind_reads_the_content_not_the_name(head, kind):
    assert evidence_kind(head) == kind


def test_twelve_months_before_is_the_same_day_a_year_earlier():
    assert twelve_months_before(date(2026, 6, 15)) == date(2025, 6, 15)
    assert twelve_months_before(date(2028, 2, 29)) == date(2027, 2, 28)


def test_totals_count_only_what_counts_and_split_the_last_12_months():
    today = date(2026, 6, 15)
    lines = [
        _line("3.0", date(2026, 6, 1), source=SOURCE_CERTIFICATE),
        _line("2.5", date(2025, 6, 16)),  # the first day inside the window
        _line("1.0", date(2025, 6, 15)),  # a year ago today: outside
        _line("4.0", date(2026, 1, 1), counts=False),  # revoked or rejected
        _line("5.0", date(2026, 2, 1), counts=False, pending=True),
        _line(None, date(2026, 3, 1), source=SOURCE_CERTIFICATE),  # a program without hours
    ]
    totals = cpd_totals(lines=lines, today=today)
    assert totals.all_time == Decimal("6.5")
    assert totals.last_12_months == Decimal("5.5")
    assert totals.pending == Decimal("5.0")
    assert totals.since == date(2025, 6, 15)


def test_totals_of_nothing_are_zero():
    totals = cpd_totals(lines=[], today=date(2026, 6, 15))
    assert (totals.all_time, totals.last_12_months, totals.pending) == (0, 0, 0)


def test_csv_rows_follow_the_header():
    line = CpdLine(
        source=SOURCE_CERTIFICATE,
        title="Foundation",
        provider="Board",
        on=date(2026, 6, 1),
        hours=Decimal("3"),
        status="Issued",
        counts=True,
        code="AAAA-BBBB",
    )
    rows = list(csv_rows([line, _line(None, date(2026, 1, 2), counts=False)]))
    assert len(rows[0]) == len(CSV_HEADER)
    assert rows[0] == [
        "Certificate",
        "Foundation",
        "Board",
        date(2026, 6, 1),
        "3.0",
        "Issued",
        "yes",
        "AAAA-BBBB",
    ]
    assert rows[1][0] == "External" and rows[1][4] == "" and rows[1][6] == "no"
