"""The progress charts: well-formed, accessible, escaped SVG (no database)."""

from datetime import date, timedelta
from xml.etree import ElementTree

from quizzes.mastery.charts import topics_svg, weeks_svg
from quizzes.mastery.rules import AnswerRow, TopicInfo, mastery_compute

TODAY = date(2026, 12, 2)
SVG = "{http://www.w3.org/2000/svg}"


def _mastery():
    topics = [TopicInfo(1, "Bleeding & <b>risk</b>"), TopicInfo(2, "x" * 80)]
    rows = [
        AnswerRow(topic_id=1, day=TODAY, credit=3, answers=4),
        AnswerRow(topic_id=2, day=TODAY - timedelta(days=20), credit=1, answers=4),
    ]
    return mastery_compute(rows=rows, topics=topics, today=TODAY)


def test_topics_chart_is_an_accessible_image_with_every_figure_in_its_description():
    svg = ElementTree.fromstring(str(topics_svg(_mastery())))
    assert svg.get("role") == "img"
    assert svg.get("aria-label") == "Share answered correctly by topic"
    assert svg.find(f"{SVG}title").text == "Share answered correctly by topic"
    desc = svg.find(f"{SVG}desc").text
    assert "Bleeding & <b>risk</b>: 75% of 4" in desc
    assert "25% of 4" in desc and "Target 80%." in desc
    assert len(svg.findall(f"{SVG}rect[@class]")) == 2


def test_topics_chart_escapes_and_shortens_titles():
    markup = str(topics_svg(_mastery()))
    assert "<b>" not in markup
    assert "Bleeding &amp; &lt;b&gt;risk&lt;/b&gt;" in markup
    assert "x" * 49 + "\u2026" in markup


def test_weeks_chart_draws_a_bar_per_week_with_answers_only():
    mastery = _mastery()
    svg = ElementTree.fromstring(str(weeks_svg(mastery.weeks)))
    assert svg.get("aria-label") == "Share answered correctly per week"
    assert len(svg.findall(f"{SVG}rect")) == 2
    assert "week of 30 Nov: 75% of 4" in svg.find(f"{SVG}desc").text
    assert "no answers" in svg.find(f"{SVG}desc").text
