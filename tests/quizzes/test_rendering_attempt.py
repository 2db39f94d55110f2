"""The attempt page's questions, bases and jump links, built in Python as the template built them.

`quizzes/rendering.py` took over three loops of `quizzes/attempt.html` (the
per-question template was most of the page's render time). Each test renders
the template markup that was replaced, kept here verbatim, and the new
function for the same questions, and asserts they are the same string.
"""

from pathlib import Path

import pytest
from django.template import Context, Template

from quizzes import rendering
from quizzes.selectors import AttemptPage, ShownChoice, ShownQuestion

# The markup of quizzes/attempt.html before the move, verbatim, in tests/quizzes/data/.
DATA = Path(__file__).parent / "data"
OLD_FIELDSETS = (DATA / "attempt_fieldsets_template.html").read_text()
NEW_FIELDSETS = (
    "{% load quiz_markup %}  {% question_fieldsets page written_max_chars %}"
    "{# built in quizzes/rendering.py #}"
)
OLD_BASES = (DATA / "attempt_bases_template.html").read_text()
NEW_BASES = "{% load quiz_markup %}  {% question_bases page.page_questions %}"
OLD_JUMPS = (DATA / "attempt_jumps_template.html").read_text()
JUMPS_END = '<li class="list-inline-item ms-2">'
NEW_JUMPS = "{% load quiz_markup %}    {% jump_links page.page_questions %}" + JUMPS_END

TRICKY_PROMPT = 'Which <b>sign</b> & "when"?\r\nLine two\rLine three\n\nAfter a gap'


def choices(*selected, texts=("A & <i>one</i>", "B 'two'", "C")):
    return tuple(
        ShownChoice(position=position, text=text, selected=position in selected)
        for position, text in enumerate(texts)
    )


QUESTIONS = (
    ShownQuestion(
        number=1,
        id=1201,
        kind="single",
        prompt=TRICKY_PROMPT,
        points=1,
        critical=True,
        choices=choices(1),
        image_url="/media/q/pic.png",
        image_alt='Gauze "held" <firmly>',
    ),
    ShownQuestion(
        number=2,
        id=1202,
        kind="multiple",
        prompt="Pick all",
        points=3,
        critical=False,
        choices=choices(0, 2),
    ),
    ShownQuestion(
        number=3,
        id=1203,
        kind="true_false",
        prompt="",
        points=0,
        critical=False,
        choices=choices(texts=("True", "False")),
    ),
    ShownQuestion(
        number=4,
        id=1204,
        kind="written",
        prompt="Describe <the> steps",
        points=5,
        critical=True,
        choices=(),
        text='Press "firmly" & <wait>\nthen check',
    ),
    ShownQuestion(
        number=5,
        id=1205,
        kind="written",
        prompt="Unanswered",
        points=2,
        critical=False,
        choices=(),
    ),
)


def render(source, page, written_max_chars=4000):
    context = Context({"page": page, "written_max_chars": written_max_chars})
    return Template(source).render(context)


@pytest.mark.parametrize("per_page, page_number", [(0, 1), (2, 1), (2, 3)])
@pytest.mark.parametrize(
    "old, new",
    [(OLD_FIELDSETS, NEW_FIELDSETS), (OLD_BASES, NEW_BASES), (OLD_JUMPS, NEW_JUMPS)],
    ids=["fieldsets", "bases", "jump-links"],
)
def test_attempt_markup_is_the_templates(old, new, per_page, page_number):
    page = AttemptPage(
        attempt=None, questions=QUESTIONS, per_page=per_page, page_number=page_number
    )
    expected = render(old, page)
    assert "question-" in expected or "shown" in expected
    assert render(new, page) == expected


def test_prompt_and_answer_texts_are_escaped():
    html = rendering.question_fieldsets(QUESTIONS, total=5, written_max_chars=4000)
    assert "Which &lt;b&gt;sign&lt;/b&gt; &amp; &quot;when&quot;?<br>Line two<br>Line three" in html
    assert "<b>" not in html
    assert "Press &quot;firmly&quot; &amp; &lt;wait&gt;\nthen check</textarea>" in html
    bases = rendering.question_bases(QUESTIONS)
    assert 'name="base-1202" value="0,2"' in bases
    assert (
        'name="base-1204" value="Press &quot;firmly&quot; &amp; &lt;wait&gt;\nthen check"' in bases
    )


def test_point_counts_read_in_the_singular_only_for_one():
    html = rendering.question_fieldsets(QUESTIONS, total=5, written_max_chars=4000)
    assert "Question 1 of 5 · 1 point · <strong" in html
    assert "Question 2 of 5 · 3 points · select all that apply</span>" in html
    assert "Question 3 of 5 · 0 points</span>" in html
