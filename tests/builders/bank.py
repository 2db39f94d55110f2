"""Builders for the question bank: questions with marked explanations and feedback, and quizzes.

`make_quiz` makes quiz-engine quizzes (fixed order, prompts "Prompt <key>?", every text marked so
a test can tell what a page shows); `make_plain_quiz` makes the reports' quizzes ("Question <i>?",
"Choice <j>", choice 0 correct), the ones `make_scored_attempt` answers by choice index.
"""

from itertools import count

from quizzes.models import Choice, Question, Quiz, QuizBlueprintRow, QuizQuestion
from tests.builders.lessons import shared_topic

_numbers = count(1)

EXPLANATION_MARK = "EXPLANATION-MARK"
FEEDBACK_MARK = "FEEDBACK-MARK"

DEFAULT_CHOICES = {
    "single": [("Right answer", True), ("Wrong answer A", False), ("Wrong answer B", False)],
    "true_false": [("True", True), ("False", False)],
    "multiple": [("Right A", True), ("Right B", True), ("Wrong C", False), ("Wrong D", False)],
}


def make_question(
    key,
    kind="single",
    topic=None,
    lesson=None,
    points=1,
    critical=False,
    choices=None,
    variant_group="",
    bank="practice",
) -> Question:
    question = Question.objects.create(
        key=key,
        kind=kind,
        prompt=f"Prompt {key}?",
        explanation=f"{EXPLANATION_MARK} why {key}",
        points=points,
        critical=critical,
        variant_group=variant_group,
        bank=bank,
        topic=topic or shared_topic(),
        lesson=lesson,
    )
    for order, (text, correct) in enumerate(choices or DEFAULT_CHOICES[kind]):
        Choice.objects.create(
            question=question,
            text=f"{text}" if kind == "true_false" else f"{text} ({key})",
            is_correct=correct,
            feedback=f"{FEEDBACK_MARK} {key}-{order}",
            order=order,
        )
    return question


def make_quiz(
    questions=3, slug="first-quiz", status="published", kinds=("single",), **fields
) -> Quiz:
    """A quiz with a pool of `questions` (a count or a list of Question objects)."""
    fields.setdefault("shuffle_questions", False)
    fields.setdefault("shuffle_choices", False)
    quiz = Quiz.objects.create(title=f"Quiz {slug}", slug=slug, status=status, **fields)
    if isinstance(questions, int):
        questions = [
            make_question(f"{slug}-{i}", kind=kinds[i % len(kinds)]) for i in range(questions)
        ]
    QuizQuestion.objects.bulk_create(
        QuizQuestion(quiz=quiz, question=q, order=i) for i, q in enumerate(questions)
    )
    return quiz


def set_blueprint(quiz, counts, *, min_critical=0) -> Quiz:
    """Give `quiz` a blueprint: {topic: questions per paper}, and a critical minimum."""
    QuizBlueprintRow.objects.filter(quiz=quiz).delete()
    QuizBlueprintRow.objects.bulk_create(
        QuizBlueprintRow(quiz=quiz, topic=topic, count=n) for topic, n in counts.items()
    )
    quiz.min_critical_per_paper = min_critical
    quiz.questions_per_attempt = None
    quiz.save(update_fields=["min_critical_per_paper", "questions_per_attempt"])
    return quiz


def make_plain_quiz(*, topic, questions=2, choices=3) -> Quiz:
    """A fresh published quiz of one-point single-choice questions; choice 0 is correct."""
    n = next(_numbers)
    quiz = Quiz.objects.create(
        title=f"Quiz {n}", slug=f"quiz-{n}", topic=topic, status=Quiz.Status.PUBLISHED
    )
    for i in range(questions):
        question = Question.objects.create(key=f"q{n}-{i}", prompt=f"Question {i}?", topic=topic)
        for j in range(choices):
            Choice.objects.create(question=question, text=f"Choice {j}", is_correct=j == 0, order=j)
        QuizQuestion.objects.create(quiz=quiz, question=question, order=i)
    return quiz


def quiz_admin_form(
    *, status="draft", pool=(), rows=(), per_attempt="", min_critical="0", **fields
) -> dict:
    """The quiz admin's add form as posted: its fields, the pool and blueprint inlines."""
    data = {
        "title": "New quiz",
        "slug": "new-quiz",
        "description": "",
        "status": status,
        "order": "0",
        "bank": "practice",
        "topic": "",
        "pass_mark": "80",
        "topic_minimum_percent": "",
        "max_attempts": "",
        "time_limit_minutes": "",
        "retake_wait_minutes": "0",
        "questions_per_attempt": per_attempt,
        "min_critical_per_paper": min_critical,
        "feedback_policy": "full",
        "practice_behaviour": "deferred",
        "practice_tries": "1",
        "pool-TOTAL_FORMS": str(len(pool)),
        "pool-INITIAL_FORMS": "0",
        "pool-MIN_NUM_FORMS": "0",
        "pool-MAX_NUM_FORMS": "1000",
        "blueprint_rows-TOTAL_FORMS": str(len(rows)),
        "blueprint_rows-INITIAL_FORMS": "0",
    }
    for i, question in enumerate(pool):
        data[f"pool-{i}-question"] = str(question.pk)
        data[f"pool-{i}-order"] = str(i)
    for i, (topic, number) in enumerate(rows):
        data[f"blueprint_rows-{i}-topic"] = str(topic.pk)
        data[f"blueprint_rows-{i}-count"] = str(number)
    data.update(fields)
    return data


def question_admin_form(question, *, correct=None, points=None, choice_alt=None, **fields) -> dict:
    """The question admin's change form as posted: its fields and choices, with changes.

    `correct` replaces the choices' correct flags (in order), `choice_alt` every choice's
    image description; other keyword arguments replace or add posted fields.
    """
    choices = list(question.choices.order_by("order", "id"))
    correct = correct if correct is not None else [c.is_correct for c in choices]
    data = {
        "key": question.key,
        "kind": question.kind,
        "bank": question.bank,
        "prompt": question.prompt,
        "explanation": question.explanation,
        "points": str(points if points is not None else question.points),
        "status": question.status,
        "topic": str(question.topic_id),
        "lesson": str(question.lesson_id or ""),
        "image_alt": question.image_alt,
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": str(len(choices)),
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    if question.critical:
        data["critical"] = "on"
    for i, (choice, is_correct) in enumerate(zip(choices, correct, strict=True)):
        data.update(
            {
                f"choices-{i}-id": str(choice.pk),
                f"choices-{i}-question": str(question.pk),
                f"choices-{i}-order": str(choice.order),
                f"choices-{i}-text": choice.text,
                f"choices-{i}-feedback": choice.feedback,
                f"choices-{i}-image_alt": choice.image_alt if choice_alt is None else choice_alt,
            }
        )
        if is_correct:
            data[f"choices-{i}-is_correct"] = "on"
    data.update(fields)
    return data
