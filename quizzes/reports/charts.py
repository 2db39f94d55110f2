"""Server-rendered SVG charts: where a chart's data (quizzes.reports.chart_data) becomes markup.

Plain functions, no JavaScript, no inline styles: colours are SVG presentation
attributes (`fill=`) plus classes, which a strict Content-Security-Policy allows.
Every chart carries `role="img"`, an `aria-label`, `<title>` and `<desc>`, and
every label is escaped. Templates draw a chart with `{% chart_svg chart %}`
(quizzes/templatetags/reports_charts.py) inside `reports/_chart.html`, which
also renders the chart's rows as a visually hidden table.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from quizzes.reports.chart_data import HISTOGRAM, MONTHLY, STATUS_MIX, Chart

# One colour per status; unknown keys fall back to grey.
PALETTE = {
    "not_started": "#adb5bd",
    "in_progress": "#0d6efd",
    "certified": "#198754",
    "expiring_soon": "#ffc107",
    "expired": "#6f42c1",
    "overdue": "#dc3545",
}
DEFAULT_FILL = "#6c757d"
BAR_FILL = "#0d6efd"
TEXT_FILL = "#212529"
AXIS_STROKE = "#6c757d"

WIDTH = 640
PLOT_HEIGHT = 200


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _css_key(key: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in key)


def _open(title: str, desc: str, height: int, kind: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart report-chart-{kind}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'role="img" aria-label="{escape(title)}" focusable="false">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    )


def status_mix_svg(*, title: str, segments: Sequence[tuple[str, int, str]]) -> SafeString:
    """A horizontal stacked bar of (label, count, status key) segments.

    The legend is the page's HTML table of statuses beside the chart (with the same
    colours), not SVG text: text inside a scaled SVG shrinks to unreadable on a phone.
    """
    total = sum(count for _, count, _ in segments)
    desc = ", ".join(f"{label}: {count}" for label, count, _ in segments) + f". Total {total}."
    bar_y, bar_h = 4, 36
    height = bar_y + bar_h + 4
    parts = [_open(title, desc, height, STATUS_MIX)]
    if total == 0:
        parts.append(
            f'<rect x="0" y="{bar_y}" width="{WIDTH}" height="{bar_h}" fill="#e9ecef"/>'
            f'<text x="8" y="{bar_y + 23}" fill="{TEXT_FILL}" font-size="14">No trainees</text>'
        )
    x = 0.0
    for label, count, key in segments:
        if count <= 0 or total == 0:
            continue
        w = WIDTH * count / total
        parts.append(
            f'<rect class="chart-seg chart-seg-{_css_key(key)}" x="{_fmt(x)}" y="{bar_y}" '
            f'width="{_fmt(w)}" height="{bar_h}" fill="{PALETTE.get(key, DEFAULT_FILL)}">'
            f"<title>{escape(label)}: {count}</title></rect>"
        )
        x += w
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every label above is escaped


def _bar_svg(*, title: str, desc: str, bars: Sequence[tuple[str, int]], kind: str) -> SafeString:
    top, bottom, left = 16, 40, 40
    height = top + PLOT_HEIGHT + bottom
    peak = max((value for _, value in bars), default=0)
    scale_max = max(peak, 1)
    plot_w = WIDTH - left - 8
    slot = plot_w / max(len(bars), 1)
    label_every = max(1, len(bars) // 12)
    parts = [_open(title, desc, height, kind)]
    base_y = top + PLOT_HEIGHT
    parts.append(
        f'<line x1="{left}" y1="{base_y}" x2="{WIDTH - 8}" y2="{base_y}" stroke="{AXIS_STROKE}"/>'
        f'<text x="{left - 6}" y="{top + 4}" fill="{TEXT_FILL}" font-size="11" '
        f'text-anchor="end">{scale_max}</text>'
        f'<text x="{left - 6}" y="{base_y}" fill="{TEXT_FILL}" font-size="11" '
        f'text-anchor="end">0</text>'
    )
    for i, (label, value) in enumerate(bars):
        h = PLOT_HEIGHT * value / scale_max
        x = left + i * slot + slot * 0.1
        parts.append(
            f'<rect class="chart-bar" x="{_fmt(x)}" y="{_fmt(base_y - h)}" '
            f'width="{_fmt(slot * 0.8)}" height="{_fmt(h)}" fill="{BAR_FILL}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        if i % label_every == 0:
            parts.append(
                f'<text x="{_fmt(x + slot * 0.4)}" y="{base_y + 16}" fill="{TEXT_FILL}" '
                f'font-size="11" text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every label above is escaped


def monthly_svg(*, title: str, months: Sequence[tuple[str, int]]) -> SafeString:
    """A bar chart of a count per month (e.g. certificates issued), oldest first."""
    total = sum(value for _, value in months)
    desc = f"{total} in {len(months)} months. " + ", ".join(f"{m}: {v}" for m, v in months)
    return _bar_svg(title=title, desc=desc, bars=months, kind=MONTHLY)


def histogram_svg(*, title: str, bins: Sequence[tuple[str, int]]) -> SafeString:
    """A histogram of attempts per score bin."""
    total = sum(value for _, value in bins)
    desc = f"{total} attempts by score. " + ", ".join(f"{b}%: {v}" for b, v in bins)
    return _bar_svg(title=title, desc=desc, bars=bins, kind=HISTOGRAM)


def chart_svg(chart: Chart) -> SafeString:
    """Draw a chart's data as an accessible SVG."""
    if chart.kind == STATUS_MIX:
        return status_mix_svg(title=chart.title, segments=chart.points)
    bars = [(label, value) for label, value, _ in chart.points]
    if chart.kind == MONTHLY:
        return monthly_svg(title=chart.title, months=bars)
    if chart.kind == HISTOGRAM:
        return histogram_svg(title=chart.title, bins=bars)
    raise ValueError(f"Unknown chart kind: {chart.kind!r}")
