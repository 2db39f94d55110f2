"""Attempts taken on the bank as first shipped keep their papers and scores after the rewrite.

`data/bank-before-pools/` is the shipped bank as it stood before the exam and practice banks
(the first round's 47 questions, one pool for practice and the final). A trainee sits both kinds
of quiz on it; the rewritten bank then loads over it, with and without --overwrite.
"""

import random

import pytest
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.urls import reverse

from lessons.models import Lesson
from lessons.services import lessons_load
from quizzes import services
from quizzes.authoring.content import quizzes_load
from quizzes.models import Attempt, AttemptAnswer, Bank, Question, Quiz
from tests.builders import complete_lesson, correct_ids, wrong_ids

pytestmark = pytest.mark.django_db

FIXTURES = settings.BASE_DIR / "fixtures"
BEFORE = settings.BASE_DIR / "tests" / "quizzes" / "data" / "bank-before-pools"


def _sit(trainee, slug, *, right):
    """Start and submit an attempt at `slug`, answering the first `right` questions correctly."""
    quiz = Quiz.objects.get(slug=slug)
    attempt = services.attempt_start(user=trainee, quiz=quiz, rng=random.Random(7))
    questions = attempt.paper["questions"]
    answers = {
        q["id"]: correct_ids(q) if n < right else wrong_ids(q) for n, q in enumerate(questions)
    }
    services.attempt_save_answers(attempt=attempt, answers=answers, sequence=0)
    return services.attempt_submit(attempt=attempt)


def _record(attempt):
    attempt.refresh_from_db()
    answers = sorted(
        AttemptAnswer.objects.filter(attempt=attempt).values_list(
            "question_id", "selected", "awarded", "is_correct"
        )
    )
    return (
        attempt.paper,
        attempt.points,
        attempt.max_points,
        attempt.percent,
        attempt.passed,
        answers,
    )


@pytest.fixture
def sat_before(trainee):
    lessons_load(directory=FIXTURES / "lessons")
    quizzes_load(directory=BEFORE)
    for lesson in Lesson.objects.all():
        complete_lesson(trainee, lesson)
    topic = _sit(trainee, "quiz-managing-bleeding", right=7)
    final = _sit(trainee, "final-assessment", right=13)
    return topic, final


@pytest.mark.parametrize("overwrite", [False, True])
def test_attempts_on_the_first_bank_keep_their_papers_and_scores(
    sat_before, trainee, client, overwrite
):
    before = {attempt.pk: _record(attempt) for attempt in sat_before}
    result = quizzes_load(directory=FIXTURES / "quizzes", overwrite=overwrite)
    assert result.questions.created > 0  # the rewrite adds questions either way
    if overwrite:
        assert result.questions.updated > 0
        assert Quiz.objects.get(slug="final-assessment").bank == Bank.EXAM
    for attempt in sat_before:
        assert _record(attempt) == before[attempt.pk]
    client.force_login(trainee)
    for attempt in sat_before:
        response = client.get(reverse("quizzes:result", kwargs={"uuid": attempt.uuid}))
        assert response.status_code == 200
        score = f"{floatformat(attempt.points, '-2')} / {floatformat(attempt.max_points, '-2')}"
        assert f"{score} points · {floatformat(attempt.percent, '-1')}%" in response.text


def test_after_the_rewrite_a_new_final_paper_holds_exam_questions_only(sat_before, trainee):
    quizzes_load(directory=FIXTURES / "quizzes", overwrite=True)
    final = Quiz.objects.get(slug="final-assessment")
    banks = dict(Question.objects.values_list("id", "bank"))
    attempt = services.attempt_start(user=trainee, quiz=final)
    assert {banks[q["id"]] for q in attempt.paper["questions"]} == {Bank.EXAM}
    # The old final's missed questions are exam questions now: never practised as they are.
    old_final = sat_before[1]
    services.attempt_submit(attempt=attempt)
    exam_ids = {i for i, bank in banks.items() if bank == Bank.EXAM}
    try:
        practice = services.practice_start_from_mistakes(user=trainee, quiz=final, source=old_final)
    except services.AttemptRefused as refused:
        assert refused.message == services.PRACTICE_ONLY_EXAM
        assert not Attempt.objects.filter(kind=Attempt.Kind.PRACTICE).exists()
    else:
        assert practice.paper["questions"]
        assert not {q["id"] for q in practice.paper["questions"]} & exam_ids
