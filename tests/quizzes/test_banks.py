"""The exam and practice banks: who draws what, what the admin and the loader refuse."""

import json
import random

import pytest
from django.urls import reverse

from quizzes import papers, services
from quizzes.authoring.content import QuizContentError, quizzes_load
from quizzes.authoring.formats import CSV
from quizzes.authoring.imports import question_import_confirm
from quizzes.authoring.services import QUESTIONS_MOVED
from quizzes.authoring.validation import (
    POOL_WRONG_BANK,
    pool_bank_problem,
    question_bank_problem,
)
from quizzes.models import Attempt, Bank, Question, Quiz, QuizQuestion
from quizzes.selectors import quiz_start_check
from tests.authoring.test_admin_needs_review import run_action
from tests.builders import (
    make_question,
    make_quiz,
    make_topic,
    question_admin_form,
    quiz_admin_form,
    wrong_ids,
)

pytestmark = pytest.mark.django_db


# The rules (pure) -----------------------------------------------------------------


@pytest.mark.django_db(databases=[])
def test_a_pool_of_the_quiz_bank_has_no_problem_and_one_of_the_other_bank_is_named():
    assert pool_bank_problem(quiz_bank="exam", questions=[("e-1", "exam")]) is None
    one = pool_bank_problem(quiz_bank="practice", questions=[("p-1", "practice"), ("e-1", "exam")])
    assert one == POOL_WRONG_BANK["practice"].format(keys="e-1", verb="is", them="it")
    many = pool_bank_problem(quiz_bank="exam", questions=[("p-1", "practice"), ("p-2", "practice")])
    assert "p-1, p-2 are from the practice bank" in many
    assert "move them to the exam bank" in many


@pytest.mark.django_db(databases=[])
def test_a_question_may_move_banks_only_out_of_every_pool_of_the_other_bank():
    assert question_bank_problem(new_bank="exam", quizzes=[("Final", "exam")]) is None
    assert question_bank_problem(new_bank="exam", quizzes=[]) is None
    problem = question_bank_problem(new_bank="exam", quizzes=[("Topic quiz", "practice")])
    assert problem == (
        "This question sits in the pool of “Topic quiz”, which draws practice questions only: "
        "take it out of its pool before moving it to the exam bank."
    )
    two = question_bank_problem(new_bank="practice", quizzes=[("A", "exam"), ("B", "exam")])
    assert "“A”, “B”, which draw exam questions only" in two
    assert "their pools" in two


# Drawing ---------------------------------------------------------------------------


def _mixed_pool(topic=None):
    """A practice quiz whose pool was given an exam question behind the admin's back."""
    topic = topic or make_topic()
    practice = [make_question(f"p-{i}", topic=topic) for i in range(3)]
    exam = make_question("e-0", topic=topic, bank=Bank.EXAM)
    quiz = make_quiz(practice, slug="mixed")
    QuizQuestion.objects.create(quiz=quiz, question=exam, order=9)
    return quiz, exam


def test_a_quiz_never_draws_a_question_of_the_other_bank(trainee):
    quiz, exam = _mixed_pool()
    assert exam.key not in {q["key"] for q in papers.quiz_pool(quiz)}
    for seed in range(20):
        paper = services.quiz_paper_build(quiz=quiz, rng=random.Random(seed))
        assert {q["key"] for q in paper["questions"]} == {"p-0", "p-1", "p-2"}
    # The quiz page counts what it draws, not what the pool lists.
    assert quiz_start_check(user=trainee, quiz=quiz).question_count == 3


def test_an_exam_draws_only_exam_questions():
    topic = make_topic()
    exam = [make_question(f"x-{i}", topic=topic, bank=Bank.EXAM) for i in range(4)]
    stray = make_question("stray-practice", topic=topic)
    quiz = make_quiz([*exam, stray], slug="exam", bank=Bank.EXAM, questions_per_attempt=4)
    for seed in range(20):
        paper = services.quiz_paper_build(quiz=quiz, rng=random.Random(seed))
        assert {q["key"] for q in paper["questions"]} == {q.key for q in exam}


# Practice from mistakes ------------------------------------------------------------


def _failed_exam(trainee, *, groups):
    """An exam attempt with every answer wrong; one exam question per group in `groups`."""
    topic = make_topic()
    pool = [
        make_question(f"exam-{i}", topic=topic, bank=Bank.EXAM, variant_group=group)
        for i, group in enumerate(groups)
    ]
    quiz = make_quiz(pool, slug="final", bank=Bank.EXAM, feedback_policy="wrong_only")
    attempt = services.attempt_start(user=trainee, quiz=quiz)
    answers = {q["id"]: wrong_ids(q) for q in attempt.paper["questions"]}
    services.attempt_save_answers(attempt=attempt, answers=answers, sequence=0)
    return quiz, services.attempt_submit(attempt=attempt), topic


def test_practising_an_exam_s_mistakes_offers_practice_variants_never_the_exam_s_questions(
    trainee,
):
    quiz, attempt, topic = _failed_exam(trainee, groups=["pressure", "history", ""])
    pressure = make_question("practice-pressure", topic=topic, variant_group="pressure")
    make_question("exam-pressure-2", topic=topic, bank=Bank.EXAM, variant_group="pressure")
    held = make_question("held-history", topic=topic, variant_group="history")
    Question.objects.filter(pk=held.pk).update(needs_review=True)
    practice = services.practice_start_from_mistakes(user=trainee, quiz=quiz, source=attempt)
    # "history" has only a held variant and the ungrouped question none: both left out.
    assert [q["key"] for q in practice.paper["questions"]] == [pressure.key]
    # The round holds practice questions only, so its review may show their answers.
    assert practice.paper["feedback_policy"] == Quiz.FeedbackPolicy.FULL
    assert attempt.paper["feedback_policy"] == Quiz.FeedbackPolicy.WRONG_ONLY


def test_practising_an_exam_s_mistakes_with_no_practice_variant_is_refused_with_a_message(trainee):
    quiz, attempt, _ = _failed_exam(trainee, groups=["depth", ""])
    with pytest.raises(services.AttemptRefused, match="An exam's own questions are not practised"):
        services.practice_start_from_mistakes(user=trainee, quiz=quiz, source=attempt)
    assert not Attempt.objects.filter(kind=Attempt.Kind.PRACTICE).exists()


def test_the_exam_s_practice_page_says_why_nothing_can_be_practised(trainee, client):
    quiz, attempt, _ = _failed_exam(trainee, groups=["depth"])
    client.force_login(trainee)
    url = reverse("quizzes:practice", kwargs={"slug": quiz.slug})
    response = client.post(url, {"source": str(attempt.uuid)}, follow=True)
    assert response.status_code == 200
    assert "An exam&#x27;s own questions are not practised" in response.text
    assert not Attempt.objects.filter(kind=Attempt.Kind.PRACTICE).exists()


# The admin -------------------------------------------------------------------------


def test_the_quiz_admin_refuses_an_exam_question_in_a_practice_quiz(educator_client):
    topic = make_topic()
    practice = make_question("adm-p", topic=topic)
    exam = make_question("adm-e", topic=topic, bank=Bank.EXAM)
    response = educator_client.post(
        reverse("admin:quizzes_quiz_add"), quiz_admin_form(pool=[practice, exam])
    )
    assert response.status_code == 200
    assert "A practice quiz&#x27;s pool holds practice questions only" in response.text
    assert "adm-e is from the exam bank" in response.text
    assert not Quiz.objects.filter(slug="new-quiz").exists()


def test_the_quiz_admin_saves_an_exam_of_exam_questions(educator_client):
    topic = make_topic()
    exam = [make_question(f"adm-x{i}", topic=topic, bank=Bank.EXAM) for i in range(2)]
    response = educator_client.post(
        reverse("admin:quizzes_quiz_add"), quiz_admin_form(pool=exam, bank="exam")
    )
    assert response.status_code == 302
    quiz = Quiz.objects.get(slug="new-quiz")
    assert quiz.bank == Bank.EXAM
    assert set(quiz.questions.values_list("key", flat=True)) == {"adm-x0", "adm-x1"}


def test_a_question_in_a_practice_pool_cannot_move_to_the_exam_bank(educator_client):
    question = make_question("in-pool")
    make_quiz([question], slug="topic-quiz")
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    response = educator_client.post(url, question_admin_form(question, bank="exam"))
    assert response.status_code == 200
    assert "sits in the pool of “Quiz topic-quiz”, which draws practice questions" in (
        response.text.replace("&#x27;", "'")
    )
    question.refresh_from_db()
    assert question.bank == Bank.PRACTICE


def test_a_question_in_no_pool_moves_to_the_exam_bank(educator_client):
    question = make_question("free")
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    response = educator_client.post(url, question_admin_form(question, bank="exam"))
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.bank == Bank.EXAM


def test_the_question_list_filters_by_bank(educator_client):
    make_question("listed-exam", bank=Bank.EXAM)
    make_question("listed-practice")
    url = reverse("admin:quizzes_question_changelist")
    exam = educator_client.get(url, {"bank__exact": "exam"})
    assert "listed-exam" in exam.text
    assert "listed-practice" not in exam.text
    practice = educator_client.get(url, {"bank__exact": "practice"})
    assert "listed-practice" in practice.text
    assert "listed-exam" not in practice.text


# The loader ------------------------------------------------------------------------


def _write(directory, questions, quizzes):
    (directory / "questions.json").write_text(json.dumps(questions))
    (directory / "quizzes.json").write_text(json.dumps(quizzes))
    return directory


def _entry(key, topic, **fields):
    choices = [{"text": "Yes", "correct": True}, {"text": "No", "correct": False}]
    return {"key": key, "topic": topic.slug, "kind": "single", "prompt": f"{key}?",
            "choices": choices, **fields}  # fmt: skip


def test_the_loader_reads_banks_and_refuses_a_pool_of_the_wrong_bank(tmp_path):
    topic = make_topic()
    questions = [_entry("l-p", topic), _entry("l-e", topic, bank="exam")]
    mixed = [{"slug": "mixed", "title": "Mixed", "questions": ["l-p", "l-e"]}]
    with pytest.raises(QuizContentError, match="l-e is from the exam bank"):
        quizzes_load(directory=_write(tmp_path, questions, mixed))
    assert not Quiz.objects.exists()
    exam = [{"slug": "final", "title": "Final", "bank": "exam", "questions": ["l-e"]}]
    quizzes_load(directory=_write(tmp_path, questions, exam))
    assert Quiz.objects.get(slug="final").bank == Bank.EXAM
    assert dict(Question.objects.values_list("key", "bank")) == {"l-p": "practice", "l-e": "exam"}


def test_the_loader_refuses_an_unknown_bank(tmp_path):
    topic = make_topic()
    questions = [_entry("l-x", topic, bank="homework")]
    with pytest.raises(QuizContentError, match="bank"):
        quizzes_load(directory=_write(tmp_path, questions, []))
    assert not Question.objects.exists()


def test_the_loader_leaves_an_educator_s_bank_choices_alone_unless_asked(tmp_path):
    topic = make_topic()
    questions = [_entry("kept", topic)]
    quizzes = [{"slug": "topic", "title": "Topic", "questions": ["kept"]}]
    quizzes_load(directory=_write(tmp_path, questions, quizzes))
    # The educator moves the quiz and its question to the exam bank.
    Quiz.objects.update(bank=Bank.EXAM)
    Question.objects.update(bank=Bank.EXAM)
    quizzes_load(directory=tmp_path)
    assert Quiz.objects.get().bank == Bank.EXAM
    assert Question.objects.get().bank == Bank.EXAM
    quizzes_load(directory=tmp_path, overwrite=True)
    assert Quiz.objects.get().bank == Bank.PRACTICE
    assert Question.objects.get().bank == Bank.PRACTICE


def test_questions_imported_into_an_exam_join_the_exam_bank(educator):
    exam = make_quiz(questions=0, slug="import-exam", topic=make_topic(), status="draft")
    Quiz.objects.filter(pk=exam.pk).update(bank=Bank.EXAM)
    exam.refresh_from_db()
    text = (
        "key,kind,prompt,choice_1,choice_2,correct,explanation\n"
        "imported,single,Which gauze?,Sterile,Any clean cloth,1,Sterile gauze.\n"
    )
    outcome = question_import_confirm(quiz=exam, text=text, file_format=CSV, actor=educator)
    assert [(q.key, q.bank) for q in outcome.created] == [("imported", Bank.EXAM)]
    assert [q["key"] for q in papers.quiz_pool(exam)] == ["imported"]


def test_the_admin_moves_questions_between_banks_except_those_in_a_pool_of_the_other(
    educator_client,
):
    free = [make_question(f"free-{i}") for i in range(2)]
    pooled = make_question("pooled")
    make_quiz([pooled], slug="practice-pool")
    messages = run_action(educator_client, "move_to_exam_bank", [*free, pooled])
    assert messages == [
        QUESTIONS_MOVED.format(count=2, bank="exam"),
        "pooled stayed where it was: it is in the pool of a quiz of the other bank; take it out "
        "of that pool first.",
    ]
    assert dict(Question.objects.values_list("key", "bank")) == {
        "free-0": "exam",
        "free-1": "exam",
        "pooled": "practice",
    }
    assert run_action(educator_client, "move_to_practice_bank", free) == [
        QUESTIONS_MOVED.format(count=2, bank="practice")
    ]
    assert set(Question.objects.values_list("bank", flat=True)) == {"practice"}
