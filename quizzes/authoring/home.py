"""Reads for the educator's home: content needing attention, and the quizzes and lessons to
preview, import into and analyse, in a fixed number of queries however large the bank grows.

Item statistics are not computed here (they are a whole-quiz calculation): the analysis
flags a question by setting `Question.needs_review`, which this page lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from lessons.models import Lesson
from quizzes.models import Certificate, Program, Question, Quiz
from trainingsite.publication import PublicationStatus

# Each list shows at most this many rows, with the total beside it.
HOME_LIST_LIMIT = 10
HOME_QUIZ_LIMIT = 50


@dataclass(frozen=True)
class FlaggedQuestion:
    pk: int
    key: str
    prompt: str
    quiz_count: int


@dataclass(frozen=True)
class DraftItem:
    pk: int
    title: str
    slug: str


@dataclass(frozen=True)
class ChangedLesson:
    pk: int
    title: str
    slug: str
    changed_at: datetime
    certificates_before: int


@dataclass(frozen=True)
class QuizRow:
    pk: int
    title: str
    slug: str
    published: bool
    flagged: int


@dataclass(frozen=True)
class Counted:
    """Up to HOME_LIST_LIMIT rows and how many there are in all."""

    rows: tuple
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class EducatorHome:
    flagged_questions: Counted
    draft_lessons: Counted
    draft_quizzes: Counted
    draft_programs: Counted
    changed_lessons: Counted
    quizzes: Counted

    @property
    def needs_attention(self) -> int:
        return (
            self.flagged_questions.total
            + self.draft_lessons.total
            + self.draft_quizzes.total
            + self.draft_programs.total
            + self.changed_lessons.total
        )


def _flagged_questions() -> Counted:
    flagged = Question.objects.active().filter(needs_review=True)
    rows = (
        flagged.annotate(quiz_count=Count("pool_entries", distinct=True))
        .order_by("key")
        .values_list("pk", "key", "prompt", "quiz_count")[:HOME_LIST_LIMIT]
    )
    return Counted(tuple(FlaggedQuestion(*row) for row in rows), flagged.count())


def _drafts(queryset, title_field: str) -> Counted:
    drafts = queryset.filter(status=PublicationStatus.DRAFT)
    rows = drafts.order_by(title_field, "pk").values_list("pk", title_field, "slug")
    return Counted(tuple(DraftItem(*row) for row in rows[:HOME_LIST_LIMIT]), drafts.count())


def _changed_lessons() -> Counted:
    """Lessons changed for re-reading after certificates of a program requiring them."""
    before = (
        Certificate.objects.filter(
            program__required_lessons=OuterRef("pk"),
            revoked_at__isnull=True,
            issued_at__lt=OuterRef("content_changed_at"),
        )
        .order_by()
        .values("program__required_lessons")
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    changed = Lesson.objects.filter(content_changed_at__isnull=False).annotate(
        certificates_before=Coalesce(Subquery(before), 0)
    )
    changed = changed.filter(certificates_before__gt=0)
    rows = changed.order_by(F("content_changed_at").desc(), "pk").values_list(
        "pk", "title", "slug", "content_changed_at", "certificates_before"
    )
    return Counted(tuple(ChangedLesson(*row) for row in rows[:HOME_LIST_LIMIT]), changed.count())


def _quizzes() -> Counted:
    flagged = Q(pool__question__needs_review=True, pool__question__status=Question.Status.ACTIVE)
    quizzes = Quiz.objects.authored().order_by("order", "id")
    rows = quizzes.annotate(flagged=Count("pool", filter=flagged, distinct=True))
    rows = rows.values_list("pk", "title", "slug", "status", "flagged")[:HOME_QUIZ_LIMIT]
    return Counted(
        tuple(
            QuizRow(
                pk=pk,
                title=title,
                slug=slug,
                published=status == PublicationStatus.PUBLISHED,
                flagged=n,
            )
            for pk, title, slug, status, n in rows
        ),
        quizzes.count(),
    )


def educator_home() -> EducatorHome:
    """What the educator's home shows, in twelve queries whatever the data's size."""
    return EducatorHome(
        flagged_questions=_flagged_questions(),
        draft_lessons=_drafts(Lesson.objects.all(), "title"),
        draft_quizzes=_drafts(Quiz.objects.authored(), "title"),
        draft_programs=_drafts(Program.objects.all(), "name"),
        changed_lessons=_changed_lessons(),
        quizzes=_quizzes(),
    )
