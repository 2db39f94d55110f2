"""Reads for the quiz list, the quiz page, the start rules' facts and the attempt page.

Each in a constant number of queries; the result page's reads are in
quizzes/review.py, the markup of choices in quizzes/rendering.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from lessons.models import Lesson, LessonCompletion
from quizzes.answer_rows import answer_rows
from quizzes.certification.rules import (
    CertificateFacts,
    RetakeHold,
    expiring_soon_days,
    quiz_retake_hold,
)
from quizzes.cohorts.scope import trainees_for_manager
from quizzes.models import Accommodation, Attempt, AttemptAnswer, Question, Quiz, QuizQuestion
from quizzes.models.certification import Certificate, Program
from quizzes.question_images import paper_image
from quizzes.rules import (
    attempts_allowed,
    graded_standing,
    next_start_at,
    pool_short_for_review,
    start_refusal,
)
from trainingsite.content_cache import content_cached

STANDING_COLUMNS = ("state", "submitted_at", "percent", "passed")


def _graded(user) -> Q:
    """Attempt.objects.graded() as a filter across the quiz's attempts relation."""
    return Q(attempts__user=user, attempts__kind=Attempt.Kind.GRADED)


@dataclass(frozen=True)
class QuizRow:
    quiz: Quiz
    attempts_used: int
    best_percent: float | None
    passed: bool
    open_attempt_uuid: Any


def quiz_list_for_user(*, user) -> list[QuizRow]:
    """Published quizzes with the user's attempts used, best score and open attempt."""
    open_attempt = (
        Attempt.objects.open_graded().filter(user=user, quiz=OuterRef("pk")).values("uuid")[:1]
    )
    passed = Attempt.objects.graded().filter(user=user, quiz=OuterRef("pk"), passed=True)
    quizzes = (
        Quiz.objects.published()
        .select_related("topic")
        .annotate(
            attempts_used=Count("attempts", filter=_graded(user), distinct=True),
            best_percent=Max("attempts__percent", filter=_graded(user)),
            has_passed=Exists(passed),
            open_attempt_uuid=Subquery(open_attempt),
        )
        .order_by("order", "id")
    )
    return [
        QuizRow(
            quiz=quiz,
            attempts_used=quiz.attempts_used,
            best_percent=quiz.best_percent,
            passed=quiz.has_passed,
            open_attempt_uuid=quiz.open_attempt_uuid,
        )
        for quiz in quizzes
    ]


@dataclass(frozen=True)
class AssessingQuiz:
    """A published quiz that assesses a lesson, with the trainee's standing in it."""

    quiz: Quiz
    best_percent: float | None
    passed: bool
    in_progress: bool


def quizzes_assessing_lesson(*, lesson: Lesson, user) -> list[AssessingQuiz]:
    """Published quizzes that list the lesson or assess its topic, with the user's standing.

    The quizzes are the same for everyone (content cache); the user's standing
    comes from one plain query over their graded attempts at them.
    """

    def load() -> list[Quiz]:
        lists_lesson = Quiz.lessons.through.objects.filter(lesson=lesson).values("quiz_id")
        return list(
            Quiz.objects.published()
            .filter(Q(id__in=lists_lesson) | Q(topic_id=lesson.topic_id))
            .order_by("order", "id")
        )

    quizzes = content_cached(f"quizzes-assessing-lesson:{lesson.pk}", load)
    if not quizzes:
        return []
    rows_by_quiz: dict[int, list] = {quiz.pk: [] for quiz in quizzes}
    # The page shows the best score and whether a pass or an open attempt exists, which
    # graded_standing reads from state, percent and passed; the close times it also takes
    # are not needed here, and converting them was most of the query's cost per attempt.
    # Plain ids and no ordering (graded_standing counts): the cheapest form of the query.
    for quiz_id, state, percent, passed in (
        Attempt.objects.graded()
        .filter(user_id=user.pk, quiz_id__in=list(rows_by_quiz))
        .order_by()
        .values_list("quiz_id", "state", "percent", "passed")
    ):
        rows_by_quiz[quiz_id].append((state, None, percent, passed))
    result = []
    for quiz in quizzes:
        standing = graded_standing(rows_by_quiz[quiz.pk])
        result.append(
            AssessingQuiz(
                quiz=quiz,
                best_percent=standing["best"],
                passed=standing["passed"] > 0,
                in_progress=standing["open"] > 0,
            )
        )
    return result


def accommodations_for_manager(*, quiz: Quiz, manager) -> QuerySet[Accommodation]:
    """The quiz's accommodations for trainees in the manager's cohorts, by trainee name."""
    return (
        Accommodation.objects.filter(quiz=quiz, user__in=trainees_for_manager(manager))
        .select_related("user", "granted_by")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def accommodation_get(*, quiz: Quiz, trainee) -> Accommodation | None:
    return Accommodation.objects.filter(quiz=quiz, user=trainee).first()


def quiz_published_get(*, slug: str) -> Quiz | None:
    return content_cached(
        f"quiz:{slug}",
        lambda: Quiz.objects.published().select_related("topic").filter(slug=slug).first(),
    )


@dataclass(frozen=True)
class StartCheck:
    """Whether a user may start a new graded attempt, and the numbers behind it."""

    refusal: str | None
    attempts_used: int
    attempts_allowed: int | None
    extra_minutes: int
    next_start_at: datetime | None
    missing_lessons: tuple[Lesson, ...]
    has_open_attempt: bool
    question_count: int
    best_percent: float | None
    passed: bool
    awaiting_marking: int = 0  # submitted attempts whose written answers wait for a mark
    retake_hold: RetakeHold | None = None  # passed, and certified: no retake before renewal

    @property
    def attempts_left(self) -> int | None:
        if self.attempts_allowed is None:
            return None
        return max(self.attempts_allowed - self.attempts_used, 0)


def _graded_stats(*, user, quiz: Quiz) -> dict[str, Any]:
    """Everything the start rules and the quiz page need from the user's graded attempts.

    A trainee has a handful of graded attempts at a quiz: fetching four columns
    and counting here builds far faster than five filtered aggregates.
    """
    return graded_standing(
        Attempt.objects.graded().filter(user=user, quiz=quiz).values_list(*STANDING_COLUMNS)
    )


def _latest_certificates_requiring(*, user, quiz: Quiz) -> list[CertificateFacts]:
    """The user's latest certificate in each published program requiring the quiz (one query)."""
    rows = (
        Certificate.objects.filter(
            user=user,
            program__required_quizzes=quiz,
            program__status=Program.Status.PUBLISHED,
        )
        .order_by("program_id", "cycle")
        .values_list("program_id", "issued_at", "expires_at", "revoked_at")
    )
    latest = {}
    for program_id, issued_at, expires_at, revoked_at in rows:
        # Ordered by cycle: the last one seen per program is the latest.
        latest[program_id] = CertificateFacts(
            issued_at=issued_at, expires_at=expires_at, revoked=revoked_at is not None
        )
    return list(latest.values())


def _retake_hold(*, user, quiz: Quiz, stats: dict[str, Any], now: datetime) -> RetakeHold | None:
    """The certification rules' hold on a passed quiz; no query before a pass."""
    if not stats["passed"]:
        return None
    return quiz_retake_hold(
        last_passed_at=stats["last_passed"],
        certificates=_latest_certificates_requiring(user=user, quiz=quiz),
        now=now,
        expiring_soon_days=expiring_soon_days(),
    )


def quiz_start_check(*, user, quiz: Quiz, now: datetime | None = None) -> StartCheck:
    """Gather the facts the start rules need (quizzes.rules) and apply them.

    A passed quiz that a program the user is certified in requires offers no new
    attempt until that certificate's renewal opens (quizzes.certification.rules).
    """
    now = now or timezone.now()
    stats = _graded_stats(user=user, quiz=quiz)
    hold = _retake_hold(user=user, quiz=quiz, stats=stats, now=now)
    accommodation = (
        Accommodation.objects.filter(user=user, quiz=quiz)
        .values("extra_attempts", "extra_minutes")
        .first()
    ) or {"extra_attempts": 0, "extra_minutes": 0}
    prerequisites = _prerequisites(quiz)
    completed = set()
    if prerequisites:
        completed = set(
            LessonCompletion.objects.filter(
                user=user, lesson_id__in=[lesson.pk for lesson in prerequisites]
            ).values_list("lesson_id", flat=True)
        )
    missing = tuple(lesson for lesson in prerequisites if lesson.pk not in completed)
    active, drawable = _pool_counts(quiz)
    question_count = _drawn_count(quiz, drawable=drawable)
    allowed = attempts_allowed(
        max_attempts=quiz.max_attempts, extra_attempts=accommodation["extra_attempts"]
    )
    wait_until = next_start_at(
        last_closed=stats["last_closed"], retake_wait_minutes=quiz.retake_wait_minutes, now=now
    )
    has_open = stats["open"] > 0
    refusal = start_refusal(
        is_published=quiz.is_published,
        question_count=question_count,
        missing_prerequisites=len(missing),
        attempts_used=stats["used"],
        attempts_allowed=allowed,
        next_start_at=wait_until,
        has_open_attempt=has_open,
        short_for_review=pool_short_for_review(
            active=active, drawable=drawable, questions_per_attempt=quiz.questions_per_attempt
        ),
        certified_hold=hold is not None,
    )
    return StartCheck(
        refusal=refusal,
        attempts_used=stats["used"],
        attempts_allowed=allowed,
        extra_minutes=accommodation["extra_minutes"],
        next_start_at=wait_until,
        missing_lessons=missing,
        has_open_attempt=has_open,
        question_count=question_count,
        best_percent=stats["best"],
        passed=stats["passed"] > 0,
        awaiting_marking=stats["marking"],
        retake_hold=hold,
    )


def _prerequisites(quiz: Quiz) -> list[Lesson]:
    return content_cached(
        f"quiz-prerequisites:{quiz.pk}",
        lambda: list(
            Lesson.objects.filter(prerequisite_for_quizzes=quiz)
            .only("id", "slug", "title")
            .order_by("topic__order", "order", "id")
        ),
    )


def _pool_counts(quiz: Quiz) -> tuple[int, int]:
    """The quiz's active questions, and those of them not held for review."""
    counts = content_cached(
        f"quiz-pool-counts:{quiz.pk}",
        lambda: QuizQuestion.objects.filter(
            quiz=quiz, question__status="active", question__bank=quiz.bank
        ).aggregate(
            active=Count("id"), drawable=Count("id", filter=Q(question__needs_review=False))
        ),
    )
    return counts["active"], counts["drawable"]


def _drawn_count(quiz: Quiz, *, drawable: int) -> int:
    if quiz.questions_per_attempt:
        return min(drawable, quiz.questions_per_attempt)
    return drawable


@dataclass(frozen=True)
class QuizPage:
    quiz: Quiz
    check: StartCheck
    time_limit_minutes: int | None

    @property
    def best_percent(self) -> float | None:
        return self.check.best_percent

    @property
    def passed(self) -> bool:
        return self.check.passed


def quiz_page_data(*, user, quiz: Quiz, now: datetime | None = None) -> QuizPage:
    check = quiz_start_check(user=user, quiz=quiz, now=now)
    time_limit = None
    if quiz.time_limit_minutes:
        time_limit = quiz.time_limit_minutes + check.extra_minutes
    return QuizPage(quiz=quiz, check=check, time_limit_minutes=time_limit)


# Attempt pages ----------------------------------------------------------------


@dataclass(frozen=True)
class ShownChoice:
    """A choice as the trainee sees it while answering: no correctness, no feedback."""

    position: int
    text: str
    selected: bool
    image_url: str = ""
    image_alt: str = ""


@dataclass(frozen=True)
class ShownQuestion:
    number: int
    id: int
    kind: str
    prompt: str
    points: int
    critical: bool
    choices: tuple[ShownChoice, ...]
    image_url: str = ""
    image_alt: str = ""
    text: str = ""  # a written answer's saved text

    @property
    def answered(self) -> bool:
        if self.kind == Question.Kind.WRITTEN:
            return bool(self.text.strip())
        return any(c.selected for c in self.choices)


def page_count_for(*, question_count: int, per_page: int) -> int:
    """How many pages a paper of `question_count` questions takes (0 per page = one page)."""
    if per_page <= 0 or question_count <= per_page:
        return 1
    return -(-question_count // per_page)


@dataclass(frozen=True)
class NavigatorItem:
    number: int
    id: int
    page: int
    answered: bool
    current: bool


@dataclass(frozen=True)
class AttemptPage:
    """The whole paper as shown (no answer key), and which page of it is on screen."""

    attempt: Attempt
    questions: tuple[ShownQuestion, ...]
    per_page: int = 0
    page_number: int = 1

    @property
    def page_count(self) -> int:
        return page_count_for(question_count=len(self.questions), per_page=self.per_page)

    @property
    def is_paginated(self) -> bool:
        return self.page_count > 1

    def page_of(self, number: int) -> int:
        """The page on which question `number` (1-based) appears."""
        if not self.is_paginated:
            return 1
        return (number - 1) // self.per_page + 1

    @property
    def page_questions(self) -> tuple[ShownQuestion, ...]:
        if not self.is_paginated:
            return self.questions
        start = (self.page_number - 1) * self.per_page
        return self.questions[start : start + self.per_page]

    @property
    def previous_page(self) -> int | None:
        return self.page_number - 1 if self.page_number > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page_number + 1 if self.page_number < self.page_count else None

    @property
    def navigator(self) -> tuple[NavigatorItem, ...]:
        return tuple(
            NavigatorItem(
                number=q.number,
                id=q.id,
                page=self.page_of(q.number),
                answered=q.answered,
                current=self.page_of(q.number) == self.page_number,
            )
            for q in self.questions
        )

    @property
    def unanswered_items(self) -> tuple[NavigatorItem, ...]:
        """Unanswered questions across all pages, with the page each is on."""
        return tuple(item for item in self.navigator if not item.answered)

    @property
    def unanswered(self) -> int:
        return sum(1 for q in self.questions if not q.answered)


def attempt_quiz_get(*, quiz_id: int) -> Quiz:
    """An attempt's quiz, from the content cache like the quiz page's.

    What an attempt is scored by (questions, pass mark, rules) is frozen on its
    paper; the quiz itself only names it and lays the page out, so the cached
    settings serve as they do on the quiz page. A change clears the cache.
    """
    return content_cached(f"quiz-id:{quiz_id}", lambda: Quiz.objects.get(pk=quiz_id))


def attempt_for_user(*, user, uuid) -> Attempt | None:
    """The user's own attempt, or None (another user's attempt is never returned)."""
    try:
        # get(), not first(): no ORDER BY to build for a unique key.
        attempt = Attempt.objects.get(uuid=uuid, user=user)
    except Attempt.DoesNotExist:
        return None
    attempt.quiz = attempt_quiz_get(quiz_id=attempt.quiz_id)
    attempt.user = user  # known already: scoring's audit record needs no query for it
    return attempt


def attempt_open_get(*, user, quiz: Quiz) -> Attempt | None:
    """The user's graded attempt in progress at this quiz, if any."""
    attempt = Attempt.objects.open_graded().filter(user=user, quiz=quiz).first()
    if attempt is not None:
        attempt.quiz = quiz  # known already: no join to build
        attempt.user = user
    return attempt


def attempt_selected(*, attempt: Attempt) -> dict[int, list[int]]:
    return {
        question_id: selected
        for question_id, selected in AttemptAnswer.objects.filter(attempt=attempt).values_list(
            "question_id", "selected"
        )
    }


def attempt_page_data(*, attempt: Attempt, per_page: int = 0, page: int = 1) -> AttemptPage:
    """The paper without any answer key, with the saved selections (one query).

    With `per_page`, page `page` is the one on screen; every question's answered
    state is still known for the page navigator and the submit confirmation.
    """
    saved, texts = {}, {}
    for row in answer_rows(attempt_id=attempt.pk):
        saved[row.question_id] = row.selected
        texts[row.question_id] = row.text
    return attempt_page_from_paper(
        attempt=attempt, saved=saved, per_page=per_page, page=page, texts=texts
    )


def attempt_page_from_paper(
    *,
    attempt: Attempt,
    saved: dict[int, list[int]],
    per_page: int = 0,
    page: int = 1,
    texts: dict[int, str] | None = None,
) -> AttemptPage:
    """Strip the answer key from the paper: only prompts, choice texts and selections.

    A written question's model answer and marking guide never leave the paper here.
    """
    texts = texts or {}
    questions = []
    for number, q in enumerate(attempt.paper.get("questions", []), start=1):
        chosen = set(saved.get(q["id"], ()))
        questions.append(
            ShownQuestion(
                number=number,
                id=q["id"],
                kind=q["kind"],
                prompt=q["prompt"],
                points=q["points"],
                critical=q.get("critical", False),
                choices=tuple(
                    ShownChoice(
                        position=i,
                        text=c["text"],
                        selected=c["id"] in chosen,
                        image_url=paper_image(c)[0],
                        image_alt=paper_image(c)[1],
                    )
                    for i, c in enumerate(q["choices"])
                ),
                image_url=paper_image(q)[0],
                image_alt=paper_image(q)[1],
                text=texts.get(q["id"], ""),
            )
        )
    return AttemptPage(
        attempt=attempt, questions=tuple(questions), per_page=per_page, page_number=page
    )


def attempt_history(*, user, quiz: Quiz) -> QuerySet[Attempt]:
    """The user's attempts at a quiz, newest first (graded and practice)."""
    return (
        Attempt.objects.filter(user=user, quiz=quiz)
        .only(
            "uuid",
            "kind",
            "state",
            "close_reason",
            "started_at",
            "submitted_at",
            "points",
            "max_points",
            "percent",
            "passed",
            "quiz_id",
        )
        .order_by("-started_at", "-id")
    )
