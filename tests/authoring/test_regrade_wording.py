"""The regrade page's figures agree: the issue's "6 trainees would change (0 would newly pass,
7 would no longer pass)" came from counting trainees in one figure and (trainee, quiz) pairs
in the other, when a question sits in more than one quiz's pool."""

import re

import pytest
from django.urls import reverse

from quizzes.services import attempt_save_answers, attempt_start, attempt_submit
from tests.builders import make_question, make_quiz, make_trainee, question_admin_form

pytestmark = pytest.mark.django_db


def _take(user, quiz, picks):
    attempt = attempt_start(user=user, quiz=quiz)
    answers = {
        q["id"]: [c["id"] for c in q["choices"] if c["text"].startswith(f"{pick} (")]
        for q, pick in zip(attempt.paper["questions"], picks, strict=True)
    }
    attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence)
    return attempt_submit(attempt=attempt)


def _figure(html: str, span: str) -> int:
    return int(re.search(rf'<span id="{span}">(\d+)</span>', html).group(1))


def test_regrade_figures_agree_when_a_question_is_in_two_quizzes(educator_client):
    shared = make_question("shared", points=2, choices=[("R", True), ("W", False)])
    quizzes = [
        make_quiz(
            questions=[shared, make_question(f"own-{i}", points=3, choices=[("ok", True)])],
            slug=f"quiz-{i}",
            pass_mark=80,
        )
        for i in range(2)
    ]
    ana, ben = make_trainee(username="ana"), make_trainee(username="ben")
    for quiz in quizzes:  # ana passes both quizzes with the key as it is
        _take(ana, quiz, ("R", "ok"))
    _take(ben, quizzes[0], ("R", "ok"))  # ben passes one

    response = educator_client.post(
        reverse("admin:quizzes_question_change", args=[shared.pk]),
        question_admin_form(shared, correct=[False, True]),
    )

    assert response.status_code == 200
    impact = response.context["impact"]
    assert impact.trainees_changing_status == 2
    assert (len(impact.newly_passing), len(impact.newly_failing)) == (0, 3)
    html = response.content.decode()
    results = _figure(html, "results-changing")
    assert results == _figure(html, "newly-passing") + _figure(html, "newly-failing") == 3
    assert _figure(html, "trainees-changing") == 2
    text = re.sub(r"<[^>]+>", "", html)
    assert "3 quiz results would change, counted once per trainee and quiz" in text
    assert "2 trainees in all: this question is in more than one of their quizzes" in text
    assert "3 submitted attempts include this question." in text
    assert "(s)" not in html
