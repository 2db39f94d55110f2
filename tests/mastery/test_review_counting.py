"""Review sessions on "My progress by topic": counted as practice, only the questions checked."""

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.mastery.selectors import mastery_page_data
from quizzes.models import Attempt, AttemptAnswer, Bank
from tests.builders import make_question, make_quiz, make_topic
from tests.builders.mastery import answered_attempt

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)


@pytest.fixture
def world(trainee):
    """An exam with one right and one wrong answer, and a review session finished early.

    The session showed three practice questions: the trainee checked one right and one
    wrong, and ended the session before the third, which the engine scored not correct.
    """
    topic = make_topic("bleeding", title="Bleeding", order=1)
    exam = [make_question(f"e-{i}", topic=topic, bank=Bank.EXAM) for i in range(2)]
    practice = [make_question(f"r-{i}", topic=topic) for i in range(3)]
    answered_attempt(
        user=trainee,
        quiz=make_quiz(exam, slug="final", bank=Bank.EXAM),
        answers=[(exam[0], True, 1.0), (exam[1], False, 0.0)],
        at=NOW,
    )
    session = answered_attempt(
        user=trainee,
        quiz=make_quiz(practice, slug="spaced-review", status="draft"),
        kind=Attempt.Kind.REVIEW,
        answers=[(practice[0], True, 1.0), (practice[1], False, 0.0), (practice[2], False, 0.0)],
        at=NOW,
    )
    AttemptAnswer.objects.filter(attempt=session, question__in=practice[:2]).update(
        checked_at=NOW, tries=1
    )
    return topic


def test_checked_review_answers_count_as_practice_and_unreached_ones_not_at_all(trainee, world):
    row = next(t for t in mastery_page_data(user=trainee, today=NOW.date()).mastery.topics)
    assert (row.answers, row.graded_answers, row.practice_answers) == (4, 2, 2)
    assert row.percent == 50.0


def test_the_page_says_what_it_counts(client, trainee, world):
    client.force_login(trainee)
    body = client.get(reverse("mastery:topics")).content.decode()
    assert "2 graded, 2 practice or review" in body
    assert "across all your quizzes, practice rounds and review sessions" in body
    assert "the questions you checked in review sessions (counted as practice;" in body
