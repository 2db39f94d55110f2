"""Template tags for the lessons pages: topics and lessons, lesson addresses (lessons.rendering)."""

from django import template
from django.utils.safestring import SafeString

from lessons import rendering

register = template.Library()


@register.simple_tag
def lesson_topics(topics) -> SafeString:
    """`{% lesson_topics overview.topics %}`: the lessons page's topic sections."""
    return rendering.lesson_topics(topics)


@register.simple_tag
def lesson_url(slug: str, name: str = "lessons:detail") -> str:
    """`{% lesson_url lesson.slug %}`: `{% url 'lessons:detail' slug %}`, looked up once."""
    return rendering.lesson_url(slug, name)


@register.simple_tag
def lesson_assessment(rows) -> SafeString:
    """`{% lesson_assessment assessing_quizzes %}`: the quizzes that check the lesson."""
    return rendering.lesson_assessment(rows)


@register.simple_tag
def lesson_heading(lesson) -> SafeString:
    """`{% lesson_heading lesson %}`: breadcrumb, title, summary, reading time, objectives."""
    return rendering.lesson_heading(lesson)


@register.simple_tag
def lesson_pager(previous, following) -> SafeString:
    """`{% lesson_pager previous_lesson next_lesson %}`: the previous and next links."""
    return rendering.lesson_pager(previous, following)
