"""`{% chart_svg chart %}`: draw a report chart's data (quizzes.reports.chart_data) as SVG."""

from django import template
from django.utils.safestring import SafeString

from quizzes.reports import charts
from quizzes.reports.chart_data import Chart

register = template.Library()


@register.simple_tag
def chart_svg(chart: Chart) -> SafeString:
    return charts.chart_svg(chart)
