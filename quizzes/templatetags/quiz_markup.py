"""Template tags for the attempt and result pages: choices and images, from quizzes.rendering."""

from django import template
from django.utils.safestring import SafeString

from quizzes import rendering
from quizzes.review import ReviewQuestion
from quizzes.selectors import ShownQuestion

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

