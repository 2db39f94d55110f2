"""The shipped bank as an exam: its two banks, their sizes and the lessons behind them."""

import re
from collections import Counter

import pytest
from django.conf import settings

from lessons.models import Lesson
from lessons.services import lessons_load
from quizzes.authoring.content import quizzes_load
from quizzes.models import Bank, Question, Quiz

pytestmark = pytest.mark.django_db

FIXTURES = settings.BASE_DIR / "fixtures"
TOPICS = ["why-bleeding-occurs", "normal-versus-excessive-bleeding", "managing-bleeding"]
EXAM_PER_TOPIC, PRACTICE_PER_TOPIC, EXAM_CRITICAL, SCENARIO_SHARE = 20, 12, 10, 1 / 3

# Subjects the first round's lessons lacked (issue 15), each as words a lesson's body, its
# objectives and its key points must all use.
SUBJECTS = {
    "the practitioner's own blood exposure": [r"needlestick", r"eye protection", r"spill"],
    "a client who feels faint or unwell": [r"faint", r"emergency services"],
    "history and medicines at every visit": [r"every visit"],
    "recording history and consent": [r"consent"],
    "broken, infected or inflamed skin": [r"broken", r"inflamed"],
    "a client's call after treatment": [r"call"],
    "firm pressure in clinic, gentle at home": [r"firm", r"gentle"],
    "two clients versus one client over time": [r"earlier sessions|previous sessions"],
}


def is_scenario(prompt: str) -> bool:
    """A situation first (one or more sentences about a client or you), then the question."""
    sentences = [s for s in re.split(r"(?<=[.!?:])\s+", prompt.strip()) if s]
    return len(sentences) >= 2 and re.search(r"\b(client|you|your)\b", prompt, re.I) is not None


@pytest.fixture
def shipped():
    lessons_load(directory=FIXTURES / "lessons")
    quizzes_load(directory=FIXTURES / "quizzes")
    return Question.objects.active()


@pytest.mark.django_db(databases=[])
def test_the_scenario_rule_reads_a_situation_then_a_question():
    assert is_scenario("A client bleeds more than at her earlier sessions. What do you do first?")
    assert not is_scenario("Why does microneedling cause pinpoint bleeding?")
    assert not is_scenario("Bleeding stops. Why?")  # no client, no you


def test_each_topic_has_its_exam_and_practice_questions(shipped, capsys):
    counts = Counter(shipped.values_list("topic__slug", "bank"))
    for topic in TOPICS:
        assert counts[(topic, Bank.EXAM)] >= EXAM_PER_TOPIC, topic
        assert counts[(topic, Bank.PRACTICE)] >= PRACTICE_PER_TOPIC, topic
    exam = list(shipped.filter(bank=Bank.EXAM))
    critical = [q for q in exam if q.critical]
    scenarios = [q for q in exam if is_scenario(q.prompt)]
    assert len(critical) >= EXAM_CRITICAL
    assert len(scenarios) >= SCENARIO_SHARE * len(exam)
    multiple = shipped.filter(kind=Question.Kind.MULTIPLE).prefetch_related("choices")
    keys = Counter(
        (sum(c.is_correct for c in q.choices.all()), q.choices.count()) for q in multiple
    )
    with capsys.disabled():
        print(f"\nShipped bank: {dict(sorted(counts.items()))}")
        print(f"  exam: {len(exam)} items, {len(critical)} critical, {len(scenarios)} scenarios")
        print(f"  multiple-response keys (correct, options): {dict(sorted(keys.items()))}")


def test_the_topic_quizzes_practise_and_the_final_examines(shipped):
    final = Quiz.objects.get(slug="final-assessment")
    assert final.bank == Bank.EXAM
    assert set(final.questions.values_list("bank", flat=True)) == {Bank.EXAM}
    assert final.questions.count() == shipped.filter(bank=Bank.EXAM).count()
    for quiz in Quiz.objects.exclude(pk=final.pk):
        assert quiz.bank == Bank.PRACTICE, quiz.slug
        assert set(quiz.questions.values_list("bank", flat=True)) == {Bank.PRACTICE}
        assert set(quiz.questions.values_list("topic__slug", flat=True)) == {quiz.topic.slug}
    # Every practice question is practised somewhere: in its topic's quiz.
    practised = set(
        Question.objects.filter(quizzes__bank=Bank.PRACTICE).values_list("pk", flat=True)
    )
    assert practised == set(shipped.filter(bank=Bank.PRACTICE).values_list("pk", flat=True))


def _key_points(body: str) -> str:
    match = re.search(r'!!! key-points "Key points"\n((?:    .*\n|\n)+)', body)
    assert match, "a lesson has no key points"
    return match.group(1)


def test_the_lessons_teach_what_the_first_round_lacked(shipped):
    lessons = list(Lesson.objects.all())
    bodies = " ".join(lesson.body_markdown for lesson in lessons).lower()
    objectives = " ".join(lesson.objectives for lesson in lessons).lower()
    key_points = " ".join(_key_points(lesson.body_markdown) for lesson in lessons).lower()
    for subject, patterns in SUBJECTS.items():
        for pattern in patterns:
            assert re.search(pattern, bodies), (subject, pattern, "body")
            assert re.search(pattern, key_points), (subject, pattern, "key points")
        assert any(re.search(p, objectives) for p in patterns), (subject, "objectives")
    # Conservative beyond the source: the lessons defer to local protocols.
    for lesson in lessons:
        assert "local protocol" in lesson.body_markdown.lower(), lesson.slug
