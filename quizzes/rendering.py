"""The markup of choices and images on the attempt and result pages, from the selectors' data.

Plain f-strings rather than template includes: a dozen template variables per
choice were most of the attempt page's render time. Ids and positions are
numbers; every text (choice, feedback, image URL and alt) is escaped. The
templates call these through quizzes/templatetags/quiz_markup.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines

from quizzes.models import Question
from quizzes.review import ReviewChoice, ReviewQuestion
from quizzes.selectors import ShownQuestion

WRITTEN = Question.Kind.WRITTEN
MULTIPLE = Question.Kind.MULTIPLE

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


def question_bases(questions: Iterable[ShownQuestion]) -> SafeString:
    """The hidden `shown` and `base-<id>` inputs the page posts back with every save."""
    parts = []
    for question in questions:
        question_id = int(question.id)
        base = escape(question.text) if question.kind == WRITTEN else choice_base(question)
        parts.append(
            f'<input type="hidden" name="shown" value="{question_id}">\n'
            f'  <input type="hidden" name="base-{question_id}" value="{base}"'
            f' data-base-for="{question_id}">'
        )
    return mark_safe("".join(parts))


def jump_links(questions: Iterable[ShownQuestion]) -> SafeString:
    """The page's "Questions on this page" links, one list item each."""
    return mark_safe(
        "".join(
            f'<li class="list-inline-item"><a href="#question-{int(q.id)}" class="quiz-jump-link"'
            f' data-jump="{int(q.id)}" aria-label="Question {int(q.number)}">{int(q.number)}</a>'
            "</li>\n    "
            for q in questions
        )
    )


def _prompt(text: str) -> str:
    """The prompt as Django's `linebreaksbr` prints it: escaped, each line break a <br>."""
    return escape(normalize_newlines(text)).replace("\n", "<br>")


def question_fieldset(question: ShownQuestion, *, total: int, written_max_chars: int) -> str:
    """One question of the attempt page: its legend (number, points, kind) and its inputs."""
    question_id = int(question.id)
    points = int(question.points)
    meta = f"Question {int(question.number)} of {int(total)} · {points} point"
    meta += "" if points == 1 else "s"
    if question.kind == MULTIPLE:
        meta += " · select all that apply"
    if question.critical:
        meta += ' · <strong class="quiz-critical">critical safety question</strong>'
    if question.kind == WRITTEN:
        limit = int(written_max_chars)
        inputs = (
            f'<label class="form-label" for="q{question_id}-text">Your answer'
            f' <span class="small text-body-secondary">(up to {limit} characters;'
            " marked by an assessor)</span></label>\n"
            f'      <textarea class="form-control" name="q-{question_id}" id="q{question_id}-text"'
            f' rows="8" maxlength="{limit}">\n{escape(question.text)}</textarea>'
        )
    else:
        inputs = choice_inputs(question)
    return (
        f'<fieldset class="card mb-3 quiz-question" id="question-{question_id}" tabindex="-1"'
        f' data-question="{question_id}" data-number="{int(question.number)}">\n'
        '    <legend class="quiz-question-legend">\n'
        f'      <span class="card-header d-block quiz-question-meta">{meta}</span>\n'
        f'      <span class="d-block quiz-prompt">{_prompt(question.prompt)}</span>\n'
        "    </legend>\n"
        '    <div class="card-body">\n'
        f"      {image_tag(question.image_url, question.image_alt)}\n"
        f"      {inputs}\n"
        "    </div>\n"
        "  </fieldset>"
    )


def question_fieldsets(
    questions: Iterable[ShownQuestion], *, total: int, written_max_chars: int
) -> SafeString:
    """The attempt page's questions, in order (built here: the per-question template was most
    of the page's render time)."""
    return mark_safe(
        "".join(
            f"\n  {question_fieldset(q, total=total, written_max_chars=written_max_chars)}\n  "
            for q in questions
        )
    )


# html.escape's five replacements in one pass, and `linebreaksbr` (a line break, \r\n, \r
# or \n, becomes <br>) in the same pass: a review prints a dozen texts per question.
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
ESCAPE = str.maketrans(_ESCAPES)
ESCAPE_LINES = str.maketrans({**_ESCAPES, "\n": "<br>", "\r": "<br>"})


def review_choice_html(choice: ReviewChoice) -> str:
    """One reviewed choice's <li>, as a plain string (for markup built around it)."""
    if choice.is_correct:
        css = "choice-correct"
    elif choice.selected and choice.is_correct is False:
        css = "choice-wrong"
    else:
        css = ""
    feedback = ""
    if choice.feedback:
        text = str(choice.feedback).translate(ESCAPE)
        feedback = f'<div class="small text-body-secondary ms-4">{text}</div>'
    marker = YOUR_ANSWER if choice.selected else NOT_CHOSEN
    badge = CORRECT_BADGE if choice.is_correct else ""
    image = image_tag(choice.image_url, choice.image_alt) if choice.image_url else ""
    text = str(choice.text).translate(ESCAPE)
    return f'<li class="{css}">{marker} {text} {image}{badge}{feedback}</li>'


def review_choice(choice: ReviewChoice) -> SafeString:
    """One choice as reviewed: the trainee's mark, the correct badge and feedback if shown."""
    return mark_safe(review_choice_html(choice))


def review_choices(question: ReviewQuestion) -> SafeString:
    """The question's reviewed choices, one <li> each (each one escaped)."""
    return mark_safe("\n".join([review_choice_html(choice) for choice in question.choices]))
