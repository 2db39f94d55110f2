"""The progress-by-topic page: any signed-in user's own figures, the empty state, the review
links, the charts with their tables, and a flat query count."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.mastery.views import EMPTY_STATE, NOTHING_TO_REVIEW
from quizzes.models import Attempt
from tests.builders import make_lesson, make_question, make_quiz, make_topic, make_trainee
from tests.builders.mastery import answered_attempt

pytestmark = pytest.mark.django_db

URL = reverse("mastery:topics")
# Session and user, the answers summed, the topics with their lessons and practice quizzes,
# the quizzes with mistakes; the role context adds its own.
BUDGET = 8


def _get(client, user):
    client.force_login(user)
    return client.get(URL)


def _build(user, *, topics, attempts):
    """`topics` topics with a practice quiz and a lesson each; `attempts` attempts per topic."""
    now = timezone.now()
    for i in range(topics):
        topic = make_topic(f"t-{i}-{user.pk}", title=f"Topic {i} of {user.pk}", order=i)
        make_lesson(f"lesson-{i}-{user.pk}", topic=topic)
        questions = [make_question(f"q-{i}-{j}-{user.pk}", topic=topic) for j in range(3)]
        quiz = make_quiz(questions, slug=f"quiz-{i}-{user.pk}", topic=topic)
        for k in range(attempts):
            answered_attempt(
                user=user,
                quiz=quiz,
                kind=Attempt.Kind.PRACTICE if k % 2 else Attempt.Kind.GRADED,
                answers=[(q, j == k % 3, float(j == k % 3)) for j, q in enumerate(questions)],
                at=now - timedelta(days=7 * k),
            )


def test_page_answers_200_for_a_trainee_with_the_empty_state(client, trainee):
    response = _get(client, trainee)
    assert response.status_code == 200
    assert EMPTY_STATE in response.content.decode()
    assert b"<svg" not in response.content


def test_page_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["educator", "manager", "assessor", "superuser"])
def test_page_answers_200_for_any_signed_in_user(client, persona, request):
    assert _get(client, request.getfixturevalue(persona)).status_code == 200


def test_page_shows_the_trainees_own_figures_only(client, trainee, other_trainee):
    topic = make_topic("bleeding", title="Bleeding", order=1)
    lesson = make_lesson("stopping", topic=topic, title="Stopping bleeding")
    questions = [make_question(f"b-{i}", topic=topic) for i in range(4)]
    quiz = make_quiz(questions, slug="bleeding-practice", topic=topic)
    answered_attempt(
        user=trainee,
        quiz=quiz,
        answers=[(q, i == 0, float(i == 0)) for i, q in enumerate(questions)],
    )
    answered_attempt(user=other_trainee, quiz=quiz, answers=[(q, True, 1.0) for q in questions])
    body = _get(client, trainee).content.decode()
    assert "25% correct over 4 answers" in body
    assert "Overall <strong>25%</strong> correct over 4 answers in 1 topic." in body
    assert reverse("quizzes:practice", args=[quiz.slug]) in body
    assert reverse("quizzes:detail", args=[quiz.slug]) in body
    assert reverse("lessons:detail", args=[lesson.slug]) in body
    assert 'role="img"' in body and "<title>Share answered correctly by topic</title>" in body
    assert 'data-testid="mastery-topics"' in body and 'data-testid="mastery-weeks"' in body
    assert "(s)" not in body
    other = _get(client, other_trainee).content.decode()
    assert "Overall <strong>100%</strong> correct over 4 answers in 1 topic." in other
    assert NOTHING_TO_REVIEW in other


def test_page_never_names_a_user_in_its_url():
    assert URL == "/me/progress/"


def test_titles_are_escaped_in_the_chart_and_table(client, trainee):
    topic = make_topic("xss", title="<script>x</script>", order=1)
    question = make_question("x-0", topic=topic)
    quiz = make_quiz([question], slug="xss-quiz", topic=topic)
    answered_attempt(user=trainee, quiz=quiz, answers=[(question, False, 0.0)])
    body = _get(client, trainee).content.decode()
    assert "<script>x" not in body
    assert "&lt;script&gt;x&lt;/script&gt;" in body


@pytest.mark.parametrize("topics, attempts", [(2, 2), (8, 12)])
def test_query_count_stays_flat_as_data_grows(
    client, django_assert_max_num_queries, topics, attempts
):
    user = make_trainee(username=f"flat-{topics}")
    _build(user, topics=topics, attempts=attempts)
    client.force_login(user)
    with django_assert_max_num_queries(BUDGET):
        response = client.get(URL)
    assert response.status_code == 200
    assert f"in {topics} topics." in response.content.decode()


def test_trainee_dashboard_links_to_the_page(client, trainee):
    client.force_login(trainee)
    assert f'href="{URL}"' in client.get(reverse("trainee_home")).content.decode()
