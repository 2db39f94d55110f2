"""The result page's reviewed questions, exactly as the template printed them before.

The per-question template moved to quizzes/result_rendering.py (`review_articles`, called
through `{% review_articles page %}`); OLD_TEMPLATE is the loop it replaced, word for
word, and every combination of outcome, kind, marking and tricky text must print the
same bytes. The score card and the score per topic likewise. No database: these are plain data.
"""

import itertools
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.template.defaultfilters import floatformat
from django.utils import timezone

from quizzes import result_rendering
from quizzes.models import Attempt, Quiz
from quizzes.review import ResultPage, ReviewChoice, ReviewQuestion

# The loop of quizzes/result.html before the move, verbatim, in tests/quizzes/data/.
DATA = Path(__file__).parent / "data"
OLD_TEMPLATE = (DATA / "result_review_template.html").read_text()
NEW_TEMPLATE = "{% load quiz_markup %}  {% review_articles page %}\n"

TEXTS = (
    "",
    "Plain text",
    "HTML <b>bold</b> & \"quotes\" 'single'",
    "Two\r\nlines\rand\nmore",
    "<script>alert(1)</script>\n",
    "  spaced  ",
)
AWARDED = (None, 0.0, 0.5, 1.0, 2, 1 / 3, 2.675, 1234.5, -0.0)
IMAGE = ("/media/q/a&b.png", 'Alt "with" <html>')


def choices(seed: int, *, shown: bool) -> tuple[ReviewChoice, ...]:
    return tuple(
        ReviewChoice(
            text=TEXTS[(seed + n) % len(TEXTS)] or "Choice",
            selected=(seed + n) % 2 == 0,
            is_correct=(n == 0) if shown else None,
            feedback=TEXTS[(seed + 2 * n) % len(TEXTS)] if shown else "",
            image_url=IMAGE[0] if n == 1 and seed % 3 == 0 else "",
            image_alt=IMAGE[1] if n == 1 and seed % 3 == 0 else "",
        )
        for n in range(3)
    )


def questions() -> list[ReviewQuestion]:
    """Every kind, outcome and score, with the tricky texts spread across them."""
    result = []
    combos = itertools.product(
        ("single", "multiple", "true_false", "written"),
        (None, True, False),  # is_correct
        (True, False),  # answered
        AWARDED,
        (True, False),  # marked
    )
    for seed, (kind, is_correct, answered, awarded, marked) in enumerate(combos):
        text = TEXTS[seed % len(TEXTS)]
        shown = seed % 4 != 0
        result.append(
            ReviewQuestion(
                number=seed + 1,
                prompt=TEXTS[(seed + 1) % len(TEXTS)] or "Prompt?",
                kind=kind,
                points=1 + seed % 3,
                awarded=awarded,
                is_correct=is_correct,
                answered=answered,
                critical=seed % 5 == 0,
                explanation=TEXTS[(seed + 2) % len(TEXTS)] if shown else "",
                topic_title=TEXTS[(seed + 3) % len(TEXTS)],
                lesson_title=TEXTS[(seed + 4) % len(TEXTS)],
                lesson_url=("/lessons/a-b/?x=1&y=2", None, "")[seed % 3],
                choices=() if kind == "written" else choices(seed, shown=shown),
                image_url=IMAGE[0] if seed % 7 == 0 else "",
                image_alt=IMAGE[1] if seed % 7 == 0 else "",
                text=text if kind == "written" else "",
                marked=marked,
                marker_feedback=TEXTS[(seed + 5) % len(TEXTS)] if kind == "written" else "",
                model_answer=TEXTS[(seed + 1) % len(TEXTS)] if kind == "written" and shown else "",
            )
        )
    return result


def render(template, questions, *, awaiting_marking):
    page = SimpleNamespace(questions=questions, awaiting_marking=awaiting_marking)
    return Template(template).render(Context({"page": page}))


@pytest.mark.parametrize("awaiting_marking", [False, True])
def test_every_kind_and_outcome_prints_as_the_template_did(awaiting_marking):
    qs = questions()
    assert len(qs) == 432
    new = render(NEW_TEMPLATE, qs, awaiting_marking=awaiting_marking)
    assert new == render(OLD_TEMPLATE, qs, awaiting_marking=awaiting_marking)


def test_no_questions_print_nothing():
    assert result_rendering.review_articles([], awaiting_marking=False) == ""


def test_texts_are_escaped():
    (q,) = [q for q in questions() if "<script>" in q.prompt][:1]
    html = result_rendering.review_article(q, awaiting_marking=False)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>" in html


def test_scores_print_as_floatformat_does():
    values = (*AWARDED, 999, 999.0, 1000, -3, float("inf"), float("nan"), True, "2")
    assert [result_rendering.review_figure(v) for v in values] == [
        floatformat(v, "-2") for v in values
    ]
    assert [result_rendering.review_figure(v) for v in (None, 1.0, 0.5, 1 / 3)] == [
        "",
        "1",
        "0.50",
        "0.33",
    ]


@pytest.mark.parametrize("places", [1, 2])
def test_every_kind_of_fraction_prints_as_floatformat_does(places):
    rng = random.Random(21)
    values = [
        *(rng.uniform(-1000, 1000) for _ in range(2000)),
        *(rng.randrange(-99999, 99999) / 100 for _ in range(2000)),
        *(n / 8 for n in range(-80, 80)),
        *(n / 3 for n in range(-30, 30)),
        0.005,
        0.015,
        0.025,
        2.675,
        1.005,
        -0.004,
        -0.04,
        1e-20,
        -1e-20,
        999.999,
        -999.996,
    ]
    arg = f"-{places}"
    assert [result_rendering.review_figure(v, places) for v in values] == [
        floatformat(v, arg) for v in values
    ]


def test_scores_follow_another_decimal_separator(settings):
    settings.LANGUAGE_CODE = "de"
    assert result_rendering.review_figure(0.5) == floatformat(0.5, "-2") == "0,50"


# The score card and the score per topic ----------------------------------------------

OLD_SCORE = (DATA / "result_score_template.html").read_text()
NEW_SCORE = "{% load quiz_markup %}{% score_card page %}\n"
OLD_TOPICS = (DATA / "result_topics_template.html").read_text()
NEW_TOPICS = "{% load quiz_markup %}    {% topic_rows page.topic_scores %}\n"
MOMENT = datetime(2026, 3, 29, 0, 59, 30, tzinfo=UTC)  # the hour before London's clocks change
REASONS = [{"code": "overall", "message": 'Below <80%> & "more"'}, {"code": "x"}]


def score_pages():
    """Result pages for every outcome, kind, time-out and count of saved answers."""
    combos = itertools.product(
        (Attempt.State.SUBMITTED, Attempt.State.MARKING),
        (Attempt.Kind.GRADED, Attempt.Kind.PRACTICE, Attempt.Kind.UPDATE),
        (True, False, None),  # passed
        (True, False),  # timed out
        ((0, 0), (1, 3), (2, 2), (1, 1), (1234, 1240)),  # answered, questions
    )
    for seed, (state, kind, passed, timed_out, (answered, count)) in enumerate(combos):
        points = AWARDED[seed % len(AWARDED)]
        attempt = Attempt(
            state=state,
            kind=kind,
            passed=passed,
            points=points,
            max_points=(10, 2.5, None, 1500)[seed % 4],
            percent=(None, 0.0, 66.666, 100.0, 12.25)[seed % 5],
            fail_reasons=(REASONS, [], None)[seed % 3],
            started_at=MOMENT - timedelta(seconds=(5, 125, 7300)[seed % 3]),
            submitted_at=MOMENT if seed % 7 else None,
        )
        yield ResultPage(
            attempt=attempt,
            show_questions=True,
            show_answers=True,
            questions=(),
            time_taken=(attempt.submitted_at - attempt.started_at)
            if attempt.submitted_at
            else None,
            practice_wrong_count=0,
            topic_scores=[
                {
                    "title": TEXTS[seed % len(TEXTS)],
                    "points": points,
                    "max_points": 10,
                    "percent": 50,
                },
                {"title": None, "points": 1 / 3, "max_points": 2.5, "percent": 33.333},
                {"points": 1234.5, "max_points": 1500, "percent": 82.3},
            ][: seed % 4],
            question_count=count,
            answered_count=answered,
            timed_out=timed_out,
            time_ran_out_at=MOMENT if timed_out else None,
        )


def render_page(template, page):
    return Template(template).render(Context({"page": page, "attempt": page.attempt}))


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "Asia/Kolkata"])
def test_score_card_prints_as_the_template_did(zone):
    pages = list(score_pages())
    assert len(pages) == 180
    with timezone.override(zone):
        for page in pages:
            assert render_page(NEW_SCORE, page) == render_page(OLD_SCORE, page)


def test_score_per_topic_prints_as_the_template_did():
    pages = list(score_pages())
    assert {len(page.topic_scores) for page in pages} == {0, 1, 2, 3}
    for page in pages:
        assert render_page(NEW_TOPICS, page) == render_page(OLD_TOPICS, page)


def test_score_card_escapes_the_fail_reasons():
    page = next(
        p
        for p in score_pages()
        if p.attempt.fail_reasons == REASONS
        and not p.attempt.passed
        and p.attempt.kind == "graded"
        and p.attempt.state == "submitted"
    )
    html = result_rendering.review_score_card(page)
    assert "<li>Below &lt;80%&gt; &amp; &quot;more&quot;</li><li></li>" in html


# The buttons under the score ----------------------------------------------------------

OLD_ACTIONS = (DATA / "result_actions_template.html").read_text()
NEW_ACTIONS = "{% load quiz_markup %}{% result_actions page %}\n"


@pytest.mark.parametrize("kind", [Attempt.Kind.GRADED, Attempt.Kind.PRACTICE, Attempt.Kind.UPDATE])
@pytest.mark.parametrize("wrong", [0, 1, 2, 1500])
def test_buttons_print_as_the_template_did(kind, wrong):
    attempt = Attempt(kind=kind, uuid=uuid.UUID(int=12345), quiz=Quiz(slug="first-aid_2"))
    page = ResultPage(
        attempt=attempt,
        show_questions=True,
        show_answers=True,
        questions=(),
        time_taken=None,
        practice_wrong_count=wrong,
    )
    context = {"page": page, "attempt": attempt, "csrf_token": "TOKEN<&>"}
    new = Template(NEW_ACTIONS).render(Context(context))
    assert new == Template(OLD_ACTIONS).render(Context(context))
    assert ('name="csrfmiddlewaretoken"' in new) is bool(wrong and kind != Attempt.Kind.UPDATE)
