"""Marking test helpers: a hand-marked quiz (a choice and a written question), two cohorts."""

import pytest
from django.utils import timezone

from quizzes.models import Question
from quizzes.services import attempt_save_answers, attempt_start, attempt_submit
from tests.builders import make_cohort
from tests.builders.bank import make_question, make_quiz
from tests.builders.lessons import shared_topic

MODEL_MARK = "MODEL-ANSWER-MARK"
GUIDE_MARK = "MARKING-GUIDE-MARK"


def make_written(key, *, points=4, critical=False) -> Question:
    return Question.objects.create(
        key=key,
        kind=Question.Kind.WRITTEN,
        prompt=f"Case {key}: what do you do?",
        explanation="",
        points=points,
        critical=critical,
        topic=shared_topic(),
        model_answer=f"{MODEL_MARK} apply pressure ({key})",
        marking_guide=f"{GUIDE_MARK} award points for pressure ({key})",
    )


@pytest.fixture
def cohort(trainee, manager, assessor):
    cohort = make_cohort(name="Alpha", managers=[manager], trainees=[trainee])
    cohort.assessors.add(assessor)
    return cohort


@pytest.fixture
def other_cohort(other_trainee, other_manager, other_assessor):
    cohort = make_cohort(name="Beta", managers=[other_manager], trainees=[other_trainee])
    cohort.assessors.add(other_assessor)
    return cohort


@pytest.fixture
def hand_quiz(db):
    """Pass mark 80: choice question 1 point, written 4 points (5 in all)."""
    choice = make_question("hm-choice")
    written = make_written("hm-written")
    quiz = make_quiz(questions=[choice, written], slug="cases", hand_marked=True, pass_mark=80)
    return quiz


def written_entry(attempt):
    return next(q for q in attempt.paper["questions"] if q["kind"] == "written")


def choice_entry(attempt):
    return next(q for q in attempt.paper["questions"] if q["kind"] != "written")


def answer_and_submit(user, quiz, *, text="Apply firm pressure with sterile gauze.", right=True):
    attempt = attempt_start(user=user, quiz=quiz)
    choice = choice_entry(attempt)
    picked = [c["id"] for c in choice["choices"] if c["is_correct"] == right][:1]
    attempt_save_answers(
        attempt=attempt,
        answers={choice["id"]: picked},
        sequence=attempt.sequence,
        texts={written_entry(attempt)["id"]: text},
        now=timezone.now(),
    )
    attempt.refresh_from_db()
    return attempt_submit(attempt=attempt)


def written_answer(attempt):
    return attempt.answers.get(question_id=written_entry(attempt)["id"])
