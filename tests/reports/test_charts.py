"""SVG charts: accessible, escaped, CSP-friendly (no database), drawn from chart data."""

import re
from xml.etree import ElementTree

from django.template import Context, Template

from quizzes.reports.chart_data import histogram_chart, monthly_chart, status_mix_chart
from quizzes.reports.charts import chart_svg

SVG_NS = "{http://www.w3.org/2000/svg}"


def parse(chart):
    return ElementTree.fromstring(str(chart_svg(chart)))


def test_status_mix_has_title_desc_role_and_segment_widths():
    chart = status_mix_chart(
        title="Foundation status",
        segments=[
            ("Certified", 3, "certified"),
            ("Overdue", 1, "overdue"),
            ("Expired", 0, "expired"),
        ],
    )
    root = parse(chart)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Foundation status"
    assert root.find(f"{SVG_NS}title").text == "Foundation status"
    assert root.find(f"{SVG_NS}desc").text == "Certified: 3, Overdue: 1, Expired: 0. Total 4."
    segments = root.findall(f"{SVG_NS}rect[@class]")
    assert [(s.get("class"), s.get("width")) for s in segments] == [
        ("chart-seg chart-seg-certified", "480"),
        ("chart-seg chart-seg-overdue", "160"),
    ]
    assert chart.rows == (("Certified", "3"), ("Overdue", "1"), ("Expired", "0"))


def test_labels_are_escaped():
    chart = monthly_chart(title="<script>x</script>", months=[("<b>Jan</b>", 2)])
    assert "<script>" not in str(chart_svg(chart))
    assert "<b>" not in str(chart_svg(chart))
    assert "&lt;b&gt;Jan&lt;/b&gt;" in str(chart_svg(chart))
    parse(chart)  # still well-formed XML


def test_no_inline_style_or_script():
    charts = [
        status_mix_chart(title="t", segments=[("A", 1, "in_progress")]),
        monthly_chart(title="t", months=[("2026-01", 1), ("2026-02", 0)]),
        histogram_chart(title="t", bins=[("0–9", 0), ("90–100", 5)]),
    ]
    for chart in charts:
        svg = str(chart_svg(chart))
        assert re.search(r"\sstyle=", svg) is None
        assert "<script" not in svg
        assert re.search(r"\son\w+=", svg) is None


def test_histogram_bar_heights_are_proportional():
    chart = histogram_chart(title="Scores", bins=[("0–9", 1), ("10–19", 4), ("20–29", 0)])
    bars = parse(chart).findall(f"{SVG_NS}rect[@class='chart-bar']")
    assert [b.get("height") for b in bars] == ["50", "200", "0"]
    assert chart.headers == ("Score (%)", "Attempts")


def test_empty_charts_render():
    assert "No trainees" in str(chart_svg(status_mix_chart(title="t", segments=[("A", 0, "x")])))
    parse(monthly_chart(title="t", months=[]))


def test_chart_data_is_plain_values():
    chart = histogram_chart(title="Scores", bins=[("0–9", 1), ("10–19", 4)])
    assert (chart.kind, chart.points) == ("histogram", (("0–9", 1, ""), ("10–19", 4, "")))
    assert all(isinstance(v, str) for row in chart.rows for v in row)


def test_the_template_tag_draws_the_same_svg():
    chart = status_mix_chart(title="<i>t</i>", segments=[("A", 2, "certified"), ("B", 1, "x")])
    rendered = Template("{% load reports_charts %}{% chart_svg chart %}").render(
        Context({"chart": chart})
    )
    assert rendered == str(chart_svg(chart))
    assert "&lt;i&gt;t&lt;/i&gt;" in rendered
