"""The progress page's two small SVG charts: share per topic, and share per week.

Drawn as in quizzes/reports/charts.py: plain functions, no JavaScript and no inline
styles (colours are presentation attributes), `role="img"` with an `aria-label`,
`<title>` and `<desc>`, every label escaped. The page shows the same figures in a table.
A narrow view box keeps the text legible on a phone.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from quizzes.mastery.rules import (
    BAND_DEVELOPING,
    BAND_NEEDS_WORK,
    BAND_SECURE,
    TARGET_PERCENT,
    Mastery,
    WeekShare,
)
from quizzes.reports.charts import AXIS_STROKE, TEXT_FILL

WIDTH = 400
# At least 3:1 against white (WCAG 1.4.11); the band is also written out in the table.
BAND_FILL = {BAND_SECURE: "#198754", BAND_DEVELOPING: "#0d6efd", BAND_NEEDS_WORK: "#dc3545"}
TRACK_FILL = "#e9ecef"
TARGET_STROKE = "#495057"
WEEK_FILL = "#0d6efd"


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _short(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _pct(value: float | None) -> str:
    return "no answers" if value is None else f"{value:.0f}%"


def _open(*, title: str, desc: str, height: int, kind: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="mastery-chart mastery-chart-{kind}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'role="img" aria-label="{escape(title)}" focusable="false">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    )


def topics_svg(mastery: Mastery) -> SafeString:
    """One bar per topic: the share answered correctly, with the target marked."""
    title = "Share answered correctly by topic"
    desc = "; ".join(f"{t.title}: {_pct(t.percent)} of {t.answers}" for t in mastery.topics)
    desc += f". Target {TARGET_PERCENT:.0f}%."
    row_h, bar_h, top = 46, 16, 4
    height = top + row_h * len(mastery.topics) + 18
    bar_w = WIDTH - 48
    parts = [_open(title=title, desc=desc, height=height, kind="topics")]
    for i, topic in enumerate(mastery.topics):
        y = top + i * row_h
        w = bar_w * topic.percent / 100
        parts.append(
            f'<text x="0" y="{y + 14}" fill="{TEXT_FILL}" font-size="13">'
            f"{escape(_short(topic.title))}</text>"
            f'<rect x="0" y="{y + 20}" width="{bar_w}" height="{bar_h}" fill="{TRACK_FILL}"/>'
            f'<rect class="mastery-bar mastery-bar-{topic.band}" x="0" y="{y + 20}" '
            f'width="{_fmt(w)}" height="{bar_h}" fill="{BAND_FILL[topic.band]}"/>'
            f'<text x="{bar_w + 6}" y="{y + 33}" fill="{TEXT_FILL}" font-size="13">'
            f"{topic.percent:.0f}%</text>"
        )
    target_x = _fmt(bar_w * TARGET_PERCENT / 100)
    bottom = top + row_h * len(mastery.topics)
    parts.append(
        f'<line x1="{target_x}" y1="{top + 18}" x2="{target_x}" y2="{bottom}" '
        f'stroke="{TARGET_STROKE}" stroke-width="2" stroke-dasharray="4 3"/>'
        f'<text x="{target_x}" y="{bottom + 14}" fill="{TEXT_FILL}" font-size="12" '
        f'text-anchor="middle">Target {TARGET_PERCENT:.0f}%</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every label above is escaped


def _week_label(week: WeekShare) -> str:
    return f"{week.start.day} {week.start:%b}"


def weeks_svg(weeks: tuple[WeekShare, ...]) -> SafeString:
    """One bar per week, 0 to 100%: the share answered correctly that week."""
    title = "Share answered correctly per week"
    desc = "; ".join(
        f"week of {_week_label(w)}: {_pct(w.percent)}" + (f" of {w.answers}" if w.answers else "")
        for w in weeks
    )
    top, plot_h, left = 12, 120, 40
    base_y = top + plot_h
    height = base_y + 24
    slot = (WIDTH - left) / max(len(weeks), 1)
    parts = [_open(title=title, desc=desc, height=height, kind="weeks")]
    parts.append(
        f'<line x1="{left}" y1="{base_y}" x2="{WIDTH}" y2="{base_y}" stroke="{AXIS_STROKE}"/>'
        f'<text x="{left - 6}" y="{top + 4}" fill="{TEXT_FILL}" font-size="11" '
        f'text-anchor="end">100%</text>'
        f'<text x="{left - 6}" y="{base_y}" fill="{TEXT_FILL}" font-size="11" '
        f'text-anchor="end">0%</text>'
    )
    for i, week in enumerate(weeks):
        x = left + i * slot
        if week.percent is not None:
            h = plot_h * week.percent / 100
            parts.append(
                f'<rect class="mastery-week" x="{_fmt(x + slot * 0.15)}" '
                f'y="{_fmt(base_y - h)}" width="{_fmt(slot * 0.7)}" height="{_fmt(h)}" '
                f'fill="{WEEK_FILL}"/>'
            )
        parts.append(
            f'<text x="{_fmt(x + slot / 2)}" y="{base_y + 16}" fill="{TEXT_FILL}" '
            f'font-size="11" text-anchor="middle">{escape(_week_label(week))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every label above is escaped
