"""Reads for the result page: the score and the review the quiz's feedback policy allows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from quizzes.answer_rows import answer_rows
from quizzes.certification.rules import certificate_completed_by, certificate_is_valid
from quizzes.models import Attempt, Question, Quiz, WrittenAnswerMark
from quizzes.models.certification import Certificate, Program
from quizzes.question_images import paper_image
from quizzes.rules import attempt_timed_out

WRITTEN = Question.Kind.WRITTEN.value
NO_IMAGE = ("", "")


@dataclass(frozen=True)
class ReviewChoice:
    """A choice as reviewed; correctness and feedback only when the policy shows answers."""

    text: str
    selected: bool
    is_correct: bool | None  # None when the feedback policy hides the answers
    feedback: str
    image_url: str = ""
    image_alt: str = ""


@dataclass(frozen=True)
class ReviewQuestion:
    number: int
    prompt: str
    kind: str
    points: int
    awarded: float | None
    is_correct: bool | None
    answered: bool
    critical: bool
    explanation: str
    topic_title: str
    lesson_title: str
    lesson_url: str | None
    choices: tuple[ReviewChoice, ...]
    image_url: str = ""
    image_alt: str = ""
    # Written answers: the trainee's text, the latest mark's feedback, and the model
    # answer (only once marked, and only when the feedback policy shows answers).
    text: str = ""
    marked: bool = False
    marker_feedback: str = ""
    model_answer: str = ""


@dataclass(frozen=True)
class CertifiedMoment:
    """A valid certificate of a program that requires the passed quiz, for the result page."""

    certificate: Certificate  # with its program
    completed_here: bool  # this pass completed the program: the certificate was issued by it


@dataclass(frozen=True)
class ResultPage:
    attempt: Attempt
    show_questions: bool
    show_answers: bool
    questions: tuple[ReviewQuestion, ...]
    time_taken: timedelta | None
    practice_wrong_count: int
    topic_scores: list[dict[str, Any]] = field(default_factory=list)
    question_count: int = 0
    answered_count: int = 0
    timed_out: bool = False  # the time ran out (closed by the server or by the page's timer)
    time_ran_out_at: datetime | None = None
    certified: tuple[CertifiedMoment, ...] = ()

    @property
    def awaiting_marking(self) -> bool:
        return self.attempt.state == Attempt.State.MARKING

    @property
    def unanswered_count(self) -> int:
        return self.question_count - self.answered_count

    @property
    def completed_here(self) -> bool:
        return any(moment.completed_here for moment in self.certified)

    @property
    def time_taken_text(self) -> str:
        if self.time_taken is None:
            return ""
        seconds = max(int(self.time_taken.total_seconds()), 0)
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        if hours:
            return f"{hours} h {minutes} min"
        if minutes:
            return f"{minutes} min {seconds} s"
        return f"{seconds} s"


def lesson_url(slug: str | None) -> str | None:
    """The lesson page a question points to, or None once the lesson is gone."""
    if not slug:
        return None
    try:
        return reverse("lessons:detail", kwargs={"slug": slug})
    except NoReverseMatch:
        return None


def _review_choices(
    choices: list[dict], *, chosen: set[int], show_answers: bool
) -> tuple[ReviewChoice, ...]:
    """The paper's choices as reviewed (a plain loop: this runs for every choice of a paper)."""
    reviewed = []
    for c in choices:
        image_url, image_alt = paper_image(c) if c.get("image") else NO_IMAGE
        reviewed.append(
            ReviewChoice(
                text=c["text"],
                selected=c["id"] in chosen,
                is_correct=c["is_correct"] if show_answers else None,
                feedback=c.get("feedback", "") if show_answers else "",
                image_url=image_url,
                image_alt=image_alt,
            )
        )
    return tuple(reviewed)


def review_question(
    *,
    number: int,
    q: dict,
    chosen: set[int],
    awarded: float | None,
    is_correct: bool | None,
    answered: bool,
    show_answers: bool,
    lesson_url: str | None,
    text: str = "",
    marked: bool = False,
    marker_feedback: str = "",
) -> ReviewQuestion:
    """One question of the frozen paper as reviewed; the key only when `show_answers`."""
    kind = q["kind"]
    image_url, image_alt = paper_image(q) if q.get("image") else NO_IMAGE
    return ReviewQuestion(
        number=number,
        prompt=q["prompt"],
        kind=kind,
        points=q["points"],
        awarded=awarded,
        is_correct=is_correct,
        answered=answered,
        critical=q.get("critical", False),
        explanation=q.get("explanation", "") if show_answers else "",
        topic_title=q.get("topic_title", ""),
        lesson_title=q.get("lesson_title", ""),
        lesson_url=lesson_url,
        choices=_review_choices(q["choices"], chosen=chosen, show_answers=show_answers),
        image_url=image_url,
        image_alt=image_alt,
        text=text,
        marked=marked,
        marker_feedback=marker_feedback,
        model_answer=q.get("model_answer", "") if kind == WRITTEN and show_answers else "",
    )


def _answer_rows(*, attempt_id: int) -> dict[int, tuple]:
    """The attempt's stored answers by question: (id, selected, text, awarded, is_correct).

    Read in one plain SELECT (quizzes/answer_rows.py): through the ORM this read cost
    most of the review's Python work.
    """
    return {
        row.question_id: (row.pk, row.selected, row.text, row.awarded, row.is_correct)
        for row in answer_rows(attempt_id=attempt_id)
    }


def _certified_moments(*, attempt: Attempt, now: datetime) -> tuple[CertifiedMoment, ...]:
    """The valid certificates a passed graded attempt's quiz counts toward (one query).

    The latest certificate of each published program requiring the quiz, if valid; none
    for a practice round, a fail or an attempt awaiting marking (no query then).
    """
    if attempt.is_practice or attempt.state != Attempt.State.SUBMITTED or not attempt.passed:
        return ()
    certificates = (
        Certificate.objects.filter(
            user_id=attempt.user_id,
            program__required_quizzes=attempt.quiz_id,
            program__status=Program.Status.PUBLISHED,
        )
        .select_related("program")
        .only(
            "id",
            "code",
            "cycle",
            "issued_at",
            "expires_at",
            "revoked_at",
            "program_id",
            "program__name",
            "program__slug",
        )
        .order_by("program__name", "program_id", "cycle")
    )
    latest: dict[int, Certificate] = {}
    for certificate in certificates:
        latest[certificate.program_id] = certificate  # by cycle: the last one is the latest
    return tuple(
        CertifiedMoment(
            certificate=certificate,
            completed_here=certificate_completed_by(
                submitted_at=attempt.submitted_at, issued_at=certificate.issued_at
            ),
        )
        for certificate in latest.values()
        if certificate_is_valid(
            expires_at=certificate.expires_at, revoked=certificate.revoked_at is not None, now=now
        )
    )


def attempt_result_data(*, attempt: Attempt, now: datetime | None = None) -> ResultPage:
    """The score and the review the quiz's feedback policy allows (one query; two with marks).

    While the attempt awaits marking, nothing of the answer key is shown (no
    correctness, explanations, feedback or model answers), only what was answered.
    A passed graded attempt also reads the certificates its quiz counts toward (one more).
    """
    now = now or timezone.now()
    policy = attempt.paper.get("feedback_policy", Quiz.FeedbackPolicy.FULL)
    marking = attempt.state == Attempt.State.MARKING
    show_questions = policy != Quiz.FeedbackPolicy.SCORE_ONLY or marking
    show_answers = policy == Quiz.FeedbackPolicy.FULL and not marking
    rows = _answer_rows(attempt_id=attempt.pk)
    entries = attempt.paper.get("questions", [])
    feedback: dict[int, str] = {}
    if not marking and WRITTEN in {q["kind"] for q in entries}:
        # The latest mark of each answer counts (marks are ordered oldest first).
        for answer_id, text in WrittenAnswerMark.objects.filter(
            answer__attempt=attempt
        ).values_list("answer_id", "feedback"):
            feedback[answer_id] = text
    questions = []
    wrong = 0
    answered_count = 0
    # A handful of lessons behind many questions: reverse each URL once.
    lesson_urls = {slug: lesson_url(slug) for slug in {q.get("lesson_slug") for q in entries}}
    for number, q in enumerate(entries, start=1):
        row = rows.get(q["id"])
        is_written = q["kind"] == WRITTEN
        if row is None:
            chosen: set[int] = set()
            is_correct = awarded = None
            text = marker_feedback = ""
            answered = marked = False
        else:
            answer_id, selected, answer_text, row_awarded, row_correct = row
            chosen = set(selected)
            is_correct = None if marking else row_correct
            awarded = None if marking else row_awarded
            text = answer_text if is_written else ""
            answered = bool(answer_text.strip()) if is_written else bool(chosen)
            marked = is_written and row_awarded is not None and not marking
            marker_feedback = feedback.get(answer_id, "") if is_written else ""
        if is_correct is False and not is_written:
            wrong += 1
        answered_count += answered
        questions.append(
            review_question(
                number=number,
                q=q,
                chosen=chosen,
                awarded=awarded,
                is_correct=is_correct,
                answered=answered,
                show_answers=show_answers,
                lesson_url=lesson_urls.get(q.get("lesson_slug")),
                text=text,
                marked=marked,
                marker_feedback=marker_feedback,
            )
        )
    time_taken = None
    if attempt.submitted_at:
        time_taken = attempt.submitted_at - attempt.started_at
    timed_out = attempt_timed_out(
        close_reason=attempt.close_reason,
        deadline=attempt.deadline,
        submitted_at=attempt.submitted_at,
    )
    return ResultPage(
        attempt=attempt,
        show_questions=show_questions,
        show_answers=show_answers,
        questions=tuple(questions) if show_questions else (),
        time_taken=time_taken,
        practice_wrong_count=wrong,
        topic_scores=attempt.topic_scores,
        question_count=len(entries),
        answered_count=answered_count,
        timed_out=timed_out,
        time_ran_out_at=(attempt.deadline or attempt.submitted_at) if timed_out else None,
        certified=_certified_moments(attempt=attempt, now=now),
    )
