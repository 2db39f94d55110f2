"""Template tags for the attempt and result pages: choices and images, from quizzes.rendering."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import CsrfTokenNode
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString

from quizzes import rendering, result_rendering
from quizzes.review import ReviewQuestion
from quizzes.selectors import ShownQuestion
from trainingsite.templatetags.site_chrome import fixed_url

register = template.Library()


@register.simple_tag
def choice_inputs(question: ShownQuestion) -> SafeString:
    """`{% choice_inputs q %}`: the question's inputs and labels on the attempt page."""
    return rendering.choice_inputs(question)


@register.simple_tag
def choice_base(question: ShownQuestion) -> str:
    """`{% choice_base q %}`: the saved positions the page sends back as its base."""
    return rendering.choice_base(question)


@register.simple_tag
def question_bases(questions) -> SafeString:
    """`{% question_bases page.page_questions %}`: the hidden inputs each save posts back."""
    return rendering.question_bases(questions)


@register.simple_tag
def jump_links(questions) -> SafeString:
    """`{% jump_links page.page_questions %}`: the links to this page's questions."""
    return rendering.jump_links(questions)


@register.simple_tag
def question_fieldsets(page, written_max_chars: int) -> SafeString:
    """`{% question_fieldsets page written_max_chars %}`: the page's questions and inputs."""
    return rendering.question_fieldsets(
        page.page_questions, total=len(page.questions), written_max_chars=written_max_chars
    )


@register.simple_tag
def answered_count(questions) -> int:
    """`{% answered_count page.questions as n %}`: how many questions have an answer."""
    return sum(1 for q in questions if q.answered)


@register.simple_tag
def review_choices(question: ReviewQuestion) -> SafeString:
    """`{% review_choices q %}`: the question's reviewed choices on the result page."""
    return rendering.review_choices(question)


@register.simple_tag
def question_image(question) -> str:
    """`{% question_image q %}`: the question's <img>, or nothing when it has no image."""
    return rendering.image_tag(question.image_url, question.image_alt)


@register.simple_tag
def review_articles(page) -> SafeString:
    """`{% review_articles page %}`: the result page's reviewed questions."""
    return result_rendering.review_articles(page.questions, awaiting_marking=page.awaiting_marking)


@register.simple_tag
def topic_rows(topic_scores) -> SafeString:
    """`{% topic_rows page.topic_scores %}`: the result page's score per topic."""
    return result_rendering.review_topic_rows(topic_scores)


@lru_cache(maxsize=1024)
def _quiz_url(name: str, slug: str, urlconf: str | None, prefix: str) -> str:
    return reverse(name, args=[slug], urlconf=urlconf)


@receiver(setting_changed)
def _forget_quiz_urls(*, setting, **kwargs):
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _quiz_url.cache_clear()


@register.simple_tag
def quiz_url(name: str, slug: str) -> str:
    """`{% quiz_url 'quizzes:detail' slug %}`: `{% url %}` for a quiz's page, looked up once."""
    # A quiz's addresses do not change while a process runs; `{% url %}` with an argument
    # worked each out again on every request.
    return _quiz_url(name, slug, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@register.simple_tag
def score_card(page) -> SafeString:
    """`{% score_card page %}`: the result page's "Your score" card."""
    return result_rendering.review_score_card(page)


@register.simple_tag(takes_context=True)
def result_actions(context, page) -> SafeString:
    """`{% result_actions page %}`: the result page's buttons and the practice form."""
    slug = page.attempt.quiz.slug

    def url(name: str) -> str:
        if name == "trainee_home":
            return fixed_url(name)
        return quiz_url(name, slug)

    def csrf_input() -> str:
        # The `{% csrf_token %}` tag's own rendering, so the field is exactly the same.
        return CsrfTokenNode().render(context)

    return result_rendering.review_actions(page, urls=url, csrf_input=csrf_input)
