"""Reads for the quiz pages, each in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from lessons.models import Lesson, LessonCompletion
from quizzes.cohorts.scope import trainees_for_manager
from quizzes.models import Accommodation, Attempt, AttemptAnswer, Quiz, QuizQuestion
from quizzes.question_images import image_tag, paper_image
from trainingsite.content_cache import content_cached

YOUR_ANSWER = "<strong>☑ Your answer:</strong>"
NOT_CHOSEN = "☐"
CORRECT_BADGE = ' <span class="badge text-bg-success">Correct answer</span>'
START_NOT_PUBLISHED = "This quiz is not open to trainees."
START_NO_QUESTIONS = "This quiz has no questions yet."
START_LIMIT_REACHED = "You have used all your attempts at this quiz."
START_PREREQUISITES = "Complete the required lessons before starting this quiz."
START_WAIT = "You need to wait before your next attempt at this quiz."


def _graded(user) -> Q:
    return Q(attempts__user=user, attempts__kind=Attempt.Kind.GRADED)


class HasImage:
    """Renders a question's or choice's image in Python: an include per choice is slow."""

    image_url: str
    image_alt: str

    @property
    def image_tag(self) -> str:
        return image_tag(self.image_url, self.image_alt)


@dataclass(frozen=True)
class QuizRow:
    quiz: Quiz
    attempts_used: int
    best_percent: float | None
    passed: bool
    open_attempt_uuid: Any


def quiz_list_for_user(*, user) -> list[QuizRow]:
    """Published quizzes with the user's attempts used, best score and open attempt."""
    open_attempt = Attempt.objects.filter(
        user=user,
        quiz=OuterRef("pk"),
        kind=Attempt.Kind.GRADED,
        state=Attempt.State.IN_PROGRESS,
    ).values("uuid")[:1]
    passed = Attempt.objects.filter(
        user=user, quiz=OuterRef("pk"), kind=Attempt.Kind.GRADED, passed=True
    )
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
    for quiz_id, *row in Attempt.objects.filter(
        user=user, quiz__in=quizzes, kind=Attempt.Kind.GRADED
    ).values_list("quiz_id", *STANDING_COLUMNS):
        rows_by_quiz[quiz_id].append(row)
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

    @property
    def attempts_left(self) -> int | None:
        if self.attempts_allowed is None:
            return None
        return max(self.attempts_allowed - self.attempts_used, 0)


def graded_standing(rows) -> dict[str, Any]:
    """Count (state, submitted_at, percent, passed) rows of graded attempts at one quiz.

    Returns attempts used, the last close time, open attempts, the best submitted
    percent and how many submitted attempts passed. Pure: no database.
    """
    stats: dict[str, Any] = {"used": 0, "last_closed": None, "open": 0, "best": None, "passed": 0}
    for state, submitted_at, percent, passed in rows:
        stats["used"] += 1
        if submitted_at is not None and (
            stats["last_closed"] is None or submitted_at > stats["last_closed"]
        ):
            stats["last_closed"] = submitted_at
        if state == Attempt.State.IN_PROGRESS:
            stats["open"] += 1
        elif state == Attempt.State.SUBMITTED:
            if percent is not None and (stats["best"] is None or percent > stats["best"]):
                stats["best"] = percent
            stats["passed"] += passed is True
    return stats


STANDING_COLUMNS = ("state", "submitted_at", "percent", "passed")


def _graded_stats(*, user, quiz: Quiz) -> dict[str, Any]:
    """Everything the start rules and the quiz page need from the user's graded attempts.

    A trainee has a handful of graded attempts at a quiz: fetching four columns
    and counting here builds far faster than five filtered aggregates.
    """
    return graded_standing(
        Attempt.objects.filter(user=user, quiz=quiz, kind=Attempt.Kind.GRADED).values_list(
            *STANDING_COLUMNS
        )
    )


def quiz_start_check(*, user, quiz: Quiz, now: datetime | None = None) -> StartCheck:
    """Apply the start rules: published, questions, prerequisites, limit, waiting time."""
    now = now or timezone.now()
    stats = _graded_stats(user=user, quiz=quiz)
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
    question_count = _drawn_count(quiz)
    allowed = None
    if quiz.max_attempts is not None:
        allowed = quiz.max_attempts + accommodation["extra_attempts"]
    next_start_at = None
    if quiz.retake_wait_minutes and stats["last_closed"] is not None:
        candidate = stats["last_closed"] + timedelta(minutes=quiz.retake_wait_minutes)
        if candidate > now:
            next_start_at = candidate

    has_open = stats["open"] > 0
    refusal = None
    if not has_open:
        if not quiz.is_published:
            refusal = START_NOT_PUBLISHED
        elif question_count == 0:
            refusal = START_NO_QUESTIONS
        elif missing:
            refusal = START_PREREQUISITES
        elif allowed is not None and stats["used"] >= allowed:
            refusal = START_LIMIT_REACHED
        elif next_start_at is not None:
            refusal = START_WAIT
    return StartCheck(
        refusal=refusal,
        attempts_used=stats["used"],
        attempts_allowed=allowed,
        extra_minutes=accommodation["extra_minutes"],
        next_start_at=next_start_at,
        missing_lessons=missing,
        has_open_attempt=has_open,
        question_count=question_count,
        best_percent=stats["best"],
        passed=stats["passed"] > 0,
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


def _drawn_count(quiz: Quiz) -> int:
    active = content_cached(
        f"quiz-active-questions:{quiz.pk}",
        lambda: QuizQuestion.objects.filter(quiz=quiz, question__status="active").count(),
    )
    if quiz.questions_per_attempt:
        return min(active, quiz.questions_per_attempt)
    return active


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
class ShownChoice(HasImage):
    """A choice as the trainee sees it while answering: no correctness, no feedback."""

    position: int
    text: str
    selected: bool
    image_url: str = ""
    image_alt: str = ""


@dataclass(frozen=True)
class ShownQuestion(HasImage):
    number: int
    id: int
    kind: str
    prompt: str
    points: int
    critical: bool
    choices: tuple[ShownChoice, ...]
    image_url: str = ""
    image_alt: str = ""

    @property
    def input_type(self) -> str:
        return "checkbox" if self.kind == "multiple" else "radio"

    @property
    def choices_html(self) -> str:
        """The question's choice inputs and labels.

        Built here rather than in the template: a dozen template variables per
        choice were most of the attempt page's render time. Ids and positions
        are numbers; the only text, the choice's, is escaped.
        """
        question_id = int(self.id)
        parts = []
        for choice in self.choices:
            position = int(choice.position)
            ident = f"q{question_id}-c{position}"
            checked = " checked" if choice.selected else ""
            parts.append(
                f'<div class="form-check"><input class="form-check-input"'
                f' type="{self.input_type}" name="q-{question_id}" value="{position}"'
                f' id="{ident}"{checked}><label class="form-check-label" for="{ident}">'
                f"{escape(choice.text)}{choice.image_tag}</label></div>"
            )
        return mark_safe("\n".join(parts))

    @property
    def answered(self) -> bool:
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


def attempt_for_user(*, user, uuid) -> Attempt | None:
    """The user's own attempt, or None (another user's attempt is never returned)."""
    try:
        # get(), not first(): no ORDER BY to build for a unique key.
        attempt = Attempt.objects.select_related("quiz").get(uuid=uuid, user=user)
    except Attempt.DoesNotExist:
        return None
    attempt.user = user  # known already: scoring's audit record needs no query for it
    return attempt


def attempt_open_get(*, user, quiz: Quiz) -> Attempt | None:
    """The user's graded attempt in progress at this quiz, if any."""
    attempt = (
        Attempt.objects.select_related("quiz")
        .filter(user=user, quiz=quiz, kind=Attempt.Kind.GRADED, state=Attempt.State.IN_PROGRESS)
        .first()
    )
    if attempt is not None:
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
    return attempt_page_from_paper(
        attempt=attempt, saved=attempt_selected(attempt=attempt), per_page=per_page, page=page
    )


def attempt_page_from_paper(
    *, attempt: Attempt, saved: dict[int, list[int]], per_page: int = 0, page: int = 1
) -> AttemptPage:
    """Strip the answer key from the paper: only prompts, choice texts and selections."""
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
            )
        )
    return AttemptPage(
        attempt=attempt, questions=tuple(questions), per_page=per_page, page_number=page
    )


# Results ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewChoice(HasImage):
    text: str
    selected: bool
    is_correct: bool | None  # None when the feedback policy hides the answers
    feedback: str
    image_url: str = ""
    image_alt: str = ""

    @property
    def html(self) -> str:
        """The choice as reviewed: built here, for the same reason as ShownQuestion's inputs."""
        if self.is_correct:
            css = "choice-correct"
        elif self.selected and self.is_correct is False:
            css = "choice-wrong"
        else:
            css = ""
        feedback = ""
        if self.feedback:
            feedback = f'<div class="small text-body-secondary ms-4">{escape(self.feedback)}</div>'
        marker = YOUR_ANSWER if self.selected else NOT_CHOSEN
        badge = CORRECT_BADGE if self.is_correct else ""
        return mark_safe(
            f'<li class="{css}">{marker} {escape(self.text)} {self.image_tag}{badge}{feedback}</li>'
        )


@dataclass(frozen=True)
class ReviewQuestion(HasImage):
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

    @property
    def choices_html(self) -> str:
        return mark_safe("\n".join(choice.html for choice in self.choices))  # each one escaped


@dataclass(frozen=True)
class ResultPage:
    attempt: Attempt
    show_questions: bool
    show_answers: bool
    questions: tuple[ReviewQuestion, ...]
    time_taken: timedelta | None
    practice_wrong_count: int
    topic_scores: list[dict[str, Any]] = field(default_factory=list)

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


def _lesson_url(slug: str | None) -> str | None:
    if not slug:
        return None
    try:
        return reverse("lessons:detail", kwargs={"slug": slug})
    except NoReverseMatch:
        return None


def attempt_result_data(*, attempt: Attempt) -> ResultPage:
    """The score and the review the quiz's feedback policy allows (one query)."""
    policy = attempt.paper.get("feedback_policy", Quiz.FeedbackPolicy.FULL)
    show_questions = policy != Quiz.FeedbackPolicy.SCORE_ONLY
    show_answers = policy == Quiz.FeedbackPolicy.FULL
    rows = {
        a.question_id: a
        for a in AttemptAnswer.objects.filter(attempt=attempt).only(
            "question_id", "selected", "awarded", "is_correct"
        )
    }
    questions = []
    wrong = 0
    entries = attempt.paper.get("questions", [])
    # A handful of lessons behind many questions: reverse each URL once.
    lesson_urls = {slug: _lesson_url(slug) for slug in {q.get("lesson_slug") for q in entries}}
    for number, q in enumerate(entries, start=1):
        row = rows.get(q["id"])
        chosen = set(row.selected) if row else set()
        is_correct = row.is_correct if row else None
        if is_correct is False:
            wrong += 1
        questions.append(
            ReviewQuestion(
                number=number,
                prompt=q["prompt"],
                kind=q["kind"],
                points=q["points"],
                awarded=row.awarded if row else None,
                is_correct=is_correct,
                answered=bool(chosen),
                critical=q.get("critical", False),
                explanation=q.get("explanation", "") if show_answers else "",
                topic_title=q.get("topic_title", ""),
                lesson_title=q.get("lesson_title", ""),
                lesson_url=lesson_urls.get(q.get("lesson_slug")),
                choices=tuple(
                    ReviewChoice(
                        text=c["text"],
                        selected=c["id"] in chosen,
                        is_correct=c["is_correct"] if show_answers else None,
                        feedback=c.get("feedback", "") if show_answers else "",
                        image_url=paper_image(c)[0],
                        image_alt=paper_image(c)[1],
                    )
                    for c in q["choices"]
                ),
                image_url=paper_image(q)[0],
                image_alt=paper_image(q)[1],
            )
        )
    time_taken = None
    if attempt.submitted_at:
        time_taken = attempt.submitted_at - attempt.started_at
    return ResultPage(
        attempt=attempt,
        show_questions=show_questions,
        show_answers=show_answers,
        questions=tuple(questions) if show_questions else (),
        time_taken=time_taken,
        practice_wrong_count=wrong,
        topic_scores=attempt.topic_scores,
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
