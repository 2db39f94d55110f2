"""Small builders for quiz tests: topics, lessons, questions and quizzes."""

from lessons.models import Lesson, Topic
from quizzes.models import Choice, Question, Quiz, QuizQuestion

EXPLANATION_MARK = "EXPLANATION-MARK"
FEEDBACK_MARK = "FEEDBACK-MARK"

DEFAULT_CHOICES = {
    "single": [("Right answer", True), ("Wrong answer A", False), ("Wrong answer B", False)],
    "true_false": [("True", True), ("False", False)],
    "multiple": [("Right A", True), ("Right B", True), ("Wrong C", False), ("Wrong D", False)],
}


def make_topic(slug="managing-bleeding", title="Managing bleeding", order=1) -> Topic:
    topic, _ = Topic.objects.get_or_create(slug=slug, defaults={"title": title, "order": order})
    return topic


def make_lesson(slug="pressure", topic=None, title="Applying pressure", status="published"):
    lesson, _ = Lesson.objects.get_or_create(
        slug=slug,
        defaults={
            "topic": topic or make_topic(),
            "title": title,
            "summary": "A lesson.",
            "status": status,
        },
    )
    return lesson


def make_question(
    key, kind="single", topic=None, lesson=None, points=1, critical=False, choices=None
) -> Question:
    question = Question.objects.create(
        key=key,
        kind=kind,
        prompt=f"Prompt {key}?",
        explanation=f"{EXPLANATION_MARK} why {key}",
        points=points,
        critical=critical,
        topic=topic or make_topic(),
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


def correct_positions(paper_question) -> list[int]:
    return [i for i, c in enumerate(paper_question["choices"]) if c["is_correct"]]


def wrong_positions(paper_question) -> list[int]:
    return [i for i, c in enumerate(paper_question["choices"]) if not c["is_correct"]][:1]


def correct_ids(paper_question) -> list[int]:
    return [c["id"] for c in paper_question["choices"] if c["is_correct"]]


def wrong_ids(paper_question) -> list[int]:
    return [c["id"] for c in paper_question["choices"] if not c["is_correct"]][:1]
