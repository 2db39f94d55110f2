"""Reads for hand marking: the queue of written answers awaiting a mark, and one answer to mark.

Every answer is reached through `answer_for_marker_or_404`: a written answer of a
submitted graded attempt by a trainee in the assessor's cohorts
(quizzes.cohorts.scope.trainees_for_assessor); anything else is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from quizzes.cohorts.scope import cohorts_for_assessor, trainees_for_assessor
from quizzes.models import (
    Attempt,
    AttemptAnswer,
    Cohort,
    CohortMembership,
    Question,
    Quiz,
    WrittenAnswerMark,
)

ANSWER_NOT_FOUND = "No such written answer to mark."
QUEUE_PER_PAGE = 50
CANDIDATE = "Candidate"


def _written_answers(user) -> QuerySet[AttemptAnswer]:
    """The written answers of submitted graded attempts by trainees the user assesses."""
    return AttemptAnswer.objects.filter(
        question__kind=Question.Kind.WRITTEN,
        attempt__kind=Attempt.Kind.GRADED,
        attempt__state__in=[Attempt.State.MARKING, Attempt.State.SUBMITTED],
        attempt__user__in=trainees_for_assessor(user).values("pk"),
    )


def candidate_reference(answer: AttemptAnswer) -> str:
    """A neutral reference for blind marking: the answer's number, nothing of the trainee."""
    return f"{CANDIDATE} #{answer.pk}"


@dataclass(frozen=True)
class QueueRow:
    answer: AttemptAnswer
    shown_name: str  # the trainee's name, or the neutral reference while marking is blind


@dataclass(frozen=True)
class MarkingQueue:
    rows: list[QueueRow]
    page: Page
    quizzes: list[Quiz]
    cohorts: list[Cohort]
    quiz_id: int | None
    cohort_id: int | None


def _shown_name(answer: AttemptAnswer, *, marked: bool) -> str:
    if answer.attempt.quiz.blind_marking and not marked:
        return candidate_reference(answer)
    user = answer.attempt.user
    return user.get_full_name() or user.get_username()


def marking_queue(
    *, user, quiz_id: int | None = None, cohort_id: int | None = None, page: int = 1
) -> MarkingQueue:
    """Written answers awaiting their first mark, oldest submission first (a fixed query count).

    Filter by quiz and by one of the assessor's cohorts; a cohort outside them is a 404.
    """
    cohorts = list(cohorts_for_assessor(user).order_by("name", "id"))
    answers = _written_answers(user).filter(
        attempt__state=Attempt.State.MARKING,
        marks__isnull=True,
    )
    if cohort_id is not None:
        if cohort_id not in {c.pk for c in cohorts}:
            raise Http404("No such cohort.")
        answers = answers.filter(
            Exists(
                CohortMembership.objects.filter(
                    cohort_id=cohort_id, user_id=OuterRef("attempt__user_id")
                )
            )
        )
    quizzes = list(
        Quiz.objects.filter(hand_marked=True).only("id", "title", "slug").order_by("title", "id")
    )
    if quiz_id is not None:
        answers = answers.filter(attempt__quiz_id=quiz_id)
    answers = (
        answers.select_related("attempt__quiz", "attempt__user", "question")
        .only(
            "id",
            "question_id",
            "question__key",
            "question__prompt",
            "attempt__id",
            "attempt__submitted_at",
            "attempt__quiz__id",
            "attempt__quiz__title",
            "attempt__quiz__blind_marking",
            "attempt__user__id",
            "attempt__user__first_name",
            "attempt__user__last_name",
            "attempt__user__username",
        )
        .order_by("attempt__submitted_at", "attempt_id", "id")
    )
    shown = Paginator(answers, QUEUE_PER_PAGE).get_page(page)
    rows = [QueueRow(answer=a, shown_name=_shown_name(a, marked=False)) for a in shown]
    return MarkingQueue(
        rows=rows,
        page=shown,
        quizzes=quizzes,
        cohorts=cohorts,
        quiz_id=quiz_id,
        cohort_id=cohort_id,
    )


def answer_for_marker_or_404(user, answer_id: int) -> AttemptAnswer:
    """The written answer `answer_id` if the user may mark it; else 404 (the one scope helper)."""
    answer = (
        _written_answers(user)
        .select_related("attempt__quiz", "attempt__user", "question")
        .filter(pk=answer_id)
        .first()
    )
    if answer is None:
        raise Http404(ANSWER_NOT_FOUND)
    return answer


@dataclass(frozen=True)
class AnswerPage:
    answer: AttemptAnswer
    entry: dict[str, Any]  # the frozen paper's question: prompt, points, model answer, guide
    marks: list[WrittenAnswerMark]  # oldest first; the last one counts
    shown_name: str
    blind: bool

    @property
    def latest(self) -> WrittenAnswerMark | None:
        return self.marks[-1] if self.marks else None


def answer_page_data(*, answer: AttemptAnswer) -> AnswerPage:
    """The frozen question beside the trainee's text, and the marks so far (history)."""
    entry = next(
        (q for q in answer.attempt.paper.get("questions", []) if q["id"] == answer.question_id),
        None,
    )
    if entry is None or entry.get("kind") != Question.Kind.WRITTEN:
        raise Http404(ANSWER_NOT_FOUND)
    marks = list(WrittenAnswerMark.objects.filter(answer=answer).order_by("marked_at", "id"))
    blind = answer.attempt.quiz.blind_marking and not marks
    return AnswerPage(
        answer=answer,
        entry=entry,
        marks=marks,
        shown_name=_shown_name(answer, marked=bool(marks)),
        blind=blind,
    )
