"""A large, realistic data set for development and benchmarks (`manage.py generate_load_data`).

Trainees in cohorts with programs due on spread-out dates; over the last two
years they complete lessons, attempt quizzes (with one AttemptAnswer row per
question) and earn certificates, some of which expire or are about to. Every
row is written with bulk inserts in batches, and the same seed gives the same
data for the same day.

Generated rows are recognisable: usernames and cohort slugs start with
``load-``. Generated attempts carry an empty paper (their answers are in the
AttemptAnswer rows), so their result pages show the score without a review.
Each trainee also holds review cards (quizzes.synthetic.load_reviews), drawn from a
random stream of their own so the rest of the data stays as it was for a seed, and
stored retention days (quizzes.synthetic.load_retention: today's, six months for some).
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from lessons.models import Lesson, LessonCompletion, Topic
from quizzes.certification.codes import CODE_ALPHABET, CODE_LENGTH
from quizzes.certification.rules import add_months, certificate_expires_at, expiring_soon_days
from quizzes.models import (
    Attempt,
    AttemptAnswer,
    Certificate,
    Choice,
    Cohort,
    CohortMembership,
    CohortProgram,
    Credential,
    Program,
    ProgramAssignment,
    Question,
    Quiz,
    QuizQuestion,
    ReviewCard,
    ReviewLog,
)
from quizzes.synthetic.load_retention import retention_days_write
from quizzes.synthetic.load_reviews import review_cards_write, review_points
from trainingsite.roles import Role

PREFIX = "load-"
LOAD_PASSWORD = "load-password-2026"
BATCH = 500  # trainees written per transaction
DAYS = 730
# The benchmark's data set: 10,000 trainees each holding 60 review cards (issue 19).
REVIEW_CARDS_PER_TRAINEE = 60

ERROR_EXISTS = (
    "Load data already exists ({count} 'load-' users). Run with --replace to delete it first."
)

# Share of trainees per planned outcome; the rest are not started.
OUTCOMES = [
    ("certified", 0.38),
    ("expiring", 0.05),
    ("expired", 0.05),
    ("renewed", 0.04),
    ("in_progress", 0.28),
    ("struggling", 0.08),
]


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    points: int
    correct: tuple[int, ...]
    wrong: tuple[int, ...]
    critical: bool
    easiness: float


@dataclass(frozen=True)
class QuizSpec:
    id: int
    pass_mark: int
    draw: int | None
    questions: tuple[QuestionSpec, ...]


@dataclass(frozen=True)
class ContentSpec:
    program: Program
    lesson_ids: tuple[int, ...]
    quizzes: tuple[QuizSpec, ...]


@dataclass
class LoadResult:
    trainees: int = 0
    managers: int = 0
    cohorts: int = 0
    completions: int = 0
    attempts: int = 0
    answers: int = 0
    certificates: int = 0
    review_cards: int = 0
    review_logs: int = 0
    retention_days: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


# --- Content ----------------------------------------------------------------------


def _synthetic_content(rng: random.Random) -> Program:
    """Three lessons, four quizzes of ten questions and a 12-month program (only if none exists)."""
    topic, _ = Topic.objects.get_or_create(
        slug=f"{PREFIX}topic", defaults={"title": "Load testing topic", "order": 99}
    )
    lessons = []
    for i in range(1, 4):
        lesson, _ = Lesson.objects.get_or_create(
            slug=f"{PREFIX}lesson-{i}",
            defaults={
                "topic": topic,
                "title": f"Load lesson {i}",
                "summary": "Generated for load tests.",
                "body_markdown": "Generated for load tests.",
                "order": i,
                "status": Lesson.Status.PUBLISHED,
            },
        )
        lessons.append(lesson)
    quizzes = []
    for i in range(1, 5):
        quiz, created = Quiz.objects.get_or_create(
            slug=f"{PREFIX}quiz-{i}",
            defaults={"title": f"Load quiz {i}", "topic": topic, "status": Quiz.Status.PUBLISHED},
        )
        if created:
            for j in range(1, 11):
                question = Question.objects.create(
                    key=f"{PREFIX}q-{i}-{j:02d}", prompt=f"Load question {i}.{j}?", topic=topic
                )
                Choice.objects.bulk_create(
                    Choice(question=question, text=f"Choice {k}", is_correct=k == 0, order=k)
                    for k in range(4)
                )
                QuizQuestion.objects.create(quiz=quiz, question=question, order=j)
        quizzes.append(quiz)
    program, created = Program.objects.get_or_create(
        slug=f"{PREFIX}program",
        defaults={
            "name": "Load program",
            "status": Program.Status.PUBLISHED,
            "validity_months": 12,
        },
    )
    if created:
        program.required_lessons.set(lessons)
        program.required_quizzes.set(quizzes)
    return program


def content_spec(*, program_slug: str | None, rng: random.Random) -> ContentSpec:
    programs = Program.objects.published().order_by("name", "id")
    program = (
        programs.filter(slug=program_slug).first() if program_slug else programs.first()
    ) or _synthetic_content(rng)
    lessons = tuple(
        program.required_lessons.order_by("topic__order", "order", "id").values_list(
            "id", flat=True
        )
    )
    quiz_specs = []
    for quiz in program.required_quizzes.order_by("order", "id"):
        questions = (
            Question.objects.active()
            .filter(pool_entries__quiz=quiz)
            .prefetch_related("choices")
            .order_by("pool_entries__order", "pool_entries__id")
        )
        specs = tuple(
            QuestionSpec(
                id=q.id,
                points=q.points,
                correct=tuple(c.id for c in q.choices.all() if c.is_correct),
                wrong=tuple(c.id for c in q.choices.all() if not c.is_correct),
                critical=q.critical,
                easiness=rng.uniform(-0.25, 0.2),
            )
            for q in questions
        )
        if specs:
            quiz_specs.append(
                QuizSpec(
                    id=quiz.id,
                    pass_mark=quiz.pass_mark,
                    draw=quiz.questions_per_attempt,
                    questions=specs,
                )
            )
    return ContentSpec(program=program, lesson_ids=lessons, quizzes=tuple(quiz_specs))


# --- Planning ---------------------------------------------------------------------------


def _pick_outcome(rng: random.Random) -> str:
    roll = rng.random()
    for name, share in OUTCOMES:
        if roll < share:
            return name
        roll -= share
    return "not_started"


def _code(rng: random.Random) -> str:
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@dataclass
class HistoryWriter:
    """Collects rows for one batch of trainees and writes them in bulk (also the demo cohort's)."""

    content: ContentSpec
    rng: random.Random
    now: datetime
    result: LoadResult
    attempts: list = field(default_factory=list)  # (Attempt, [answer tuples])
    completions: list = field(default_factory=list)
    certificates: list = field(default_factory=list)

    def attempt(self, *, user_id: int, quiz: QuizSpec, at: datetime, ability: float, passed: bool):
        rng = self.rng
        questions = quiz.questions
        if quiz.draw and quiz.draw < len(questions):
            questions = rng.sample(questions, quiz.draw)
        max_points = sum(q.points for q in questions)
        for _ in range(6):
            right = [rng.random() < ability + q.easiness for q in questions]
            if passed:
                right = [r or q.critical for r, q in zip(right, questions, strict=True)]
            points = sum(q.points for q, r in zip(questions, right, strict=True) if r)
            ok = points * 100 >= quiz.pass_mark * max_points
            if ok == passed:
                break
        else:
            # Force the planned outcome: all right for a pass, the first half wrong for a fail.
            right = (
                [True] * len(questions) if passed else [i % 2 == 1 for i in range(len(questions))]
            )
            points = sum(q.points for q, r in zip(questions, right, strict=True) if r)
        answers = []
        for q, r in zip(questions, right, strict=True):
            if r:
                selected = sorted(q.correct)
            else:
                selected = [rng.choice(q.wrong)] if q.wrong else []
            answers.append((q.id, json.dumps(selected), float(q.points if r else 0), r))
        percent = round(100.0 * points / max_points, 2) if max_points else 0.0
        minutes = rng.uniform(3, 25)
        self.attempts.append(
            (
                Attempt(
                    uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                    user_id=user_id,
                    quiz_id=quiz.id,
                    kind=Attempt.Kind.GRADED,
                    state=Attempt.State.SUBMITTED,
                    close_reason=Attempt.CloseReason.SUBMITTED,
                    started_at=at,
                    submitted_at=at + timedelta(minutes=minutes),
                    sequence=len(questions),
                    paper={},
                    points=float(points),
                    max_points=float(max_points),
                    percent=percent,
                    passed=passed,
                ),
                answers,
            )
        )

    def flush(self) -> None:
        created = Attempt.objects.bulk_create([a for a, _ in self.attempts], batch_size=500)
        adapt = connection.ops.adapt_datetimefield_value
        rows = []
        for attempt, answers in zip(created, (a for _, a in self.attempts), strict=True):
            saved_at = adapt(attempt.submitted_at)
            for question_id, selected, awarded, right in answers:
                rows.append((attempt.pk, question_id, selected, "", saved_at, awarded, right, 0))
        table = "quizzes_attemptanswer"
        sql = (
            f"INSERT INTO {table} (attempt_id, question_id, selected, text, saved_at, awarded, "
            "is_correct, tries) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        )
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 5000):
                cursor.executemany(sql, rows[start : start + 5000])
        LessonCompletion.objects.bulk_create(self.completions, batch_size=1000)
        Certificate.objects.bulk_create(self.certificates, batch_size=1000)
        self.result.attempts += len(created)
        self.result.answers += len(rows)
        self.result.completions += len(self.completions)
        self.result.certificates += len(self.certificates)
        self.attempts, self.completions, self.certificates = [], [], []


def _random_time(rng: random.Random, start: datetime, end: datetime) -> datetime:
    if end <= start:
        return start
    return start + timedelta(seconds=rng.uniform(0, (end - start).total_seconds()))


def plan_trainee(w: HistoryWriter, *, user_id: int, name: str, outcome: str, extra_attempts: int):
    """Collect one trainee's history for the planned outcome into the writer (see flush)."""
    rng, now, content = w.rng, w.now, w.content
    validity = content.program.validity_months
    ability = rng.uniform(0.55, 0.97)

    def cycle(start: datetime, end: datetime, *, complete: bool, lessons_done: int | None = None):
        """Lessons then quizzes between start and end; return the finish time if complete."""
        moment = start
        span = (end - start) / (len(content.lesson_ids) + len(content.quizzes) * 2 + 1)
        lesson_ids = content.lesson_ids
        if lessons_done is not None:
            lesson_ids = lesson_ids[:lessons_done]
        for lesson_id in lesson_ids:
            moment = _random_time(rng, moment, moment + span)
            w.completions.append(
                LessonCompletion(user_id=user_id, lesson_id=lesson_id, completed_at=moment)
            )
        quizzes = content.quizzes if complete else content.quizzes[: rng.randint(0, 2)]
        for index, quiz in enumerate(quizzes):
            fails = min(int(rng.expovariate(1.6)), 3)
            for _ in range(fails):
                moment = _random_time(rng, moment, moment + span / 2)
                w.attempt(
                    user_id=user_id, quiz=quiz, at=moment, ability=ability - 0.25, passed=False
                )
            moment = _random_time(rng, moment, moment + span)
            if complete and index == len(quizzes) - 1:
                # The cycle is finished at its planned end, so that a certificate planned to be
                # expiring soon (or still valid) expires inside (or after) the rules' window.
                moment = end
            passes = complete or index < len(quizzes) - 1
            w.attempt(user_id=user_id, quiz=quiz, at=moment, ability=ability, passed=passes)
        return moment if complete else None

    def certify(at: datetime, cycle_no: int):
        expires = certificate_expires_at(issued_at=at, validity_months=validity)
        w.certificates.append(
            Certificate(
                user_id=user_id,
                program_id=content.program.pk,
                holder_name=name,
                issued_at=at,
                expires_at=expires,
                code=_code(rng),
                cycle=cycle_no,
                # As certificate_issue_if_complete does: the program's hours at issue.
                cpd_hours=content.program.cpd_hours,
                cpd_awarding_body=content.program.cpd_awarding_body,
            )
        )

    two_years_ago = now - timedelta(days=DAYS)
    months = validity or 24
    # Planned against the rules' window: "certified" expires after it, "expiring" inside it.
    window = expiring_soon_days()
    if outcome in ("certified", "expiring", "expired", "renewed"):
        if outcome == "certified":
            finish = _random_time(
                rng,
                max(two_years_ago, add_months(now, -months) + timedelta(days=window + 5)),
                now - timedelta(days=2),
            )
        elif outcome == "expiring":
            finish = add_months(now, -months) + timedelta(days=rng.uniform(2, max(2, window - 2)))
        else:
            finish = add_months(now, -months) - timedelta(days=rng.uniform(5, 90))
        start = finish - timedelta(days=rng.uniform(3, 60))
        done = cycle(start, finish, complete=True)
        # Issued once the last attempt is submitted (attempts take at most 25 minutes).
        certify(done + timedelta(minutes=30), 1)
        if outcome == "renewed":
            renew_start = add_months(done, months) - timedelta(days=rng.uniform(1, 25))
            renew_start = min(renew_start, now - timedelta(days=3))
            second = renew_start
            for quiz in content.quizzes:
                second = _random_time(rng, second, second + timedelta(days=1))
                w.attempt(user_id=user_id, quiz=quiz, at=second, ability=ability, passed=True)
            certify(second + timedelta(minutes=30), 2)
    elif outcome in ("in_progress", "struggling"):
        start = _random_time(rng, two_years_ago, now - timedelta(days=5))
        end = _random_time(rng, start, now - timedelta(hours=1))
        if outcome == "struggling":
            ability = rng.uniform(0.3, 0.55)
        cycle(start, end, complete=False, lessons_done=rng.randint(0, len(content.lesson_ids)))
    # Extra graded attempts (retakes and early tries) to reach the requested total.
    if content.quizzes and outcome != "not_started":
        for _ in range(extra_attempts):
            quiz = rng.choice(content.quizzes)
            at = _random_time(rng, two_years_ago, now - timedelta(hours=1))
            w.attempt(user_id=user_id, quiz=quiz, at=at, ability=ability - 0.2, passed=False)


def _essential_attempts(outcome: str, quizzes: int) -> float:
    """Rough mean of the attempts an outcome writes before extras (for spreading extras)."""
    base = {"certified": 1.3, "expiring": 1.3, "expired": 1.3, "renewed": 2.3}
    if outcome in base:
        return base[outcome] * quizzes
    if outcome in ("in_progress", "struggling"):
        return 1.3
    return 0


# --- The service ------------------------------------------------------------------------


def load_data_delete() -> int:
    """Delete the generated rows (users and cohorts whose names start with 'load-')."""
    User = get_user_model()
    users = User.objects.filter(username__startswith=PREFIX)
    count = users.count()
    with transaction.atomic():
        ReviewLog.objects.filter(card__user__in=users)._raw_delete(connection.alias)
        ReviewCard.objects.filter(user__in=users)._raw_delete(connection.alias)
        AttemptAnswer.objects.filter(attempt__user__in=users)._raw_delete(connection.alias)
        Attempt.objects.filter(user__in=users)._raw_delete(connection.alias)
        LessonCompletion.objects.filter(user__in=users)._raw_delete(connection.alias)
        Credential.objects.filter(certificate__user__in=users)._raw_delete(connection.alias)
        Certificate.objects.filter(user__in=users)._raw_delete(connection.alias)
        ProgramAssignment.objects.filter(user__in=users)._raw_delete(connection.alias)
        CohortMembership.objects.filter(user__in=users)._raw_delete(connection.alias)
        Cohort.managers.through.objects.filter(user__in=users)._raw_delete(connection.alias)
        cohorts = Cohort.objects.filter(slug__startswith=PREFIX)
        CohortProgram.objects.filter(cohort__in=cohorts)._raw_delete(connection.alias)
        CohortMembership.objects.filter(cohort__in=cohorts)._raw_delete(connection.alias)
        Cohort.managers.through.objects.filter(cohort__in=cohorts)._raw_delete(connection.alias)
        cohorts._raw_delete(connection.alias)
        User.groups.through.objects.filter(user__in=users)._raw_delete(connection.alias)
        users.delete()
    return count


def load_data_generate(
    *,
    trainees: int,
    cohorts: int,
    attempts: int,
    seed: int = 2026,
    today: date | None = None,
    program_slug: str | None = None,
    progress: Callable[[str], None] | None = None,
    review_cards: int = REVIEW_CARDS_PER_TRAINEE,
) -> LoadResult:
    """Generate the data set; refuse if generated rows already exist."""
    User = get_user_model()
    existing = User.objects.filter(username__startswith=PREFIX).count()
    if existing:
        raise ValueError(ERROR_EXISTS.format(count=existing))
    rng = random.Random(seed)
    review_rng = random.Random(seed + 19)
    retention_rng = random.Random(seed + 23)
    today = today or timezone.localdate()
    now = timezone.make_aware(datetime(today.year, today.month, today.day, 12, 0))
    result = LoadResult()
    say = progress or (lambda message: None)

    with transaction.atomic():
        content = content_spec(program_slug=program_slug, rng=rng)
        points = review_points(count=review_cards) if review_cards else []
        password = make_password(LOAD_PASSWORD)
        manager_group = Group.objects.get(name=Role.MANAGER)
        trainee_group = Group.objects.get(name=Role.TRAINEE)
        managers = User.objects.bulk_create(
            [
                User(
                    username=f"{PREFIX}manager-{i:02d}",
                    first_name="Load",
                    last_name=f"Manager {i:02d}",
                    email=f"{PREFIX}manager-{i:02d}@example.org",
                    password=password,
                )
                for i in range(cohorts + 1)
            ]
        )
        # load-manager-00 manages every cohort; the others one each.
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=m.pk, group_id=manager_group.pk) for m in managers
        )
        cohort_rows = Cohort.objects.bulk_create(
            [
                Cohort(name=f"Load cohort {i:02d}", slug=f"{PREFIX}cohort-{i:02d}")
                for i in range(1, cohorts + 1)
            ]
        )
        Cohort.managers.through.objects.bulk_create(
            [Cohort.managers.through(cohort_id=c.pk, user_id=managers[0].pk) for c in cohort_rows]
            + [
                Cohort.managers.through(cohort_id=c.pk, user_id=managers[i + 1].pk)
                for i, c in enumerate(cohort_rows)
            ]
        )
        # Two cohorts in five are past their due date: their unfinished trainees are overdue.
        CohortProgram.objects.bulk_create(
            CohortProgram(
                cohort_id=c.pk,
                program_id=content.program.pk,
                due_date=today
                + timedelta(days=-rng.randint(5, 300) if i % 5 < 2 else rng.randint(10, 240)),
            )
            for i, c in enumerate(cohort_rows)
        )
    result.managers = len(managers)
    result.cohorts = len(cohort_rows)
    say(f"Content: {content.program.name}; {len(content.quizzes)} quizzes. Cohorts created.")

    plans = [_pick_outcome(rng) for _ in range(trainees)]
    essential = sum(_essential_attempts(p, len(content.quizzes)) for p in plans)
    active = [i for i, p in enumerate(plans) if p != "not_started"]
    extra_total = max(0, int(attempts - essential))
    extras = [0] * trainees
    for _ in range(extra_total if active else 0):
        extras[rng.choice(active)] += 1
    for outcome in plans:
        result.outcomes[outcome] = result.outcomes.get(outcome, 0) + 1

    for start in range(0, trainees, BATCH):
        stop = min(start + BATCH, trainees)
        with transaction.atomic():
            users = User.objects.bulk_create(
                [
                    User(
                        username=f"{PREFIX}trainee-{i:05d}",
                        first_name=f"Trainee{i:05d}",
                        last_name=rng.choice(SURNAMES),
                        email=f"{PREFIX}trainee-{i:05d}@example.org",
                        password=password,
                        date_joined=now - timedelta(days=rng.uniform(0, DAYS)),
                    )
                    for i in range(start, stop)
                ]
            )
            User.groups.through.objects.bulk_create(
                User.groups.through(user_id=u.pk, group_id=trainee_group.pk) for u in users
            )
            CohortMembership.objects.bulk_create(
                CohortMembership(cohort_id=cohort_rows[i % len(cohort_rows)].pk, user_id=u.pk)
                for i, u in zip(range(start, stop), users, strict=True)
            )
            writer = HistoryWriter(content=content, rng=rng, now=now, result=result)
            for i, user in zip(range(start, stop), users, strict=True):
                plan_trainee(
                    writer,
                    user_id=user.pk,
                    name=f"{user.first_name} {user.last_name}",
                    outcome=plans[i],
                    extra_attempts=extras[i],
                )
            writer.flush()
            cards, logs = review_cards_write(
                user_ids=[u.pk for u in users], points=points, rng=review_rng, now=now
            )
            result.review_cards += cards
            result.review_logs += logs
            result.retention_days += retention_days_write(
                user_ids=[u.pk for u in users], rng=retention_rng, now=now
            )
        result.trainees += len(users)
        say(f"  {result.trainees} trainees, {result.attempts} attempts")
    # Fresh statistics, or the query planners guess wrong on tables that grew this fast.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return result


SURNAMES = [
    "Adeyemi", "Bianchi", "Chen", "Dubois", "Evans", "Fischer", "Garcia", "Haddad", "Ivanova",
    "Jensen", "Kowalski", "Lopez", "Murphy", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi",
    "Silva", "Tanaka", "Usman", "Varga", "Walsh", "Xu", "Yilmaz", "Zhang",
]  # fmt: skip
