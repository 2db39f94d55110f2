"""The choices and images on the attempt and result pages, exactly as they were built before.

The markup moved from the selectors to quizzes/rendering.py (called through the
quiz_markup template tags); these tests pin it byte for byte on a paper with
images, escaped texts and every kind of question.
"""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from quizzes import rendering, services
from quizzes.review import ReviewChoice
from quizzes.selectors import ShownChoice, ShownQuestion
from tests.builders import make_question, make_quiz

QUESTION_ALT = 'Gauze "held" <firmly> & well'
CHOICE_ALT = "Pinpoint & <dots>"
IMG_CLASS = 'class="img-fluid d-block my-2 question-image" loading="lazy"'
FEEDBACK = '<div class="small text-body-secondary ms-4">FEEDBACK-MARK {key}-{order}</div>'
BADGE = ' <span class="badge text-bg-success">Correct answer</span>'
MINE = "<strong>☑ Your answer:</strong>"


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (3, 3), "blue").save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="picture.png")


def img(url, alt):
    return f'<img src="{url}" alt="{alt}" {IMG_CLASS}>'


def choice_input(kind, qid, position, label, checked=False, image=""):
    ident = f"q{qid}-c{position}"
    mark = " checked" if checked else ""
    return (
        f'<div class="form-check"><input class="form-check-input" type="{kind}" name="q-{qid}"'
        f' value="{position}" id="{ident}"{mark}><label class="form-check-label" for="{ident}">'
        f"{label}{image}</label></div>"
    )


def between(html, start, end, nth):
    """The text between the nth `start` and the next `end`."""
    chunk = html.split(start)[nth + 1]
    return chunk.split(end, 1)[0]


@pytest.fixture
def paper(db, settings, tmp_path, trainee):
    """A submitted attempt: pictured single choice, multiple, true/false and a plain one."""
    settings.MEDIA_ROOT = tmp_path / "media"
    pictured = make_question(
        "pic",
        choices=[("A & <b>bold</b>", True), ("B 'quoted'", False), ("C", False)],
    )
    pictured.image.save("pressure.png", png(), save=False)
    pictured.image_alt = QUESTION_ALT
    pictured.save()
    choice = pictured.choices.order_by("order").first()
    choice.image.save("dots.png", png(), save=False)
    choice.image_alt = CHOICE_ALT
    choice.save()
    questions = [
        pictured,
        make_question("multi", kind="multiple", critical=True, points=2),
        make_question("tf", kind="true_false"),
        make_question("plain"),
    ]

    def attempt_with(policy):
        quiz = make_quiz(questions=questions, slug=f"pictures-{policy}", feedback_policy=policy)
        attempt = services.attempt_start(user=trainee, quiz=quiz)
        qs = attempt.paper["questions"]
        services.attempt_save_answers(
            attempt=attempt,
            answers={
                qs[0]["id"]: [qs[0]["choices"][0]["id"]],
                qs[1]["id"]: [qs[1]["choices"][0]["id"], qs[1]["choices"][2]["id"]],
                qs[2]["id"]: [qs[2]["choices"][1]["id"]],
            },
            sequence=attempt.sequence,
        )
        return attempt

    return attempt_with, pictured.image.url, choice.image.url


def test_attempt_page_renders_the_choices_and_images_as_before(trainee_client, paper):
    attempt_with, question_url, choice_url = paper
    attempt = attempt_with("full")
    q1, q2, q3, q4 = (q["id"] for q in attempt.paper["questions"])
    html = trainee_client.get(reverse("quizzes:attempt", args=[attempt.uuid])).content.decode()
    bodies = [between(html, '<div class="card-body">', "\n    </div>", n) for n in range(4)]
    pic = " (pic)"
    assert bodies == [
        "\n      "
        + img(question_url, "Gauze &quot;held&quot; &lt;firmly&gt; &amp; well")
        + "\n      "
        + "\n".join(
            [
                choice_input(
                    "radio",
                    q1,
                    0,
                    "A &amp; &lt;b&gt;bold&lt;/b&gt;" + pic,
                    checked=True,
                    image=img(choice_url, "Pinpoint &amp; &lt;dots&gt;"),
                ),
                choice_input("radio", q1, 1, "B &#x27;quoted&#x27;" + pic),
                choice_input("radio", q1, 2, "C" + pic),
            ]
        ),
        "\n      \n      "
        + "\n".join(
            [
                choice_input("checkbox", q2, 0, "Right A (multi)", checked=True),
                choice_input("checkbox", q2, 1, "Right B (multi)"),
                choice_input("checkbox", q2, 2, "Wrong C (multi)", checked=True),
                choice_input("checkbox", q2, 3, "Wrong D (multi)"),
            ]
        ),
        "\n      \n      "
        + "\n".join(
            [
                choice_input("radio", q3, 0, "True"),
                choice_input("radio", q3, 1, "False", checked=True),
            ]
        ),
        "\n      \n      "
        + "\n".join(
            [
                choice_input("radio", q4, 0, "Right answer (plain)"),
                choice_input("radio", q4, 1, "Wrong answer A (plain)"),
                choice_input("radio", q4, 2, "Wrong answer B (plain)"),
            ]
        ),
    ]


def _review(trainee_client, attempt):
    services.attempt_submit(attempt=attempt)
    html = trainee_client.get(reverse("quizzes:result", args=[attempt.uuid])).content.decode()
    headers = [between(html, '<div class="card-header">', "</div>", n) for n in range(4)]
    lists = [
        between(html, '<ul class="list-unstyled review-choices">\n      ', "\n      </ul>", n)
        for n in range(4)
    ]
    return headers, lists


def test_result_page_renders_the_review_and_images_as_before(trainee_client, paper):
    attempt_with, question_url, choice_url = paper
    headers, lists = _review(trainee_client, attempt_with("full"))
    question_img = img(question_url, "Gauze &quot;held&quot; &lt;firmly&gt; &amp; well")
    assert headers[0].endswith(f"</p>\n      {question_img}\n    ")
    assert all(header.endswith("</p>\n      \n    ") for header in headers[1:])

    def fb(key, order):
        return FEEDBACK.format(key=key, order=order)

    pic = " (pic)"
    assert lists == [
        "\n".join(
            [
                f'<li class="choice-correct">{MINE} A &amp; &lt;b&gt;bold&lt;/b&gt;{pic} '
                f"{img(choice_url, 'Pinpoint &amp; &lt;dots&gt;')}{BADGE}{fb('pic', 0)}</li>",
                f'<li class="">☐ B &#x27;quoted&#x27;{pic} {fb("pic", 1)}</li>',
                f'<li class="">☐ C{pic} {fb("pic", 2)}</li>',
            ]
        ),
        "\n".join(
            [
                f'<li class="choice-correct">{MINE} Right A (multi) {BADGE}{fb("multi", 0)}</li>',
                f'<li class="choice-correct">☐ Right B (multi) {BADGE}{fb("multi", 1)}</li>',
                f'<li class="choice-wrong">{MINE} Wrong C (multi) {fb("multi", 2)}</li>',
                f'<li class="">☐ Wrong D (multi) {fb("multi", 3)}</li>',
            ]
        ),
        "\n".join(
            [
                f'<li class="choice-correct">☐ True {BADGE}{fb("tf", 0)}</li>',
                f'<li class="choice-wrong">{MINE} False {fb("tf", 1)}</li>',
            ]
        ),
        "\n".join(
            [
                f'<li class="choice-correct">☐ Right answer (plain) {BADGE}{fb("plain", 0)}</li>',
                f'<li class="">☐ Wrong answer A (plain) {fb("plain", 1)}</li>',
                f'<li class="">☐ Wrong answer B (plain) {fb("plain", 2)}</li>',
            ]
        ),
    ]


def test_result_page_without_answers_marks_only_the_trainees_choices(trainee_client, paper):
    attempt_with, _, choice_url = paper
    _, lists = _review(trainee_client, attempt_with("wrong_only"))
    assert lists[0] == "\n".join(
        [
            f'<li class="">{MINE} A &amp; &lt;b&gt;bold&lt;/b&gt; (pic) '
            f"{img(choice_url, 'Pinpoint &amp; &lt;dots&gt;')}</li>",
            '<li class="">☐ B &#x27;quoted&#x27; (pic) </li>',
            '<li class="">☐ C (pic) </li>',
        ]
    )
    assert lists[2] == '<li class="">☐ True </li>\n' + f'<li class="">{MINE} False </li>'


# The rendering functions on their own (no database) ---------------------------------


def test_no_image_renders_nothing():
    assert rendering.image_tag("", "ignored") == ""


def test_image_url_and_alt_are_escaped():
    assert rendering.image_tag('/m/a"b.png', "<x>") == img("/m/a&quot;b.png", "&lt;x&gt;")


def test_choice_inputs_escape_the_text_and_use_positions_only():
    question = ShownQuestion(
        number=1,
        id=7,
        kind="single",
        prompt="?",
        points=1,
        critical=False,
        choices=(ShownChoice(position=0, text="<script>", selected=True),),
    )
    assert rendering.choice_inputs(question) == choice_input(
        "radio", 7, 0, "&lt;script&gt;", checked=True
    )


def test_a_hidden_answer_is_neither_correct_nor_wrong():
    choice = ReviewChoice(text="Mine", selected=True, is_correct=None, feedback="")
    assert rendering.review_choice(choice) == f'<li class="">{MINE} Mine </li>'
