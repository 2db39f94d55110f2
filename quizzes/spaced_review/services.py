"""Writes for spaced review: cards from activity, a session's start and finish, the settings.

Cards come from the practice bank only. A practice check rates its point (right Good,
wrong Again); a graded attempt of a practice quiz rates the answers not checked on the
way; a graded exam rates its misses as Again, but only for points a practice-bank
variant covers, and the card shows that variant (an exam's own questions never reach
practice). Every write is in the activity's own transaction (the receivers are called
inside it) and takes a fixed number of queries however many points it rates.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from quizzes import papers
from quizzes import services as engine
from quizzes.models import (
    REVIEW_QUIZ_SLUG,
    Attempt,
    AttemptAnswer,
    Bank,
    Question,
    Quiz,
    ReviewCard,
    ReviewLog,
    ReviewPreference,
)
from quizzes.spaced_review.retention_days import retention_day_refresh
from quizzes.spaced_review.rules import (
    RATING_AGAIN,
    STATE_REVIEW,
    MemoryState,
    memory_review,
    point_key,
    rating_for,
    session_deadline,
    session_size,
    variant_pick,
)

REVIEW_QUIZ_TITLE = "Spaced review"
REVIEW_QUIZ_DESCRIPTION = (
    "Holds the trainees' spaced-review sessions (drawn from the practice bank by the "
    "scheduler). Leave it as a draft with an empty pool: it is never listed or taken."
)
NOTHING_DUE = "Nothing is due for review just now: your next review is on the review page."
NOTHING_TO_SHOW = (
    "The questions due for review are being revised by an educator just now, so there is "
    "nothing to review yet. Try again later."
)
# Cards read to fill one session: some may have no question to show (held for review).
FILL_FACTOR = 3
# Demo reviews: practised this long ago, so that they are due when the demo starts.
DEMO_PRACTISED_DAYS_AGO = 6

_CARD_FIELDS = [
    "question",
    "topic",
    "critical",
    "state",
    "step",
    "stability",
    "difficulty",
    "due",
    "last_review",
    "reps",
    "lapses",
]


class ReviewRefused(Exception):
    """A session cannot start now; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PointMet:
    """One point met in an activity: the practice question that stands for it, and the outcome."""

    point: str
    question_id: int
    topic_id: int
    critical: bool
    correct: bool


def point_met_from_entry(entry: Mapping[str, Any], *, correct: bool) -> PointMet:
    """A practice-bank question of a paper, as the point it tests."""
    return PointMet(
        point=point_key(question_id=entry["id"], variant_group=entry.get("variant_group", "")),
        question_id=entry["id"],
        topic_id=entry["topic_id"],
        critical=bool(entry.get("critical")),
        correct=correct,
    )


def _memory(card: ReviewCard) -> MemoryState | None:
    if card.pk is None:
        return None
    return MemoryState(
        state=card.state,
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def _merged(met: Iterable[PointMet]) -> dict[str, PointMet]:
    """One outcome per point: a miss of any of its questions is a miss."""
    merged: dict[str, PointMet] = {}
    for item in met:
        before = merged.get(item.point)
        if before is not None and not before.correct:
            continue
        merged[item.point] = item
    return merged


def review_cards_record(
    *,
    user_id: int,
    met: Sequence[PointMet],
    source: str,
    at: datetime,
    attempt: Attempt | None = None,
) -> list[ReviewCard]:
    """Rate and reschedule each point met, creating its card on first meeting.

    Three queries whatever the number of points: the trainee's cards for them, one
    upsert (a card made meanwhile by another request is updated, never duplicated) and
    the log rows.
    """
    merged = _merged(met)
    if not merged:
        return []
    cards = {
        card.point: card
        for card in ReviewCard.objects.filter(user_id=user_id, point__in=list(merged))
    }
    logs = []
    for point, item in merged.items():
        card = cards.get(point) or ReviewCard(user_id=user_id, point=point, reps=0, lapses=0)
        # The due moment this rating answers: the retention measure's "done in time"
        # reads it from this row instead of looking up the card's previous log.
        due_before = card.due if card.pk is not None else None
        rating = rating_for(correct=item.correct)
        critical = item.critical or card.critical
        memory = memory_review(
            memory=_memory(card),
            rating=rating,
            at=at,
            critical=critical,
            normal_days=settings.REVIEW_MAX_INTERVAL_DAYS,
            critical_days=settings.REVIEW_CRITICAL_MAX_INTERVAL_DAYS,
        )
        if card.pk is not None and card.state == STATE_REVIEW and rating == RATING_AGAIN:
            card.lapses += 1
        card.reps += 1
        card.question_id = item.question_id
        card.topic_id = item.topic_id
        card.critical = critical
        card.state = memory.state
        card.step = memory.step
        card.stability = memory.stability
        card.difficulty = memory.difficulty
        card.due = memory.due
        card.last_review = memory.last_review
        cards[point] = card
        logs.append((card, rating, item.question_id, due_before))
    rows = [cards[point] for point in merged]
    for card in rows:
        # One INSERT ... ON CONFLICT for new and known cards alike: the database answers
        # each row's id, and a card made meanwhile by another request is updated.
        card.pk = None
    saved = ReviewCard.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["user", "point"],
        update_fields=_CARD_FIELDS,
    )
    ReviewLog.objects.bulk_create(
        ReviewLog(
            card=card,
            rating=rating,
            source=source,
            attempt=attempt,
            question_id=question_id,
            reviewed_at=at,
            due_before=due_before,
            due_after=card.due,
        )
        for card, rating, question_id, due_before in logs
    )
    return saved


def _practice_variants(groups: set[str]) -> dict[str, list[tuple[int, int, bool]]]:
    """Per variant group: its drawable practice questions (id, topic, critical), by key."""
    if not groups:
        return {}
    found: dict[str, list[tuple[int, int, bool]]] = {}
    rows = (
        Question.objects.drawable()
        .practice()
        .exclude(kind=Question.Kind.WRITTEN)
        .filter(variant_group__in=groups)
        .order_by("key")
        .values_list("variant_group", "id", "topic_id", "critical")
    )
    for group, question_id, topic_id, critical in rows:
        found.setdefault(group, []).append((question_id, topic_id, critical))
    return found


def _exam_points_missed(missed: Sequence[Mapping[str, Any]]) -> list[PointMet]:
    """An exam's missed points that a practice variant covers, each shown by that variant."""
    variants = _practice_variants({q["variant_group"] for q in missed if q.get("variant_group")})
    met = []
    for entry in missed:
        found = variants.get(entry.get("variant_group") or "")
        if not found:
            continue  # the exam's own question is never practised
        question_id, topic_id, critical = found[0]
        met.append(
            PointMet(
                point=point_key(question_id=entry["id"], variant_group=entry["variant_group"]),
                question_id=question_id,
                topic_id=topic_id,
                critical=critical or bool(entry.get("critical")),
                correct=False,
            )
        )
    return met


def _answers_rated(*, attempt_id: int) -> list[tuple[int, bool | None, bool, bool, bool]]:
    """Each answer of the attempt: question, correct, checked, attempt rated, question rated.

    One plain statement (the review log is indexed on attempt and question): built
    through the ORM, its two EXISTS subqueries cost more in Python than the rest of
    the rating together. Booleans come back as 0/1 from SQLite, so they are made bool.
    """
    answer, log = AttemptAnswer._meta, ReviewLog._meta
    connection = connections[router.db_for_read(AttemptAnswer)]
    quote = connection.ops.quote_name

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    answers, logs = quote(answer.db_table), quote(log.db_table)
    rated = (
        f"SELECT 1 FROM {logs} l WHERE l.{column(log, 'attempt')} = a.{column(answer, 'attempt')}"
    )
    sql = (
        f"SELECT a.{column(answer, 'question')}, a.{column(answer, 'is_correct')},"
        f" a.{column(answer, 'checked_at')} IS NOT NULL, EXISTS({rated}),"
        f" EXISTS({rated} AND l.{column(log, 'question')} = a.{column(answer, 'question')})"
        f" FROM {answers} a WHERE a.{column(answer, 'attempt')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [attempt_id])
        rows = cursor.fetchall()
    return [
        (question_id, None if correct is None else bool(correct), bool(checked), bool(a), bool(q))
        for question_id, correct, checked, a, q in rows
    ]


def review_cards_from_attempt(*, attempt: Attempt) -> list[ReviewCard]:
    """Rate the points of a scored graded attempt (attempt_graded's receiver calls this).

    An exam: its misses, as Again, where a practice variant exists. A practice quiz: the
    answers that were not checked on the way (a check has rated those already). Sent
    again for the same attempt (a regrade or a re-mark that made it a pass), nothing.
    """
    rows = _answers_rated(attempt_id=attempt.pk)
    entries = {
        q["id"]: q
        for q in attempt.paper.get("questions", [])
        if q.get("kind") != Question.Kind.WRITTEN
    }
    at = attempt.submitted_at or timezone.now()
    if attempt.quiz.bank == Bank.EXAM:
        if not rows or rows[0][3]:
            return []
        missed = [entries[row[0]] for row in rows if row[1] is False and row[0] in entries]
        met = _exam_points_missed(missed) if missed else []
        source = ReviewLog.Source.EXAM
    else:
        met = [
            point_met_from_entry(entries[qid], correct=bool(ok))
            for qid, ok, checked, _, rated in rows
            if qid in entries and ok is not None and not checked and not rated
        ]
        source = ReviewLog.Source.PRACTICE
    return review_cards_record(
        user_id=attempt.user_id, met=met, source=source, at=at, attempt=attempt
    )


def review_card_from_check(
    *, attempt: Attempt, question: Mapping[str, Any], is_correct: bool, checked_at: datetime
) -> list[ReviewCard]:
    """Rate the point of a question checked in practice or in a review session."""
    if question.get("kind") == Question.Kind.WRITTEN:
        return []
    source = (
        ReviewLog.Source.REVIEW
        if attempt.kind == Attempt.Kind.REVIEW
        else ReviewLog.Source.PRACTICE
    )
    return review_cards_record(
        user_id=attempt.user_id,
        met=[point_met_from_entry(question, correct=is_correct)],
        source=source,
        at=checked_at,
        attempt=attempt,
    )


def review_quiz_get() -> Quiz:
    """The draft quiz that review sessions belong to (an attempt needs a quiz)."""
    quiz, _created = Quiz.objects.get_or_create(
        slug=REVIEW_QUIZ_SLUG,
        defaults={
            "title": REVIEW_QUIZ_TITLE,
            "description": REVIEW_QUIZ_DESCRIPTION,
            "bank": Bank.PRACTICE,
            "status": Quiz.Status.DRAFT,
            "practice_behaviour": Quiz.PracticeBehaviour.IMMEDIATE,
            "feedback_policy": Quiz.FeedbackPolicy.FULL,
            "shuffle_questions": False,
            "shuffle_choices": True,
            "pass_mark": 0,
            "order": 100_000,
        },
    )
    return quiz


def review_session_open(*, user) -> Attempt | None:
    """The trainee's review session in progress, if any (one at most: a constraint)."""
    return (
        Attempt.objects.select_related("quiz")
        .filter(user=user, kind=Attempt.Kind.REVIEW, state=Attempt.State.IN_PROGRESS)
        .first()
    )


def _shown_questions(cards: Sequence[ReviewCard], rng: random.Random) -> list[dict]:
    """A question for each card, another variant of its point where one exists (two queries)."""
    groups = {card.point.split(":", 1)[1] for card in cards if card.point.startswith("group:")}
    lone = {card.question_id for card in cards if not card.point.startswith("group:")}
    pool = list(
        Question.objects.drawable()
        .practice()
        .exclude(kind=Question.Kind.WRITTEN)
        .filter(Q(variant_group__in=groups) | Q(pk__in=lone))
        .select_related("topic", "lesson")
        .prefetch_related("choices")
        .order_by("key")
    )
    by_id = {question.pk: question for question in pool}
    by_group: dict[str, list[int]] = {}
    for question in pool:
        if question.variant_group:
            by_group.setdefault(question.variant_group, []).append(question.pk)
    shown = []
    for card in cards:
        if card.point.startswith("group:"):
            candidates = by_group.get(card.point.split(":", 1)[1], [])
        else:
            candidates = [card.question_id] if card.question_id in by_id else []
        picked = variant_pick(candidates=candidates, last_shown=card.question_id, rng=rng)
        if picked is not None:
            shown.append(papers.paper_question(by_id[picked]))
    return shown


def _session_paper(*, quiz: Quiz, questions: list[dict], rng: random.Random) -> dict:
    for entry in questions:
        if entry["kind"] != Question.Kind.TRUE_FALSE:
            rng.shuffle(entry["choices"])
    paper = papers.paper_frame(quiz)
    paper["feedback_policy"] = Quiz.FeedbackPolicy.FULL
    paper["questions"] = questions
    return paper


def review_session_start(
    *, user, now: datetime | None = None, rng: random.Random | None = None
) -> Attempt:
    """Resume the trainee's open review session, or start one of the cards due now.

    At most REVIEW_SESSION_ITEMS questions, closing after REVIEW_SESSION_MINUTES (never
    more than ten). Raises ReviewRefused when nothing is due or nothing due can be shown.
    """
    now = now or timezone.now()
    open_session = review_session_open(user=user)
    # An expired session closes (and commits) on its own, even if no new one can start.
    if open_session is not None and not engine.attempt_close_if_expired(
        attempt=open_session, now=now
    ):
        return open_session
    return _session_create(user=user, now=now, rng=rng or random.SystemRandom())


@transaction.atomic
def _session_create(*, user, now: datetime, rng: random.Random) -> Attempt:
    items = settings.REVIEW_SESSION_ITEMS
    cards = list(
        ReviewCard.objects.filter(user=user, due__lte=now).order_by("due", "id")[
            : items * FILL_FACTOR
        ]
    )
    if not cards:
        raise ReviewRefused(NOTHING_DUE)
    questions = _shown_questions(cards, rng)[: session_size(due=len(cards), items=items)]
    if not questions:
        raise ReviewRefused(NOTHING_TO_SHOW)
    quiz = review_quiz_get()
    paper = _session_paper(quiz=quiz, questions=questions, rng=rng)
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                user=user,
                quiz=quiz,
                kind=Attempt.Kind.REVIEW,
                paper=paper,
                started_at=now,
                deadline=session_deadline(start=now, minutes=settings.REVIEW_SESSION_MINUTES),
            )
    except IntegrityError:
        # Another request (a double click) started one first: that one is resumed.
        return review_session_open(user=user)
    AttemptAnswer.objects.bulk_create(
        AttemptAnswer(attempt=attempt, question_id=q["id"], selected=[]) for q in questions
    )
    return attempt


def review_session_finish(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Close the session; its checks have rated the cards, and the trainee's day is stored."""
    attempt = engine.attempt_submit(attempt=attempt, now=now)
    retention_day_refresh(user_id=attempt.user_id)
    return attempt


def review_preference_set(*, user, nudges: bool) -> ReviewPreference:
    """Switch the trainee's review e-mails on or off."""
    preference, _created = ReviewPreference.objects.update_or_create(
        user=user, defaults={"nudges": nudges}
    )
    return preference


@transaction.atomic
def review_demo_seed(*, username: str, count: int = 3, now: datetime | None = None) -> int:
    """Give the demo trainee `count` practice points due for review; none if they have cards.

    Each was practised (right) DEMO_PRACTISED_DAYS_AGO days ago, so the scheduler made it
    due since. Returns how many cards were made.
    """
    now = now or timezone.now()
    user = get_user_model().objects.filter(username=username).first()
    if user is None or ReviewCard.objects.filter(user=user).exists():
        return 0
    questions = list(
        Question.objects.drawable()
        .practice()
        .exclude(kind=Question.Kind.WRITTEN)
        .filter(pool_entries__quiz__status=Quiz.Status.PUBLISHED)
        .distinct()
        .order_by("-critical", "key")
        .values("id", "variant_group", "topic_id", "critical")
    )
    met: dict[str, PointMet] = {}
    for question in questions:
        item = point_met_from_entry(question, correct=True)
        met.setdefault(item.point, item)
        if len(met) == count:
            break
    practised = now - timedelta(days=DEMO_PRACTISED_DAYS_AGO)
    cards = review_cards_record(
        user_id=user.pk, met=list(met.values()), source=ReviewLog.Source.PRACTICE, at=practised
    )
    return len(cards)
