"""The engine's draws by blueprint and variant group: starts, refusals and practice variants."""

import random
from collections import Counter

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.authoring.services import questions_retire
from quizzes.models import Attempt, Question, QuizQuestion
from quizzes.rules import START_BLUEPRINT_SHORT
from tests.builders import (
    correct_ids,
    make_question,
    make_quiz,
    make_topic,
    set_blueprint,
    wrong_ids,
)
from tests.quizzes.test_selectors import START_QUERIES

pytestmark = pytest.mark.django_db


def _exam(size=4):
    """Two topics of `size` questions each; the first question of each topic is critical."""
    first, second = make_topic(), make_topic()
    pool = [
        make_question(f"{topic.slug}-{i}", topic=topic, critical=i == 0)
        for topic in (first, second)
        for i in range(size)
    ]
    quiz = make_quiz(pool, slug="exam", shuffle_questions=True)
    return quiz, first, second


def test_a_started_paper_meets_the_blueprint(trainee):
    quiz, first, second = _exam()
    set_blueprint(quiz, {first: 1, second: 2}, min_critical=2)
    for seed in range(30):
        paper = services.quiz_paper_build(quiz=quiz, rng=random.Random(seed))
        topics = Counter(q["topic_id"] for q in paper["questions"])
        assert topics == {first.pk: 1, second.pk: 2}
        assert sum(q["critical"] for q in paper["questions"]) == 2
    attempt = services.attempt_start(user=trainee, quiz=quiz)
    assert len(attempt.paper["questions"]) == 3


def test_a_paper_never_holds_two_questions_of_one_group():
    topic = make_topic()
    pool = [make_question(f"g-{i}", topic=topic, variant_group=f"point-{i % 3}") for i in range(9)]
    quiz = make_quiz(pool, slug="grouped", questions_per_attempt=3)
    rng = random.Random(4)
    for _ in range(200):
        paper = services.quiz_paper_build(quiz=quiz, rng=rng)
        groups = sorted(q["variant_group"] for q in paper["questions"])
        assert groups == ["point-0", "point-1", "point-2"]


def test_a_blueprint_the_changed_pool_cannot_fill_refuses_the_start(trainee, trainee_client):
    quiz, first, second = _exam(size=2)
    set_blueprint(quiz, {first: 2, second: 2})
    questions_retire(questions=list(Question.objects.filter(key=f"{first.slug}-1")))
    with pytest.raises(services.AttemptRefused) as refused:
        services.attempt_start(user=trainee, quiz=quiz)
    assert refused.value.message == START_BLUEPRINT_SHORT
    response = trainee_client.post(reverse("quizzes:start", args=[quiz.slug]), follow=True)
    assert START_BLUEPRINT_SHORT in response.content.decode()
    assert not Attempt.objects.filter(user=trainee).exists()


def test_starting_a_blueprint_quiz_adds_no_query_per_question(
    trainee, trainee_client, django_assert_max_num_queries
):
    quiz, first, second = _exam(size=30)
    set_blueprint(quiz, {first: 10, second: 10}, min_critical=1)
    attempt = services.attempt_start(user=trainee, quiz=quiz)
    services.attempt_submit(attempt=attempt)
    trainee_client.get(quiz.get_absolute_url())
    with django_assert_max_num_queries(START_QUERIES):
        response = trainee_client.post(reverse("quizzes:start", args=[quiz.slug]))
    assert response.status_code == 302


def test_practice_offers_another_variant_of_a_missed_point(trainee):
    topic = make_topic()
    missed = make_question("pressure-a", topic=topic, variant_group="pressure")
    variant = make_question("pressure-b", topic=topic, variant_group="pressure")
    alone = make_question("alone", topic=topic)
    quiz = make_quiz([missed, alone], slug="practice-variants")
    attempt = services.attempt_start(user=trainee, quiz=quiz)
    # The variant joins the pool after the attempt: the paper held one of the group.
    QuizQuestion.objects.create(quiz=quiz, question=variant, order=9)
    answers = {q["id"]: wrong_ids(q) for q in attempt.paper["questions"]}
    services.attempt_save_answers(attempt=attempt, answers=answers, sequence=0)
    services.attempt_submit(attempt=attempt)
    practice = services.practice_start_from_mistakes(user=trainee, quiz=quiz, source=attempt)
    assert sorted(q["key"] for q in practice.paper["questions"]) == ["alone", "pressure-b"]


def test_practice_keeps_the_missed_question_when_no_other_variant_exists(trainee):
    topic = make_topic()
    first = make_question("point-a", topic=topic, variant_group="point")
    second = make_question("other", topic=topic)
    quiz = make_quiz([first, second], slug="no-variant")
    attempt = services.attempt_start(user=trainee, quiz=quiz)
    by_key = {q["key"]: q for q in attempt.paper["questions"]}
    answers = {by_key["point-a"]["id"]: wrong_ids(by_key["point-a"])}
    answers[by_key["other"]["id"]] = correct_ids(by_key["other"])
    services.attempt_save_answers(attempt=attempt, answers=answers, sequence=0)
    services.attempt_submit(attempt=attempt)
    practice = services.practice_start_from_mistakes(user=trainee, quiz=quiz, source=attempt)
    assert [q["key"] for q in practice.paper["questions"]] == ["point-a"]


def _missed_all(trainee, quiz):
    attempt = services.attempt_start(user=trainee, quiz=quiz)
    answers = {q["id"]: wrong_ids(q) for q in attempt.paper["questions"]}
    services.attempt_save_answers(attempt=attempt, answers=answers, sequence=0)
    return services.attempt_submit(attempt=attempt)


def test_a_missed_question_held_for_review_is_not_practised(trainee):
    topic = make_topic()
    held = make_question("held", topic=topic)
    kept = make_question("kept", topic=topic)
    quiz = make_quiz([held, kept], slug="held-practice")
    attempt = _missed_all(trainee, quiz)
    Question.objects.filter(pk=held.pk).update(needs_review=True)
    practice = services.practice_start_from_mistakes(user=trainee, quiz=quiz, source=attempt)
    assert [q["key"] for q in practice.paper["questions"]] == ["kept"]


def test_a_held_question_gives_way_to_another_variant_in_practice(trainee):
    topic = make_topic()
    held = make_question("point-1", topic=topic, variant_group="point")
    other = make_question("point-2", topic=topic, variant_group="point")
    quiz = make_quiz([held], slug="held-variant")
    attempt = _missed_all(trainee, quiz)
    QuizQuestion.objects.create(quiz=quiz, question=other, order=9)
    Question.objects.filter(pk=held.pk).update(needs_review=True)
    practice = services.practice_start_from_mistakes(user=trainee, quiz=quiz, source=attempt)
    assert [q["key"] for q in practice.paper["questions"]] == ["point-2"]


def test_practice_of_only_held_questions_is_refused_with_a_message(trainee):
    topic = make_topic()
    held = make_question("only-held", topic=topic)
    quiz = make_quiz([held], slug="only-held")
    attempt = _missed_all(trainee, quiz)
    Question.objects.filter(pk=held.pk).update(needs_review=True)
    with pytest.raises(services.AttemptRefused, match="being reviewed"):
        services.practice_start_from_mistakes(user=trainee, quiz=quiz, source=attempt)
    assert not Attempt.objects.filter(kind=Attempt.Kind.PRACTICE).exists()
