"""`{% moment %}`: moments written for the browser to show in the reader's zone."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import override_settings

MOMENT = datetime(2026, 6, 3, 6, 3, 2, tzinfo=UTC)


def render(source: str, **context) -> str:
    return Template("{% load site_time %}" + source).render(Context(context))


def test_a_moment_is_a_time_element_with_the_server_text_naming_its_zone():
    assert render("{% moment when %}", when=MOMENT) == (
        '<time datetime="2026-06-03T06:03:02+00:00" data-localtime="datetime">'
        "3 June 2026, 06:03 UTC</time>"
    )


def test_a_date_or_a_time_alone():
    assert render('{% moment when "date" %}', when=MOMENT) == (
        '<time datetime="2026-06-03T06:03:02+00:00" data-localtime="date">3 June 2026</time>'
    )
    assert render('{% moment when "time" %}', when=MOMENT) == (
        '<time datetime="2026-06-03T06:03:02+00:00" data-localtime="time">06:03 UTC</time>'
    )


@override_settings(TIME_ZONE="Europe/London")
def test_the_server_text_is_in_the_sites_zone_and_says_so():
    assert ">3 June 2026, 07:03 BST</time>" in render("{% moment when %}", when=MOMENT)


def test_no_moment_renders_the_empty_text():
    assert render("{% moment when %}", when=None) == ""
    assert render('{% moment when "datetime" "not yet" %}', when=None) == "not yet"


def test_an_unknown_kind_is_a_template_error():
    with pytest.raises(TemplateSyntaxError, match="kind must be one of"):
        render('{% moment when "hour" %}', when=MOMENT)
