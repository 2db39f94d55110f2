"""Reliability on the quiz pages, and marking a question "needs review" from the analysis."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from quizzes.authoring.services import QUESTIONS_MARKED_FOR_REVIEW, QUESTIONS_REVIEW_CLEARED
from quizzes.models import Attempt, Question
from quizzes.reports.exports import QUESTION_HEADER
from quizzes.reports.item_analysis import ANALYSIS_GUIDANCE, KR20, RELIABILITY_GUIDANCE
from quizzes.reports.quiz_stats import report_reliability
from tests.builders import (
    make_plain_quiz,
    make_question,
    make_scored_attempt,
    make_topic_and_lesson,
    make_trainee,
)

pytestmark = pytest.mark.django_db

START = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def review_url(world, question):
    return reverse("reports:question_review", args=[world.quiz.pk, question.pk])


def first_question(world):
    return world.quiz.pool.order_by("order").first().question


# --- Reliability ---------------------------------------------------------------


def test_reliability_in_sql_matches_the_hand_computed_kr20(world):
    # The world's four attempts (choice 0 right): q1 = 1,1,0,1 and q2 = 1,0,0,1.
    # p*q = 0.1875 + 0.25 = 0.4375; totals 2,1,0,2: mean 1.25, variance 0.6875.
    # KR-20 = 2 * (1 - 0.4375 / 0.6875) = 0.7273.
    result = report_reliability(attempts=Attempt.objects.filter(quiz=world.quiz))
    assert result.method == KR20
    assert result.coefficient == pytest.approx(2 * (1 - 0.4375 / 0.6875))


def test_reliability_in_sql_uses_fractions_of_each_questions_points():
    # q1 worth 2 scored 2, 1, 0 and q2 worth 1 scored 1, 0.5, 0.5 -> alpha 6/7 (see
    # tests/reports/test_exam_statistics.py). Partial credit is stored on the answers.
    topic, _ = make_topic_and_lesson()
    quiz = make_plain_quiz(topic=topic, questions=2)
    Question.objects.filter(pk=quiz.pool.order_by("order")[0].question_id).update(points=2)
    for i, (a, b) in enumerate([(2, 1), (1, 0.5), (0, 0.5)]):
        attempt = make_scored_attempt(
            user=make_trainee(username=f"alpha-{i}"),
            quiz=quiz,
            answers=[0, 0],
            started_at=START,
        )
        first, second = attempt.answers.order_by("question__pool_entries__order")
        first.awarded, second.awarded = a, b
        first.save(update_fields=["awarded"])
        second.save(update_fields=["awarded"])
    result = report_reliability(attempts=Attempt.objects.filter(quiz=quiz))
    assert result.coefficient == pytest.approx(6 / 7)


def test_quiz_and_analysis_pages_show_reliability_with_its_guidance(manager_client, world):
    # Cohort A's three attempts: q1 = 1,1,0, q2 = 1,0,0; p*q = 2/9 + 2/9;
    # totals 2,1,0: variance 2/3; KR-20 = 2 * (1 - (4/9) / (2/3)) = 0.67, acceptable.
    for name in ("reports:quiz", "reports:questions"):
        page = manager_client.get(reverse(name, args=[world.quiz.pk])).content.decode()
        assert "Reliability (KR-20): <strong>0.67</strong> — Acceptable (0.64–0.74)" in page
        assert RELIABILITY_GUIDANCE in page


def test_analysis_page_states_the_modules_thresholds(educator_client, world):
    page = educator_client.get(reverse("reports:questions", args=[world.quiz.pk])).content.decode()
    assert ANALYSIS_GUIDANCE in page
    assert "above 0.9 or below 0.3" not in page
    assert "Discriminative efficiency" in page


def test_question_export_has_band_efficiency_and_needs_review(manager_client, world):
    Question.objects.filter(pk=first_question(world).pk).update(needs_review=True)
    response = manager_client.get(reverse("reports:questions_export", args=[world.quiz.pk]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == QUESTION_HEADER
    by_column = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [r["Needs review"] for r in by_column] == ["yes", ""]
    assert all(r["Discrimination band"] for r in by_column)


# --- Needs review from the analysis page ----------------------------------------


def test_educator_marks_and_clears_a_question_from_the_analysis(educator_client, world):
    question = first_question(world)
    response = educator_client.post(review_url(world, question), {"needs_review": "1"})
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("reports:questions", args=[world.quiz.pk]) + f"#q-{question.pk}"
    )
    question.refresh_from_db()
    assert question.needs_review is True
    page = educator_client.get(response["Location"])
    assert QUESTIONS_MARKED_FOR_REVIEW.format(count=1) in [str(m) for m in page.context["messages"]]
    assert b'data-testid="needs-review"' in page.content
    assert b"Clear needs review" in page.content

    response = educator_client.post(review_url(world, question), {"needs_review": "0"})
    question.refresh_from_db()
    assert question.needs_review is False
    page = educator_client.get(response["Location"])
    assert QUESTIONS_REVIEW_CLEARED.format(count=1) in [str(m) for m in page.context["messages"]]


def test_managers_see_no_review_button_and_may_not_post(manager_client, world):
    question = first_question(world)
    page = manager_client.get(reverse("reports:questions", args=[world.quiz.pk]))
    assert b"Mark as needing review" not in page.content
    response = manager_client.post(review_url(world, question), {"needs_review": "1"})
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.needs_review is False


def test_trainee_gets_403_and_anonymous_is_sent_to_log_in(client, trainee, world):
    question = first_question(world)
    response = client.post(review_url(world, question), {"needs_review": "1"})
    assert response.status_code == 302
    assert "login" in response["Location"]
    client.force_login(trainee)
    assert client.post(review_url(world, question), {"needs_review": "1"}).status_code == 403
    question.refresh_from_db()
    assert question.needs_review is False


def test_review_takes_post_only(educator_client, world):
    assert educator_client.get(review_url(world, first_question(world))).status_code == 405


def test_a_question_outside_the_quiz_is_404(educator_client, world):
    stranger = make_question("stranger")
    response = educator_client.post(review_url(world, stranger), {"needs_review": "1"})
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.needs_review is False


def test_a_bad_value_is_400(educator_client, world):
    question = first_question(world)
    response = educator_client.post(review_url(world, question), {"needs_review": "yes"})
    assert response.status_code == 400
    question.refresh_from_db()
    assert question.needs_review is False
