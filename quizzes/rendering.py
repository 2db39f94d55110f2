"""The markup of choices and images on the attempt and result pages, from the selectors' data.

Plain f-strings rather than template includes: a dozen template variables per
choice were most of the attempt page's render time. Ids and positions are
numbers; every text (choice, feedback, image URL and alt) is escaped. The
templates call these through quizzes/templatetags/quiz_markup.py.
"""

from __future__ import annotations

from html import escape

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from quizzes.review import ReviewChoice, ReviewQuestion
from quizzes.selectors import ShownQuestion

YOUR_ANSWER = "<strong>☑ Your answer:</strong>"
NOT_CHOSEN = "☐"
CORRECT_BADGE = ' <span class="badge text-bg-success">Correct answer</span>'


def image_tag(url: str, alt: str) -> str:
    """The <img> element for a question or choice image, or "" when it has none."""
    if not url:
        return ""
    return format_html(
        '<img src="{}" alt="{}" class="img-fluid d-block my-2 question-image" loading="lazy">',
        url,
        alt,
    )


def choice_inputs(question: ShownQuestion) -> SafeString:
    """The question's choice inputs and labels, the saved selections checked."""
    question_id = int(question.id)
    input_type = "checkbox" if question.kind == "multiple" else "radio"
    parts = []
    for choice in question.choices:
        position = int(choice.position)
        ident = f"q{question_id}-c{position}"
        checked = " checked" if choice.selected else ""
        parts.append(
            f'<div class="form-check"><input class="form-check-input"'
            f' type="{input_type}" name="q-{question_id}" value="{position}"'
            f' id="{ident}"{checked}><label class="form-check-label" for="{ident}">'
            f"{escape(choice.text)}{image_tag(choice.image_url, choice.image_alt)}</label></div>"
        )
    return mark_safe("\n".join(parts))


def choice_base(question: ShownQuestion) -> str:
    """The saved choice positions as the page's base ("0,2"; "" when unanswered)."""
    return ",".join(str(int(c.position)) for c in question.choices if c.selected)


def review_choice(choice: ReviewChoice) -> SafeString:
    """One choice as reviewed: the trainee's mark, the correct badge and feedback if shown."""
    if choice.is_correct:
        css = "choice-correct"
    elif choice.selected and choice.is_correct is False:
        css = "choice-wrong"
    else:
        css = ""
    feedback = ""
    if choice.feedback:
        feedback = f'<div class="small text-body-secondary ms-4">{escape(choice.feedback)}</div>'
    marker = YOUR_ANSWER if choice.selected else NOT_CHOSEN
    badge = CORRECT_BADGE if choice.is_correct else ""
    image = image_tag(choice.image_url, choice.image_alt)
    return mark_safe(
        f'<li class="{css}">{marker} {escape(choice.text)} {image}{badge}{feedback}</li>'
    )


def review_choices(question: ReviewQuestion) -> SafeString:
    """The question's reviewed choices, one <li> each (each one escaped)."""
    return mark_safe("\n".join(review_choice(choice) for choice in question.choices))
