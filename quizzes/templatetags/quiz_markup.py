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
def review_choices(question: ReviewQuestion) -> SafeString:
    """`{% review_choices q %}`: the question's reviewed choices on the result page."""
    return rendering.review_choices(question)


@register.simple_tag
def question_image(question) -> str:
    """`{% question_image q %}`: the question's <img>, or nothing when it has no image."""
    return rendering.image_tag(question.image_url, question.image_alt)
