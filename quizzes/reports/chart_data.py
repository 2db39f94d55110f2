"""What a report chart shows, as plain values: selectors build these, templates draw them.

A Chart holds its title, its kind, the numbers (label, value and colour key) and
the same data as table rows for the text alternative. The SVG is drawn at render
time by quizzes.reports.charts, through the `{% chart_svg %}` template tag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

STATUS_MIX = "status-mix"
MONTHLY = "monthly"
HISTOGRAM = "histogram"


@dataclass(frozen=True)
class Chart:
    """A chart's data, and the same data as table rows, for the text alternative."""

    title: str
    kind: str  # STATUS_MIX, MONTHLY or HISTOGRAM
    headers: tuple[str, str]
    rows: tuple[tuple[str, str], ...]
    # (label, value, colour key): the key names a status in a status mix, "" for bars.
    points: tuple[tuple[str, int, str], ...]


def status_mix_chart(*, title: str, segments: Sequence[tuple[str, int, str]]) -> Chart:
    """A horizontal stacked bar of (label, count, status key); the page's table is the legend."""
    return Chart(
        title=title,
        kind=STATUS_MIX,
        headers=("Status", "Trainees"),
        rows=tuple((label, str(count)) for label, count, _ in segments),
        points=tuple((label, count, key) for label, count, key in segments),
    )


def monthly_chart(*, title: str, months: Sequence[tuple[str, int]]) -> Chart:
    """A bar chart of a count per month (e.g. certificates issued), oldest first."""
    return Chart(
        title=title,
        kind=MONTHLY,
        headers=("Month", "Count"),
        rows=tuple((label, str(value)) for label, value in months),
        points=tuple((label, value, "") for label, value in months),
    )


def histogram_chart(*, title: str, bins: Sequence[tuple[str, int]]) -> Chart:
    """A histogram of attempts per score bin."""
    return Chart(
        title=title,
        kind=HISTOGRAM,
        headers=("Score (%)", "Attempts"),
        rows=tuple((label, str(value)) for label, value in bins),
        points=tuple((label, value, "") for label, value in bins),
    )
