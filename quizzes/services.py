"""Writes for quizzes: start, save, submit, close at the time limit, practise mistakes.

Every state change is a conditional UPDATE whose row count is checked
(`filter(state=IN_PROGRESS).update(...)`), so two tabs, a double click or a
replayed request can never score an attempt twice, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from quizzes import papers, signals
from quizzes.answer_rows import answer_rows, blank_answers_create
from quizzes.models import (
    ACCOMMODATION_MAX_ATTEMPTS,
    ACCOMMODATION_MAX_MINUTES,
    Accommodation,
    Attempt,
    AttemptAnswer,
    Bank,
    Question,
    Quiz,
)
from quizzes.rules import START_BLUEPRINT_SHORT
from quizzes.saving import ATTEMPT_CLOSED as ATTEMPT_CLOSED
from quizzes.saving import GRACE, SaveConflict, SaveOutcome, _rows_update, answers_write
from quizzes.saving import SAVE_STALE as SAVE_STALE
from quizzes.saving import AttemptClosed as AttemptClosed
from quizzes.saving import StaleSequence as StaleSequence
from quizzes.scoring import paper_has_written, paper_questions, paper_rules, score_attempt
from quizzes.selectors import attempt_open_get, quiz_start_check
from quizzes.written import SAVE_UNKNOWN_QUESTION, texts_validate
from trainingsite.audit import audit_record
from trainingsite.models import AuditEvent

SAVE_UNKNOWN_CHOICE = "An answer names a choice that is not part of its question."
SAVE_ONE_CHOICE_ONLY = "This question takes one answer only."
SAVE_NOT_ON_PAGE = "An answer names a question that is not on the page being saved."
PRACTICE_NOTHING_TO_PRACTISE = "There are no mistakes to practise: every answer was correct."
PRACTICE_ONLY_HELD = (
    "The questions you missed are being reviewed by an educator, so there is nothing to "
    "practise from them just now."
)
PRACTICE_ONLY_EXAM = (
    "An exam's own questions are not practised, and no practice question covers the points "
    "you missed yet: practise them in the topic quizzes."
)
PRACTICE_NOT_SUBMITTED = "Practice is available once the attempt is submitted."


ACCOMMODATION_MINUTES_RANGE = (
    f"Extra minutes must be a whole number from 0 to {ACCOMMODATION_MAX_MINUTES}."
)
ACCOMMODATION_ATTEMPTS_RANGE = (
    f"Extra attempts must be a whole number from 0 to {ACCOMMODATION_MAX_ATTEMPTS}."
)


class AttemptRefused(Exception):
    """Starting an attempt is not allowed now; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def quiz_paper_build(*, quiz: Quiz, rng: random.Random | None = None) -> dict[str, Any]:
    """Draw and freeze a paper (quizzes.papers); refuse when the blueprint cannot be filled."""
    try:
        return papers.quiz_paper_build(quiz=quiz, rng=rng)
    except papers.PaperUnfillable:
        raise AttemptRefused(START_BLUEPRINT_SHORT) from None


def attempt_create(*, user, quiz: Quiz, kind: str, paper: dict, now: datetime, **extra) -> Attempt:
    """Create an attempt of a frozen paper, with one empty answer row per question."""
    attempt = Attempt.objects.create(
        user=user, quiz=quiz, kind=kind, paper=paper, started_at=now, **extra
    )
    blank_answers_create(attempt_id=attempt.pk, question_ids=[q["id"] for q in paper["questions"]])
    return attempt


_LOOK_IT_UP: Any = object()


def attempt_start(
    *,
    user,
    quiz: Quiz,
    now: datetime | None = None,
    rng: random.Random | None = None,
    open_attempt: Attempt | None = _LOOK_IT_UP,
) -> Attempt:
    """Resume the user's open graded attempt, or start a new one if the rules allow.

    A caller that has just looked up the open attempt passes it (or None) as
    `open_attempt`; one opened meanwhile by another request is still resumed
    (the database allows one open attempt per trainee and quiz).
    Raises AttemptRefused with a message constant from quizzes.rules.
    """
    now = _now(now)
    if open_attempt is _LOOK_IT_UP:
        open_attempt = attempt_open_get(user=user, quiz=quiz)
    # Closing an expired attempt commits on its own, even if the start is refused.
    if open_attempt is not None and not attempt_close_if_expired(attempt=open_attempt, now=now):
        return open_attempt
    return _attempt_start_new(user=user, quiz=quiz, now=now, rng=rng)


@transaction.atomic
def _attempt_start_new(*, user, quiz: Quiz, now: datetime, rng: random.Random | None) -> Attempt:
    check = quiz_start_check(user=user, quiz=quiz, now=now)
    if check.refusal:
        raise AttemptRefused(check.refusal)
    deadline = None
    if quiz.time_limit_minutes:
        deadline = now + timedelta(minutes=quiz.time_limit_minutes + check.extra_minutes)
    paper = quiz_paper_build(quiz=quiz, rng=rng)
    try:
        with transaction.atomic():
            return attempt_create(
                user=user,
                quiz=quiz,
                kind=Attempt.Kind.GRADED,
                paper=paper,
                now=now,
                deadline=deadline,
            )
    except IntegrityError:
        # Another request (a double click) opened one first: resume that one.
        return Attempt.objects.select_related("quiz").open_graded().get(user=user, quiz=quiz)


def attempt_answers_validate(
    *, paper: Mapping[str, Any], answers: Mapping[int, Sequence[int]]
) -> dict[int, list[int]]:
    """Check every question and choice id against the paper; return clean answers."""
    by_id = {q["id"]: q for q in paper.get("questions", [])}
    clean: dict[int, list[int]] = {}
    for question_id, selected in answers.items():
        question = by_id.get(question_id)
        if question is None:
            raise ValidationError(SAVE_UNKNOWN_QUESTION, code="unknown_question")
        allowed = {c["id"] for c in question["choices"]}
        chosen = list(dict.fromkeys(selected))
        if any(choice_id not in allowed for choice_id in chosen):
            raise ValidationError(SAVE_UNKNOWN_CHOICE, code="unknown_choice")
        if question["kind"] != Question.Kind.MULTIPLE and len(chosen) > 1:
            raise ValidationError(SAVE_ONE_CHOICE_ONLY, code="one_choice_only")
        clean[question_id] = sorted(chosen)
    return clean


def attempt_save_answers(
    *,
    attempt: Attempt,
    answers: Mapping[int, Sequence[int]],
    sequence: int,
    now: datetime | None = None,
    only: Collection[int] | None = None,
    texts: Mapping[int, str] | None = None,
    bases: Mapping[int, Sequence[int] | str] | None = None,
) -> int:
    """Save a page of answers (question id -> choice ids); return the new sequence.

    `only` names the questions on the page being saved (a long paper is split
    into pages); questions elsewhere on the paper keep their saved answers.
    Questions of the page missing from `answers` are saved as unanswered. `bases`:
    per question, the answer the page last knew the server held (choice ids, or
    the text of a written answer); with them a page merges per question
    (quizzes/saving.py). Raises ValidationError (nothing saved) for ids not on
    the paper or not on the page, SaveConflict (a StaleSequence; the rest is
    saved) for questions changed both here and in another tab, AttemptClosed
    after the time limit. `texts`: written answers (question id -> text), None
    leaves them.
    """
    outcome = attempt_save_merge(
        attempt=attempt,
        answers=answers,
        sequence=sequence,
        now=now,
        only=only,
        texts=texts,
        bases=bases,
    )
    if outcome.conflicts:
        raise SaveConflict(outcome)
    return outcome.sequence


def attempt_save_merge(
    *,
    attempt: Attempt,
    answers: Mapping[int, Sequence[int]],
    sequence: int,
    now: datetime | None = None,
    only: Collection[int] | None = None,
    texts: Mapping[int, str] | None = None,
    bases: Mapping[int, Sequence[int] | str] | None = None,
) -> SaveOutcome:
    """attempt_save_answers, returning what happened per question instead of raising."""
    now = _now(now)
    clean = attempt_answers_validate(paper=attempt.paper, answers=answers)
    clean_texts = None if texts is None else texts_validate(paper=attempt.paper, texts=texts)
    clean_bases = _bases_validate(paper=attempt.paper, bases=bases or {})
    scope = None
    if only is not None:
        scope = frozenset(only)
        on_paper = {q["id"] for q in attempt.paper.get("questions", [])}
        if not scope <= on_paper:
            raise ValidationError(SAVE_UNKNOWN_QUESTION, code="unknown_question")
        if not clean.keys() <= scope or not (clean_texts or {}).keys() <= scope:
            raise ValidationError(SAVE_NOT_ON_PAGE, code="not_on_page")
    # Closing at the time limit commits on its own before the refusal.
    if attempt_close_if_expired(attempt=attempt, now=now):
        raise AttemptClosed
    return answers_write(
        attempt=attempt,
        clean=clean,
        sequence=sequence,
        now=now,
        scope=scope,
        texts=clean_texts,
        bases=clean_bases,
    )


def _bases_validate(
    *, paper: Mapping[str, Any], bases: Mapping[int, Sequence[int] | str]
) -> dict[int, list[int] | str]:
    """Check the bases like the answers: choice ids of their question, texts for written ones."""
    written = {q["id"] for q in paper.get("questions", []) if q["kind"] == Question.Kind.WRITTEN}
    choice_bases = {k: v for k, v in bases.items() if k not in written}
    text_bases = {k: v for k, v in bases.items() if k in written}
    if any(not isinstance(v, str) for v in text_bases.values()):
        raise ValidationError(SAVE_UNKNOWN_CHOICE, code="unknown_choice")
    if any(isinstance(v, str) for v in choice_bases.values()):
        raise ValidationError(SAVE_UNKNOWN_CHOICE, code="unknown_choice")
    clean: dict[int, list[int] | str] = dict(
        attempt_answers_validate(paper=paper, answers=choice_bases)  # type: ignore[arg-type]
    )
    clean.update(texts_validate(paper=paper, texts=text_bases) if text_bases else {})
    return clean


@transaction.atomic
def _attempt_close(*, attempt: Attempt, reason: str, closed_at: datetime) -> bool:
    """Close an open attempt and score it, once. Return False if it was already closed."""
    # A paper with written answers waits for an assessor: no score, pass or signal yet.
    marking = paper_has_written(attempt.paper)
    state = Attempt.State.MARKING if marking else Attempt.State.SUBMITTED
    closed = Attempt.objects.filter(pk=attempt.pk, state=Attempt.State.IN_PROGRESS).update(
        state=state, close_reason=reason, submitted_at=closed_at
    )
    if not closed:
        attempt.refresh_from_db()
        return False
    rows = answer_rows(attempt_id=attempt.pk)
    score = score_attempt(
        paper_questions(attempt.paper),
        {row.question_id: row.selected for row in rows},
        paper_rules(attempt.paper),
        written=[row.question_id for row in rows if row.text.strip()],
    )
    attempt.state = state
    attempt.close_reason = reason
    attempt.submitted_at = closed_at
    attempt.points = None if marking else score.points
    attempt.max_points = score.max_points
    attempt.percent = None if marking else score.percent
    # Practice rounds and review sessions: no pass, no fail reasons, no signal. An update
    # quiz is scored like a graded attempt (its receiver records the update it completes).
    practice = attempt.is_practice
    attempt.passed = None if practice or marking else score.passed
    attempt.fail_reasons = [] if practice or marking else score.fail_reasons_data()
    attempt.topic_scores = [] if marking else score.topic_scores_data()
    attempt.save(
        update_fields=["points", "max_points", "percent", "passed", "fail_reasons", "topic_scores"]
    )
    for row in rows:
        result = score.result_for(row.question_id)
        pending = result.question_id in score.pending
        row.awarded = None if pending else result.awarded
        row.is_correct = None if pending else result.is_correct
    _rows_update(rows, ["awarded", "is_correct"])
    expired = reason == Attempt.CloseReason.TIME_LIMIT
    audit_record(
        actor=None if expired else attempt.user,
        action=AuditEvent.Action.ATTEMPT_EXPIRED
        if expired
        else AuditEvent.Action.ATTEMPT_SUBMITTED,
        target=attempt,
        summary=f"{attempt.user} · {attempt.quiz} · "
        + ("awaiting marking" if marking else f"{score.percent}%"),
        details={
            "attempt": str(attempt.uuid),
            "quiz": attempt.quiz.slug,
            "kind": attempt.kind,
            "points": attempt.points,
            "max_points": score.max_points,
            "percent": attempt.percent,
            "passed": attempt.passed,
            "state": state,
        },
    )
    if not practice and not marking:
        signals.attempt_graded.send(sender=Attempt, attempt=attempt)
    return True


@transaction.atomic
def attempt_submit(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Submit and score the attempt; submitting again returns the same, unchanged result.

    Past the deadline and its grace, the attempt closes at its time limit instead.
    """
    now = _now(now)
    if attempt_close_if_expired(attempt=attempt, now=now) or not attempt.is_open:
        return attempt
    _attempt_close(attempt=attempt, reason=Attempt.CloseReason.SUBMITTED, closed_at=now)
    return attempt


def attempt_close_if_expired(*, attempt: Attempt, now: datetime | None = None) -> bool:
    """Close and score an open attempt past its deadline and grace; True if it closed now.

    The score uses the answers saved before the deadline (saves after it are refused).
    """
    now = _now(now)
    if attempt.state != Attempt.State.IN_PROGRESS or attempt.deadline is None:
        return False
    if now <= attempt.deadline + GRACE:
        return False
    return _attempt_close(
        attempt=attempt, reason=Attempt.CloseReason.TIME_LIMIT, closed_at=attempt.deadline
    )


def attempts_close_expired(*, now: datetime | None = None, dry_run: bool = False) -> int:
    """Close every open attempt past its deadline; return how many (for cron)."""
    now = _now(now)
    expired = Attempt.objects.select_related("quiz", "user").filter(
        state=Attempt.State.IN_PROGRESS, deadline__lt=now - GRACE
    )
    if dry_run:
        return expired.count()
    closed = 0
    for attempt in expired:
        if attempt_close_if_expired(attempt=attempt, now=now):
            closed += 1
    return closed


def _practice_paper(*, quiz: Quiz, questions: list[dict], rng: random.Random) -> dict:
    questions = [dict(q, choices=list(q["choices"])) for q in questions]
    if quiz.shuffle_questions:
        rng.shuffle(questions)
    if quiz.shuffle_choices:
        for q in questions:
            if q["kind"] != Question.Kind.TRUE_FALSE:
                rng.shuffle(q["choices"])
    paper = papers.paper_frame(quiz)
    if quiz.bank == Bank.EXAM:
        # Only practice questions are left (_practice_variants): their review is open.
        paper["feedback_policy"] = Quiz.FeedbackPolicy.FULL
    paper["questions"] = questions
    return paper


def _missed_questions(*, user, quiz: Quiz, source: Attempt | None) -> list[dict]:
    """Frozen questions to practise, from one attempt or from the whole history."""
    attempts = Attempt.objects.filter(user=user, quiz=quiz, state=Attempt.State.SUBMITTED)
    if source is not None:
        attempts = attempts.filter(pk=source.pk)
    attempts = list(attempts.order_by("submitted_at", "id").only("id", "paper"))
    answers = AttemptAnswer.objects.filter(attempt__in=attempts).values_list(
        "attempt_id", "question_id", "is_correct"
    )
    correctness = {(a, q): ok for a, q, ok in answers}
    # Walk attempts oldest first: the latest answer to each question decides.
    latest: dict[int, tuple[bool, dict]] = {}
    for attempt in attempts:
        for q in attempt.paper.get("questions", []):
            ok = correctness.get((attempt.id, q["id"]))
            if ok is not None and q["kind"] != Question.Kind.WRITTEN:
                latest[q["id"]] = (ok, q)
    return [q for ok, q in latest.values() if not ok]


def _variant_pool(*, quiz: Quiz, groups: set[str]) -> list[dict]:
    """Practice questions a missed point may be practised with, as paper entries.

    A practice quiz's own pool; for an exam, the practice bank's drawable questions
    of the missed points' groups (its own questions are never practised).
    """
    if quiz.bank == Bank.PRACTICE:
        return papers.quiz_pool(quiz)
    if not groups:
        return []
    return [
        papers.paper_question(question)
        for question in Question.objects.drawable()
        .practice()
        .filter(variant_group__in=groups)
        .select_related("topic", "lesson")
        .prefetch_related("choices")
        .order_by("key")
    ]


def _practice_variants(*, quiz: Quiz, missed: list[dict], rng: random.Random) -> list[dict]:
    """Swap each missed question of a variant group for another variant, where one exists.

    The variant is a drawable practice question in the same group (from the
    quiz's pool, or for an exam from the practice bank), not itself missed and
    not already in the round; otherwise the missed question stays, so the point
    is practised either way. A missed question now held for review, or from the
    exam bank, is never practised: another variant takes its place, or it is
    left out (its key may be wrong; an exam's answers stay the exam's).
    """
    unpractisable = set(
        Question.objects.filter(pk__in=[q["id"] for q in missed])
        .filter(Q(needs_review=True) | ~Q(bank=Bank.PRACTICE))
        .values_list("pk", flat=True)
    )
    groups = {q["variant_group"] for q in missed if q.get("variant_group")}
    if not unpractisable and not groups:
        return missed
    pool = _variant_pool(quiz=quiz, groups=groups)
    taken = {q["id"] for q in missed}
    questions = []
    for question in missed:
        group = question.get("variant_group")
        variants = [
            p for p in pool if group and p.get("variant_group") == group and p["id"] not in taken
        ]
        if variants:
            question = rng.choice(variants)
            taken.add(question["id"])
        elif question["id"] in unpractisable:
            continue
        questions.append(question)
    return questions


@transaction.atomic
def practice_start_from_mistakes(
    *,
    user,
    quiz: Quiz,
    source: Attempt | None = None,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> Attempt:
    """Start a practice round of the questions answered wrongly.

    With `source`, the mistakes of that attempt; without, every question missed
    in this quiz and not answered correctly since. An open round from the same
    source is resumed instead. Practice rounds never count toward pass marks,
    attempt limits or certification.
    """
    now = _now(now)
    if source is not None and source.state != Attempt.State.SUBMITTED:
        raise AttemptRefused(PRACTICE_NOT_SUBMITTED)
    # A second click while a round from the same source is open resumes that round.
    # Two clicks at once: on PostgreSQL the second waits on this per-trainee lock,
    # then finds the first one's round.
    get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    open_round = (
        Attempt.objects.select_related("quiz")
        .filter(
            user=user,
            quiz=quiz,
            kind=Attempt.Kind.PRACTICE,
            state=Attempt.State.IN_PROGRESS,
            source_attempt=source,
        )
        .order_by("-started_at", "-id")
        .first()
    )
    if open_round is not None:
        return open_round
    missed = _missed_questions(user=user, quiz=quiz, source=source)
    if not missed:
        raise AttemptRefused(PRACTICE_NOTHING_TO_PRACTISE)
    rng = rng or random.SystemRandom()
    missed = _practice_variants(quiz=quiz, missed=missed, rng=rng)
    if not missed:
        raise AttemptRefused(PRACTICE_ONLY_EXAM if quiz.bank == Bank.EXAM else PRACTICE_ONLY_HELD)
    paper = _practice_paper(quiz=quiz, questions=missed, rng=rng)
    return attempt_create(
        user=user,
        quiz=quiz,
        kind=Attempt.Kind.PRACTICE,
        paper=paper,
        now=now,
        source_attempt=source,
    )


def accommodation_problems(*, extra_minutes: int, extra_attempts: int) -> dict[str, str]:
    """Return field -> message for amounts outside the allowed ranges (empty when fine)."""
    problems = {}
    if not 0 <= extra_minutes <= ACCOMMODATION_MAX_MINUTES:
        problems["extra_minutes"] = ACCOMMODATION_MINUTES_RANGE
    if not 0 <= extra_attempts <= ACCOMMODATION_MAX_ATTEMPTS:
        problems["extra_attempts"] = ACCOMMODATION_ATTEMPTS_RANGE
    return problems


@transaction.atomic
def accommodation_grant(
    *,
    quiz: Quiz,
    trainee,
    extra_minutes: int,
    extra_attempts: int,
    by,
    note: str | None = None,
) -> Accommodation:
    """Grant or change one trainee's extra time and attempts at a quiz.

    The one write path for the admin (educators) and the manager page (scoped
    to the manager's cohorts by the view). Whoever changes it last is recorded.
    Extra minutes apply to attempts started afterwards; extra attempts at once.
    """
    problems = accommodation_problems(extra_minutes=extra_minutes, extra_attempts=extra_attempts)
    if problems:
        raise ValidationError(problems)
    defaults = {"extra_minutes": extra_minutes, "extra_attempts": extra_attempts, "granted_by": by}
    if note is not None:
        defaults["note"] = note
    previous = (
        Accommodation.objects.filter(user=trainee, quiz=quiz)
        .values("extra_minutes", "extra_attempts")
        .first()
    )
    accommodation, _ = Accommodation.objects.update_or_create(
        user=trainee, quiz=quiz, defaults=defaults
    )
    # The note stays out of the trail: it may describe the trainee's health.
    audit_record(
        actor=by,
        action=AuditEvent.Action.ACCOMMODATION_GRANTED,
        target=accommodation,
        summary=(
            f"{trainee.get_username()} · {quiz.title}: "
            f"+{extra_minutes} min, +{extra_attempts} attempts"
        ),
        details={
            "trainee": trainee.get_username(),
            "quiz": quiz.slug,
            "extra_minutes": extra_minutes,
            "extra_attempts": extra_attempts,
            "previous": previous,
        },
    )
    return accommodation
