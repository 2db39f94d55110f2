"""The result page's markup: the score card, the score per topic and the reviewed questions.

Plain f-strings rather than template loops, as in quizzes/rendering.py (whose
choice markup this uses): the per-question template and the score card's dozen
conditions were most of the page's render time. Numbers print as Django's
filters print them (`review_figure` is `floatformat`); every text is escaped
with `ESCAPE`, the entities of html.escape, and `review_lines` is `linebreaksbr`.
The template calls these through quizzes/templatetags/quiz_markup.py, and
tests/quizzes/test_rendering_review.py holds the template markup they replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.utils.formats import get_format, localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from quizzes.models import Question
from quizzes.rendering import ESCAPE, ESCAPE_LINES, image_tag, review_choice_html
from quizzes.review import ResultPage, ReviewQuestion
from trainingsite.templatetags.site_time import moment

WRITTEN = Question.Kind.WRITTEN.value


_STEPS = {1: Decimal("0.1"), 2: Decimal("0.01")}


def review_figure(value: float | None, places: int = 2) -> str:
    """A score as `{{ value|floatformat:"-2" }}` prints it ("1", "0.50", "" for None)."""
    # The filter's own steps for the scores a page shows (below the thousands that a
    # separator would group, where the language's decimal separator is "."): a whole
    # number, or the value rounded half up to `places`; anything else goes through it.
    if type(value) in (int, float) and -1000 < value < 1000:
        if float(value).is_integer():
            return str(int(value))
        if places in _STEPS and get_format("DECIMAL_SEPARATOR") == ".":
            rounded = Decimal(repr(value)).quantize(_STEPS[places], ROUND_HALF_UP)
            return f"{rounded if rounded else abs(rounded):f}"  # no "-0.00"
    return floatformat(value, f"-{int(places)}")


def _review_number(value) -> str:
    """A number as `{{ value }}` prints it, localised (small whole numbers directly)."""
    if type(value) is int and -1000 < value < 1000:
        return str(value)
    return str(localize(value)).translate(ESCAPE)


def review_topic_rows(topic_scores: Iterable[dict]) -> SafeString:
    """The result page's score per topic, one table row each."""
    return mark_safe(
        "".join(
            [
                f"\n      <tr><td>{str(t.get('title', '')).translate(ESCAPE)}</td>"
                f"<td>{review_figure(t.get('points'))} / {_review_number(t.get('max_points', ''))}"
                f"</td><td>{review_figure(t.get('percent'), 1)}%</td></tr>\n    "
                for t in topic_scores
            ]
        )
    )


def review_lines(text: str) -> str:
    """Any text as `linebreaksbr` prints it: escaped, each line break a <br>."""
    return str(text).replace("\r\n", "\n").translate(ESCAPE_LINES)


def _review_points(points: int) -> str:
    points = int(points)
    return f"{points} point" if points == 1 else f"{points} points"


def _review_outcome(question: ReviewQuestion, *, awaiting_marking: bool) -> str:
    """The question's outcome line: its verdict and its points."""
    q = question
    points = _review_points(q.points)
    if q.kind == WRITTEN:
        if awaiting_marking:
            return f'<span class="fw-bold">Awaiting marking</span> · {points}\n        '
        if q.marked:
            return (
                f'<span class="fw-bold">Marked</span> · {review_figure(q.awarded)} / {points}'
                "\n        "
            )
        return '<span class="text-danger fw-bold">Not answered</span>'
    if awaiting_marking:
        verdict = "Answered" if q.answered else "Not answered"
        return f'<span class="fw-bold">{verdict}</span>\n        \n        '
    if q.is_correct:
        verdict = '<span class="text-success fw-bold">Correct</span>\n        '
    elif not q.answered:
        verdict = '<span class="text-danger fw-bold">Not answered</span>\n        '
    elif q.awarded:
        verdict = '<span class="text-warning-emphasis fw-bold">Partly correct</span>\n        '
    else:
        verdict = '<span class="text-danger fw-bold">Wrong</span>'
    return f"{verdict}\n        · {review_figure(q.awarded)} / {points}"


def _review_written(question: ReviewQuestion, *, explanation: str) -> str:
    """A written question's answer, the assessor's feedback and the model answer."""
    q = question
    answer = review_lines(q.text) if q.text else "<em>No answer given.</em>"
    feedback = model = ""
    if q.marker_feedback:
        feedback = (
            '<div class="mb-2" data-testid="marker-feedback"><strong>Assessor'
            f"'s feedback:</strong> {review_lines(q.marker_feedback)}</div>"
        )
    if q.model_answer:
        model = (
            '<div class="explanation mb-2" data-testid="model-answer"><strong>Model answer:'
            f"</strong> {review_lines(q.model_answer)}</div>"
        )
    # The explanation is printed here and again below the answer, as the template did.
    return (
        '      <h3 class="h6">Your answer</h3>\n'
        '      <div class="written-answer border rounded p-2 mb-2" data-testid="written-answer">'
        f"{answer}</div>\n      {feedback}\n      {model}\n      {explanation}\n      "
    )


def review_article(question: ReviewQuestion, *, awaiting_marking: bool) -> str:
    """One question of the result page's review: prompt, outcome, answer or choices, links."""
    q = question
    written = q.kind == WRITTEN
    if awaiting_marking or written:
        border = ""
    elif q.is_correct:
        border = "border-success"
    else:
        border = "border-danger"
    critical = " · <strong>critical</strong>" if q.critical else ""
    explanation = ""
    if q.explanation:
        explanation = (
            '<div class="explanation"><strong>Explanation:</strong>'
            f" {review_lines(q.explanation)}</div>"
        )
    if written:
        answer = _review_written(q, explanation=explanation)
    else:
        choices = "\n".join([review_choice_html(c) for c in q.choices])
        answer = (
            f'      <ul class="list-unstyled review-choices">\n      {choices}\n      </ul>\n      '
        )
    lesson = ""
    if not q.is_correct and q.lesson_url:
        lesson = (
            f'<p class="mt-2 mb-0"><a href="{str(q.lesson_url).translate(ESCAPE)}">'
            f"Revisit the lesson: {str(q.lesson_title).translate(ESCAPE)}</a></p>"
        )
    return (
        f'<article class="card mb-3 review-question {border}" data-testid="review-question">\n'
        '    <div class="card-header">\n'
        f'      <span class="small text-body-secondary">Question {int(q.number)}'
        f" · {str(q.topic_title).translate(ESCAPE)}{critical}</span>\n"
        f'      <p class="mb-0 fw-semibold">{review_lines(q.prompt)}</p>\n'
        f"      {image_tag(q.image_url, q.image_alt) if q.image_url else ''}\n"
        "    </div>\n"
        '    <div class="card-body">\n'
        '      \n      <p class="mb-2" data-testid="question-outcome">\n        '
        f"{_review_outcome(q, awaiting_marking=awaiting_marking)}\n      </p>\n"
        f"{answer}\n      {explanation}\n      {lesson}\n"
        "    </div>\n"
        "  </article>"
    )


def review_articles(questions: Iterable[ReviewQuestion], *, awaiting_marking: bool) -> SafeString:
    """The result page's reviewed questions, in order (built here: the per-question template
    was most of the page's render time)."""
    return mark_safe(
        "".join(
            [f"\n  {review_article(q, awaiting_marking=awaiting_marking)}\n  " for q in questions]
        )
    )


def _plural(count: int, forms: tuple[str, str] = ("", "s")) -> str:
    """`pluralize`: the first form for exactly one, the second otherwise."""
    return forms[0] if count == 1 else forms[1]


def _review_time_out(page: ResultPage) -> str:
    """The "your time ran out" notice: when, and what was marked of the saved answers."""
    ran_out = template_localtime(page.time_ran_out_at)
    answered, unanswered = page.answered_count, page.unanswered_count
    if answered:
        saved = (
            f"the {_review_number(answered)} answer{_plural(answered)} you had saved"
            f" {_plural(answered, ('was', 'were'))}"
            f" {'submitted for marking' if page.awaiting_marking else 'marked'}"
        )
    else:
        saved = "you had saved no answers"
    if unanswered:
        rest = (
            f"{_review_number(unanswered)} question{_plural(unanswered)}"
            f" {_plural(unanswered, ('was', 'were'))} unanswered."
        )
    else:
        rest = "every question was answered."
    return (
        '\n    <div class="alert alert-warning mb-2" data-testid="timed-out">\n'
        '      <p class="mb-0">Your time ran out at <time datetime="'
        f'{str(date_filter(ran_out, "c")).translate(ESCAPE)}" data-localtime>'
        f"{str(date_filter(ran_out, 'H:i T')).translate(ESCAPE)}</time>;\n"
        f"        {saved};\n        {rest}</p>\n    </div>\n    "
    )


def review_score_card(page: ResultPage) -> SafeString:
    """The result page's "Your score" card: score, outcome, notes, time taken."""
    attempt = page.attempt
    awaiting = page.awaiting_marking
    if awaiting:
        score = (
            '\n    <p class="fs-5 fw-bold" data-testid="outcome">Awaiting marking</p>\n'
            '    <p data-testid="awaiting-marking">Your written answers are with an assessor.'
            " Your score and whether you passed are shown here once every written answer is"
            " marked.</p>\n    "
        )
        outcome = ""
    else:
        score = (
            '\n    <p class="display-6 mb-1" data-testid="score">'
            f"{review_figure(attempt.points)} / {review_figure(attempt.max_points)} points"
            f" · {review_figure(attempt.percent, 1)}%</p>\n    "
        )
        if attempt.is_practice:
            outcome = (
                "\n      <p>Practice rounds do not count toward pass marks, attempt limits or"
                " certification.</p>\n    "
            )
        elif attempt.passed:
            outcome = (
                '\n      <p class="fs-5 text-success fw-bold" data-testid="outcome">Passed</p>'
                "\n    "
            )
        else:
            reasons = "".join(
                [
                    f"<li>{str(reason.get('message', '')).translate(ESCAPE)}</li>"
                    for reason in attempt.fail_reasons or ()
                ]
            )
            outcome = (
                '\n      <p class="fs-5 text-danger fw-bold" data-testid="outcome">Not passed</p>\n'
                f'      <ul data-testid="fail-reasons">{reasons}</ul>\n    '
            )
    update = ""
    if attempt.is_update:
        update = (
            '\n      <p data-testid="update-note">An update quiz counts only toward your'
            " certificate's update, never toward exam scores or attempts.</p>\n    "
        )
    timed_out = _review_time_out(page) if page.timed_out else ""
    return mark_safe(
        '<section class="card mb-4" aria-labelledby="score-heading">\n'
        '  <div class="card-body">\n'
        '    <h2 id="score-heading" class="h4">Your score</h2>\n'
        f"    {score}\n    {outcome}\n    {update}\n    {timed_out}\n"
        '    <p class="mb-0 small text-body-secondary">\n'
        '      Time taken: <span data-testid="time-taken">'
        f"{str(page.time_taken_text).translate(ESCAPE)}</span>\n"
        f"      · submitted {moment(attempt.submitted_at)}\n"
        "    </p>\n"
        "  </div>\n"
        "</section>"
    )


def review_actions(
    page: ResultPage, *, urls: Callable[[str], str], csrf_input: Callable[[], str]
) -> SafeString:
    """The result page's buttons: practise the mistakes, back to the quiz, all attempts.

    `urls` gives the address of a URL name (the quiz's pages take its slug);
    `csrf_input` the form's token field, asked for only when the form is shown.
    """
    attempt = page.attempt

    def href(name: str) -> str:
        return str(urls(name)).translate(ESCAPE)

    if attempt.is_update:
        links = (
            f'\n  <a class="btn btn-outline-secondary" href="{href("trainee_home")}">'
            "Back to my training</a>\n  "
        )
    else:
        practice = ""
        wrong = page.practice_wrong_count
        if wrong:
            source = str(attempt.uuid).translate(ESCAPE)
            practice = (
                f'\n  <form method="post" action="{href("quizzes:practice")}">{csrf_input()}\n'
                f'    <input type="hidden" name="source" value="{source}">\n'
                '    <button type="submit" class="btn btn-primary">Review my mistakes'
                f" ({_review_number(wrong)} question{_plural(wrong)})</button>\n  </form>\n  "
            )
        links = (
            f"\n  {practice}\n"
            f'  <a class="btn btn-outline-secondary" href="{href("quizzes:detail")}">'
            "Back to the quiz</a>\n"
            f'  <a class="btn btn-outline-secondary" href="{href("quizzes:history")}">'
            "All your attempts</a>\n  "
        )
    return mark_safe(f'<div class="d-flex flex-wrap gap-2 mb-4">\n  {links}\n</div>')
