"""Read a trainee's mastery by topic: answers summed in SQL per topic and day, then the rules.

What counts: the scored answers (`AttemptAnswer.is_correct` set) of the trainee's closed
attempts, graded and practice alike: submitted ones, and the choice answers of attempts
awaiting marking (their written answers have no score until marked, so they are left out).
A choice answer's credit is 1 when correct, else 0; a written answer's is its mark's share
of the question's points.

Review sessions (quizzes/spaced_review/) are practice: their answers count, as practice,
but only the questions the trainee checked. A session finished early leaves its other
questions scored as not correct by the engine, yet nobody answered them, and the session's
summary says so; counting them would mark down a point because the trainee stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least, TruncDate
from django.utils import timezone

from lessons.models import Lesson, Topic
from quizzes.mastery.rules import AnswerRow, Mastery, TopicInfo, mastery_compute
from quizzes.models import Attempt, AttemptAnswer, Bank, Question, Quiz

# Counted as practice on the page: practice rounds and review sessions.
PRACTICE_KINDS = (Attempt.Kind.PRACTICE, Attempt.Kind.REVIEW)


@dataclass(frozen=True)
class LessonLink:
    title: str
    slug: str


@dataclass(frozen=True)
class QuizLink:
    title: str
    slug: str
    has_mistakes: bool  # a "practise my mistakes" round has something to draw from


@dataclass(frozen=True)
class TopicLinks:
    lessons: tuple[LessonLink, ...]
    quizzes: tuple[QuizLink, ...]


@dataclass(frozen=True)
class MasteryPage:
    mastery: Mastery
    links: dict[int, TopicLinks]  # by topic id

    def links_for(self, topic_id: int) -> TopicLinks:
        return self.links.get(topic_id, TopicLinks(lessons=(), quizzes=()))


def _credit():
    written_share = Least(
        Coalesce(F("awarded"), Value(0.0)) / Cast(F("question__points"), FloatField()),
        Value(1.0),
    )
    return Case(
        When(question__kind=Question.Kind.WRITTEN, then=written_share),
        When(is_correct=True, then=Value(1.0)),
        default=Value(0.0),
        output_field=FloatField(),
    )


def mastery_answer_rows(*, user) -> list[AnswerRow]:
    """The trainee's scored answers, summed per topic and day (local time): one query."""
    rows = (
        AttemptAnswer.objects.filter(attempt__user=user, is_correct__isnull=False)
        .exclude(attempt__state=Attempt.State.IN_PROGRESS)
        .exclude(attempt__kind=Attempt.Kind.REVIEW, checked_at__isnull=True)
        .annotate(day=TruncDate("attempt__submitted_at"))
        .values("question__topic_id", "day")
        .annotate(
            answers=Count("id"),
            credit=Sum(_credit()),
            practice=Count("id", filter=Q(attempt__kind__in=PRACTICE_KINDS)),
        )
        .order_by()
    )
    return [
        AnswerRow(
            topic_id=row["question__topic_id"],
            day=row["day"],
            credit=float(row["credit"] or 0.0),
            answers=row["answers"],
            practice_answers=row["practice"],
        )
        for row in rows
    ]


def _topics_with_links(*, topic_ids: set[int]) -> list[Topic]:
    """Topics answered or with published lessons or practice quizzes: three queries."""
    lessons = Lesson.objects.published().only("id", "topic_id", "title", "slug")
    quizzes = Quiz.objects.published().filter(bank=Bank.PRACTICE)
    has_lesson = Exists(lessons.filter(topic_id=OuterRef("pk")))
    has_quiz = Exists(quizzes.filter(topic_id=OuterRef("pk")))
    return list(
        Topic.objects.filter(Q(id__in=topic_ids) | has_lesson | has_quiz)
        .only("id", "title", "order")
        .order_by("order", "id")
        .prefetch_related(
            Prefetch(
                "lessons", queryset=lessons.order_by("order", "id"), to_attr="published_lessons"
            ),
            Prefetch(
                "quizzes",
                queryset=quizzes.only("id", "topic_id", "title", "slug").order_by("title", "id"),
                to_attr="practice_quizzes",
            ),
        )
    )


def _quizzes_with_mistakes(*, user, quiz_ids: set[int]) -> set[int]:
    """Of these quizzes, those where the trainee answered a choice question wrongly."""
    if not quiz_ids:
        return set()
    return set(
        AttemptAnswer.objects.filter(
            attempt__user=user,
            attempt__state=Attempt.State.SUBMITTED,
            attempt__quiz_id__in=quiz_ids,
            is_correct=False,
        )
        .exclude(question__kind=Question.Kind.WRITTEN)
        .values_list("attempt__quiz_id", flat=True)
        .order_by()
        .distinct()
    )


def mastery_page_data(*, user, today: date | None = None) -> MasteryPage:
    """The trainee's own progress by topic with review links: at most five queries."""
    today = today or timezone.localdate()
    rows = mastery_answer_rows(user=user)
    topics = _topics_with_links(topic_ids={row.topic_id for row in rows})
    quiz_ids = {quiz.id for topic in topics for quiz in topic.practice_quizzes}
    with_mistakes = _quizzes_with_mistakes(user=user, quiz_ids=quiz_ids)
    mastery = mastery_compute(
        rows=rows, topics=[TopicInfo(id=t.id, title=t.title) for t in topics], today=today
    )
    links = {
        topic.id: TopicLinks(
            lessons=tuple(LessonLink(title=x.title, slug=x.slug) for x in topic.published_lessons),
            quizzes=tuple(
                QuizLink(title=q.title, slug=q.slug, has_mistakes=q.id in with_mistakes)
                for q in topic.practice_quizzes
            ),
        )
        for topic in topics
    }
    return MasteryPage(mastery=mastery, links=links)
