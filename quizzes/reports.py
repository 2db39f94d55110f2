"""Selectors for the manager reports and the question analysis.

Every selector takes the viewing user and reads only inside the cohorts that
user manages (quizzes.cohorts). Counting, summing and grouping happen in SQL;
progress comes from the certification bulk selector; the statistics are pure
(quizzes.item_analysis). Query counts do not depend on the number of trainees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Floor, Lower, TruncMonth
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from lessons.models import LessonCompletion
from quizzes.certification_selectors import expiring_soon_days, programs_progress_bulk
from quizzes.charts import Chart, histogram_chart, monthly_chart, status_mix_chart
from quizzes.cohorts import (
    assignments_effective,
    cohorts_for_manager,
    trainee_for_manager_or_404,
    trainees_for_manager,
)
from quizzes.item_analysis import (
    ItemStats,
    ItemSums,
    QuizStats,
    bin_labels,
    group_size,
    item_statistics,
    median_window,
    quiz_statistics,
)
from quizzes.models import (
    Attempt,
    AttemptAnswer,
    Certificate,
    Choice,
    Cohort,
    CohortMembership,
    CohortProgram,
    Program,
    ProgramAssignment,
    Question,
    Quiz,
)
from quizzes.progress import ProgressStatus
from quizzes.progress_sql import (
    cohort_pairs,
    individual_pairs,
    pair_status_counts,
    pair_statuses,
)
from trainingsite.roles import user_is_educator, user_is_manager

STATUS_ORDER = [
    ProgressStatus.OVERDUE,
    ProgressStatus.EXPIRED,
    ProgressStatus.EXPIRING_SOON,
    ProgressStatus.NOT_STARTED,
    ProgressStatus.IN_PROGRESS,
    ProgressStatus.CERTIFIED,
]
CERTIFIED_STATUSES = frozenset({ProgressStatus.CERTIFIED, ProgressStatus.EXPIRING_SOON})
CHART_MONTHS = 24
# Overdue trainees named per cohort and program on the overview; the rest are one
# click away in the filtered trainees table (2,000 names cost 0.2 s to render).
OVERDUE_LIST_LIMIT = 10
PAGE_SIZE = 50
EXPORT_CHUNK = 2000

SORTS = {
    "name": "Name",
    "email": "E-mail",
    "program": "Program",
    "status": "Status",
    "due": "Due date",
    "percent": "Progress",
    "activity": "Last activity",
}
QUIZ_NOT_FOUND = "No such quiz."


# --- Effective progress -----------------------------------------------------------


@dataclass(frozen=True)
class PairProgress:
    """One trainee's progress in one assigned program, with the effective due date."""

    user_id: int
    program_id: int
    program: Program  # with required_lesson_list and required_quiz_list
    status: ProgressStatus
    due_date: date | None
    percent: int
    done: int
    required: int
    last_activity_at: datetime | None
    certificate: Certificate | None

    @property
    def status_label(self) -> str:
        return self.status.label


def _assigned_programs(users: QuerySet) -> QuerySet[Program]:
    """Programs assigned to any of the users, individually or through a cohort (a subquery)."""
    return Program.objects.filter(
        Q(pk__in=ProgramAssignment.objects.filter(user__in=users.values("pk")).values("program_id"))
        | Q(
            pk__in=CohortProgram.objects.filter(
                cohort__memberships__user__in=users.values("pk")
            ).values("program_id")
        )
    )


def progress_for_assignments(
    *, users: QuerySet, programs=None, now: datetime | None = None
) -> dict[tuple[int, int], PairProgress]:
    """Return progress for every effective assignment of the users, keyed (user id, program id).

    The certification bulk selector is the one source of truth: it applies the
    effective due date (individual or cohort, earliest wins) and the status
    rules; pairs without an assignment are left out. A fixed number of queries.
    """
    program_qs = (
        _assigned_programs(users) if programs is None else Program.objects.filter(pk__in=programs)
    )
    bulk = programs_progress_bulk(users=users, programs=program_qs, now=now)
    result = {}
    for key, item in bulk.items():
        if item.assignment is None:
            continue
        progress = item.progress
        result[key] = PairProgress(
            user_id=key[0],
            program_id=key[1],
            program=item.program,
            status=progress.status,
            due_date=item.assignment.due_date,
            percent=progress.percent,
            done=progress.done,
            required=progress.required,
            last_activity_at=progress.last_activity_at,
            certificate=item.certificate,
        )
    return result


# --- Cohort overview ----------------------------------------------------------------


@dataclass(frozen=True)
class TraineeRef:
    user_id: int
    name: str
    email: str
    due_date: date | None


@dataclass
class CohortProgramSummary:
    cohort: Cohort
    program: Program
    due_date: date | None
    counts: dict[ProgressStatus, int]
    overdue: list[TraineeRef]
    overdue_total: int = 0
    chart: Chart | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def certified(self) -> int:
        return sum(self.counts[s] for s in CERTIFIED_STATUSES)

    @property
    def completion_percent(self) -> int:
        return self.certified * 100 // self.total if self.total else 0

    @property
    def status_rows(self) -> list[tuple[ProgressStatus, int]]:
        return [(status, self.counts[status]) for status in STATUS_ORDER]


@dataclass
class Overview:
    cohorts: list[Cohort]
    summaries: list[CohortProgramSummary]
    certifications_chart: Chart
    trainee_count: int


def _name(first: str, last: str, email: str) -> str:
    return f"{first} {last}".strip() or email


def report_overview(*, user, cohort: Cohort | None = None, now=None) -> Overview:
    """Status counts, completion and overdue trainees per cohort and program.

    The statuses are decided and counted in SQL (quizzes.progress_sql, the twin
    of the pure rules): no Python object per trainee, whatever the cohort size.
    """
    now = now or timezone.now()
    cohorts_qs = cohorts_for_manager(user)
    if cohort is not None:
        cohorts_qs = cohorts_qs.filter(pk=cohort.pk)
    cohorts = list(cohorts_qs.order_by("name", "id"))
    cohort_programs = list(
        CohortProgram.objects.filter(cohort__in=cohorts_qs)
        .select_related("program")
        .order_by("cohort__name", "cohort_id", "program__name", "program_id")
    )
    users = trainees_for_manager(user, cohorts=cohorts_qs)
    window = expiring_soon_days()
    pairs = cohort_pairs(cohorts=cohorts_qs)
    found = pair_status_counts(
        pairs, listed=ProgressStatus.OVERDUE, now=now, expiring_soon_days=window
    )
    counts, overdue_rows = found.counts, found.listed
    people = {}
    if overdue_rows:
        people = {
            pk: (first, last, email)
            for pk, first, last, email in get_user_model()
            .objects.filter(pk__in={row.user_id for row in overdue_rows})
            .values_list("pk", "first_name", "last_name", "email")
        }
    overdue_by_pair: dict[tuple[int, int], list[TraineeRef]] = defaultdict(list)
    for row in overdue_rows:
        first, last, email = people[row.user_id]
        overdue_by_pair[(row.cohort_id, row.program_id)].append(
            TraineeRef(row.user_id, _name(first, last, email), email, row.due_date)
        )

    by_cohort = {c.pk: c for c in cohorts}
    summaries = []
    for cp in cohort_programs:
        pair_counts = counts.get((cp.cohort_id, cp.program_id), dict.fromkeys(ProgressStatus, 0))
        overdue = overdue_by_pair.get((cp.cohort_id, cp.program_id), [])
        overdue.sort(key=lambda t: (t.due_date or date.max, t.name.casefold()))
        summary = CohortProgramSummary(
            cohort=by_cohort[cp.cohort_id],
            program=cp.program,
            due_date=cp.due_date,
            counts=pair_counts,
            overdue=overdue[:OVERDUE_LIST_LIMIT],
            overdue_total=len(overdue),
        )
        summary.chart = status_mix_chart(
            title=f"{cp.program.name} in {summary.cohort.name}: status of {summary.total} trainees",
            segments=[(s.label, pair_counts[s], s.value) for s in STATUS_ORDER],
        )
        summaries.append(summary)
    return Overview(
        cohorts=cohorts,
        summaries=summaries,
        certifications_chart=certifications_per_month_chart(users=users, now=now),
        trainee_count=CohortMembership.objects.filter(cohort__in=cohorts_qs)
        .values("user_id")
        .distinct()
        .count(),
    )


def _month_start(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def certifications_per_month(*, users: QuerySet, now: datetime) -> list[tuple[str, int]]:
    """Certificates issued to the users per month over the last CHART_MONTHS months."""
    today = timezone.localdate(now)
    first = _month_start(today, CHART_MONTHS - 1)
    start = timezone.make_aware(datetime(first.year, first.month, 1))
    rows = (
        Certificate.objects.filter(user__in=users.values("pk"), issued_at__gte=start)
        .annotate(month=TruncMonth("issued_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {}
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime) else month
        counts[(month.year, month.month)] = row["n"]
    months = [_month_start(today, back) for back in range(CHART_MONTHS - 1, -1, -1)]
    return [(f"{m:%Y-%m}", counts.get((m.year, m.month), 0)) for m in months]


def certifications_per_month_chart(*, users: QuerySet, now: datetime) -> Chart:
    months = certifications_per_month(users=users, now=now)
    return monthly_chart(
        title=f"Certificates issued per month, last {CHART_MONTHS} months", months=months
    )


# --- Trainees table -------------------------------------------------------------------


@dataclass(frozen=True)
class TraineeFilters:
    cohort: Cohort | None = None
    program: Program | None = None
    status: str = ""
    q: str = ""
    sort: str = "name"
    descending: bool = False


@dataclass(frozen=True)
class TraineeRow:
    user_id: int
    name: str
    email: str
    cohorts: str
    program_id: int
    program_name: str
    status: ProgressStatus
    due_date: date | None
    percent: int
    done: int
    required: int
    last_activity_at: datetime | None
    best_scores: tuple[tuple[str, float], ...]
    certificate_code: str
    certificate_expires_at: datetime | None

    @property
    def status_label(self) -> str:
        return self.status.label

    @property
    def holds_certificate(self) -> bool:
        return self.status in CERTIFIED_STATUSES

    @property
    def best_scores_text(self) -> str:
        return "; ".join(f"{title}: {percent:.0f}%" for title, percent in self.best_scores)


def _filtered_users(user, filters: TraineeFilters) -> tuple[QuerySet, QuerySet]:
    cohorts = cohorts_for_manager(user)
    if filters.cohort is not None:
        cohorts = cohorts.filter(pk=filters.cohort.pk)
    users = trainees_for_manager(user, cohorts=cohorts)
    if filters.q:
        for word in filters.q.split():
            users = users.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(username__icontains=word)
            )
    return cohorts, users


def _best_scores(*, users: QuerySet, quiz_ids: set[int]) -> dict[tuple[int, int], float]:
    rows = (
        Attempt.objects.filter(
            user__in=users.values("pk"),
            quiz_id__in=quiz_ids,
            kind=Attempt.Kind.GRADED,
            state=Attempt.State.SUBMITTED,
        )
        .values("user_id", "quiz_id")
        .annotate(best=Max("percent"))
        .order_by()
    )
    return {(r["user_id"], r["quiz_id"]): r["best"] for r in rows if r["best"] is not None}


@dataclass
class _TableData:
    progress: dict[tuple[int, int], PairProgress]
    programs: dict[int, Program]
    cohort_names: dict[int, list[str]]
    best: dict[tuple[int, int], float]


def _table_data(*, filters: TraineeFilters, users: QuerySet, cohorts: QuerySet, now):
    progress = progress_for_assignments(
        users=users, programs=[filters.program.pk] if filters.program else None, now=now
    )
    if filters.status:
        progress = {k: v for k, v in progress.items() if v.status == filters.status}
    programs = {item.program_id: item.program for item in progress.values()}
    quiz_ids = {q.pk for p in programs.values() for q in p.required_quiz_list}
    cohort_names: dict[int, list[str]] = defaultdict(list)
    for user_id, name in (
        CohortMembership.objects.filter(cohort__in=cohorts, user__in=users.values("pk"))
        .order_by("cohort__name")
        .values_list("user_id", "cohort__name")
    ):
        cohort_names[user_id].append(name)
    best = _best_scores(users=users, quiz_ids=quiz_ids) if quiz_ids else {}
    return _TableData(progress=progress, programs=programs, cohort_names=cohort_names, best=best)


def _row(data: _TableData, key, first, last, email) -> TraineeRow:
    item = data.progress[key]
    program = data.programs[key[1]]
    best = tuple(
        (quiz.title, data.best[(key[0], quiz.pk)])
        for quiz in program.required_quiz_list
        if (key[0], quiz.pk) in data.best
    )
    certificate = item.certificate
    valid = certificate is not None and item.status in CERTIFIED_STATUSES
    return TraineeRow(
        user_id=key[0],
        name=_name(first, last, email),
        email=email,
        cohorts=", ".join(data.cohort_names.get(key[0], [])),
        program_id=program.pk,
        program_name=program.name,
        status=item.status,
        due_date=item.due_date,
        percent=item.percent,
        done=item.done,
        required=item.required,
        last_activity_at=item.last_activity_at,
        best_scores=best,
        certificate_code=certificate.display_code if valid else "",
        certificate_expires_at=certificate.expires_at if valid else None,
    )


def _sort_key(sort: str):
    status_rank = {status: i for i, status in enumerate(STATUS_ORDER)}
    far = datetime.max.replace(tzinfo=None)
    keys = {
        "name": lambda r: (r.name.casefold(), r.program_name.casefold()),
        "email": lambda r: (r.email.casefold(), r.program_name.casefold()),
        "program": lambda r: (r.program_name.casefold(), r.name.casefold()),
        "status": lambda r: (status_rank[r.status], r.name.casefold()),
        "due": lambda r: (r.due_date or date.max, r.name.casefold()),
        "percent": lambda r: (r.percent, r.name.casefold()),
        "activity": lambda r: (
            r.last_activity_at.replace(tzinfo=None) if r.last_activity_at else far,
            r.name.casefold(),
        ),
    }
    return keys.get(sort, keys["name"])


@dataclass
class TraineeTable:
    rows: list[TraineeRow]
    total: int
    page: int
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


SQL_SORTS = {
    "name": (Lower("first_name"), Lower("last_name"), Lower("email"), "pk"),
    "email": (Lower("email"), "pk"),
}


def report_trainees(
    *, user, filters: TraineeFilters, page: int = 1, per_page: int = PAGE_SIZE, now=None
) -> TraineeTable:
    """One row per trainee and assigned program, filtered, sorted and paginated.

    Sorted by name or e-mail without a status filter, the page is cut in SQL.
    Otherwise the statuses (and due dates, last activity) come from SQL
    (quizzes.progress_sql), the rows are sorted on those plain values and only
    the page goes through the pure rules; sorting by progress percent still
    computes every trainee in scope.
    """
    now = now or timezone.now()
    cohorts, users = _filtered_users(user, filters)
    if not filters.status and filters.sort in SQL_SORTS:
        return _trainees_page_in_sql(
            filters=filters, users=users, cohorts=cohorts, page=page, per_page=per_page, now=now
        )
    if filters.sort != "percent":
        return _trainees_page_by_status(
            filters=filters, users=users, cohorts=cohorts, page=page, per_page=per_page, now=now
        )
    data = _table_data(filters=filters, users=users, cohorts=cohorts, now=now)
    user_ids = {user_id for user_id, _ in data.progress}
    people = (
        get_user_model()
        .objects.filter(pk__in=users.values("pk"))
        .values_list("pk", "first_name", "last_name", "email")
        if user_ids
        else []
    )
    names = {pk: (first, last, email) for pk, first, last, email in people}
    rows = [_row(data, key, *names[key[0]]) for key in data.progress if key[0] in names]
    rows.sort(key=_sort_key(filters.sort), reverse=filters.descending)
    total = len(rows)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    return TraineeTable(
        rows=rows[(page - 1) * per_page : page * per_page], total=total, page=page, pages=pages
    )


def _trainees_page_in_sql(*, filters, users, cohorts, page, per_page, now) -> TraineeTable:
    assignments = assignments_effective(
        users=users, programs=[filters.program.pk] if filters.program else None
    )
    programs_of: dict[int, list[int]] = defaultdict(list)
    for user_id, program_id in assignments:
        programs_of[user_id].append(program_id)
    names = dict(
        Program.objects.filter(pk__in={p for _, p in assignments}).values_list("pk", "name")
    )
    keys = [
        (user_id, program_id)
        for user_id in users.order_by(*SQL_SORTS[filters.sort]).values_list("pk", flat=True)
        for program_id in sorted(programs_of.get(user_id, ()), key=lambda p: names[p].casefold())
    ]
    if filters.descending:
        keys.reverse()
    total = len(keys)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    page_keys = keys[(page - 1) * per_page : page * per_page]
    page_users = get_user_model().objects.filter(pk__in={k[0] for k in page_keys})
    data = _table_data(filters=filters, users=page_users, cohorts=cohorts, now=now)
    people = {
        pk: (first, last, email)
        for pk, first, last, email in page_users.values_list(
            "pk", "first_name", "last_name", "email"
        )
    }
    rows = [_row(data, key, *people[key[0]]) for key in page_keys if key in data.progress]
    return TraineeTable(rows=rows, total=total, page=page, pages=pages)


@dataclass(frozen=True)
class _SortRow:
    """What the sort keys read, for a pair whose status was decided in SQL."""

    key: tuple[int, int]
    name: str
    email: str
    program_name: str
    status: ProgressStatus
    due_date: date | None
    last_activity_at: datetime | None


def _trainees_page_by_status(*, filters, users, cohorts, page, per_page, now) -> TraineeTable:
    """Sort and page the pairs whose status SQL decided (only the filter's status, if any).

    Only the page's trainees go through the full progress computation.
    """
    programs = [filters.program.pk] if filters.program else None
    options = {
        "status": filters.status,
        "now": now,
        "expiring_soon_days": expiring_soon_days(),
        "with_activity": filters.sort == "activity",
    }
    found = {
        (row.user_id, row.program_id): row
        for base in (
            cohort_pairs(cohorts=cohorts, users=users, programs=programs),
            individual_pairs(users=users, programs=programs),
        )
        for row in pair_statuses(base, **options)
    }
    people, program_names = {}, {}
    if found:
        people = {
            pk: (first, last, email)
            for pk, first, last, email in get_user_model()
            .objects.filter(pk__in=users.values("pk"))
            .values_list("pk", "first_name", "last_name", "email")
        }
        program_names = dict(
            Program.objects.filter(pk__in={pid for _, pid in found}).values_list("pk", "name")
        )
    sort_rows = []
    for key, row in found.items():
        if key[0] not in people:
            continue
        first, last, email = people[key[0]]
        sort_rows.append(
            _SortRow(
                key=key,
                name=_name(first, last, email),
                email=email,
                program_name=program_names[key[1]],
                status=row.status,
                due_date=row.due_date,
                last_activity_at=row.last_activity_at,
            )
        )
    sort_rows.sort(key=_sort_key(filters.sort), reverse=filters.descending)
    total = len(sort_rows)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    page_keys = [r.key for r in sort_rows[(page - 1) * per_page : page * per_page]]
    page_users = get_user_model().objects.filter(pk__in={k[0] for k in page_keys})
    data = _table_data(filters=filters, users=page_users, cohorts=cohorts, now=now)
    rows = [_row(data, key, *people[key[0]]) for key in page_keys if key in data.progress]
    return TraineeTable(rows=rows, total=total, page=page, pages=pages)


def report_trainees_export(*, user, filters: TraineeFilters, now=None) -> Iterator[TraineeRow]:
    """Yield the trainees table rows (all pages, same filters) ordered by name.

    The progress facts are gathered once (a fixed number of queries); the
    trainees are then read with a server-side iterator, so the rows stream.
    """
    now = now or timezone.now()
    cohorts, users = _filtered_users(user, filters)
    data = _table_data(filters=filters, users=users, cohorts=cohorts, now=now)
    by_user: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for key in data.progress:
        by_user[key[0]].append(key)
    for keys in by_user.values():
        keys.sort(key=lambda k: data.programs[k[1]].name.casefold())
    people = (
        get_user_model()
        .objects.filter(pk__in=users.values("pk"))
        .order_by(*SQL_SORTS["name"])
        .values_list("pk", "first_name", "last_name", "email")
    )
    for pk, first, last, email in people.iterator(chunk_size=EXPORT_CHUNK):
        for key in by_user.get(pk, ()):
            yield _row(data, key, first, last, email)


# --- Trainee detail -----------------------------------------------------------------


@dataclass
class TraineeDetail:
    trainee: object
    cohorts: list[Cohort]
    programs: list[tuple[Program, PairProgress]]
    completions: list[LessonCompletion]
    attempts: list[Attempt]
    certificates: list[Certificate]


def trainee_attempts(*, trainee) -> QuerySet[Attempt]:
    return (
        Attempt.objects.filter(user=trainee)
        .select_related("quiz")
        .defer("paper", "fail_reasons", "topic_scores")
        .order_by("-started_at", "-id")
    )


def report_trainee_detail(*, user, trainee_id: int, now=None) -> TraineeDetail:
    """Everything about one trainee in the manager's cohorts (404 outside them)."""
    trainee = trainee_for_manager_or_404(user, trainee_id)
    users = get_user_model().objects.filter(pk=trainee.pk)
    progress = progress_for_assignments(users=users, now=now)
    programs = {k[1]: v.program for k, v in progress.items()}
    return TraineeDetail(
        trainee=trainee,
        cohorts=list(cohorts_for_manager(user).filter(memberships__user=trainee)),
        programs=sorted(
            ((programs[k[1]], v) for k, v in progress.items()),
            key=lambda pair: pair[0].name.casefold(),
        ),
        completions=list(
            LessonCompletion.objects.filter(user=trainee)
            .select_related("lesson")
            .order_by("completed_at", "id")
        ),
        attempts=list(trainee_attempts(trainee=trainee)),
        certificates=list(
            Certificate.objects.filter(user=trainee)
            .select_related("program")
            .order_by("-issued_at", "-id")
        ),
    )


# --- Quiz report and question analysis ----------------------------------------------


def quizzes_for_reports() -> QuerySet[Quiz]:
    return Quiz.objects.order_by("order", "id")


def quiz_for_reports_or_404(quiz_id: int) -> Quiz:
    quiz = quizzes_for_reports().filter(pk=quiz_id).first()
    if quiz is None:
        raise Http404(QUIZ_NOT_FOUND)
    return quiz


def scoped_attempts(*, user, quiz: Quiz, cohort: Cohort | None = None) -> QuerySet[Attempt]:
    """Graded, scored attempts on the quiz that the user may analyse.

    Educators (and superusers) see every attempt; a manager only the attempts
    of trainees in their cohorts (or in `cohort`, which must be theirs).
    """
    attempts = Attempt.objects.filter(
        quiz=quiz,
        kind=Attempt.Kind.GRADED,
        state=Attempt.State.SUBMITTED,
        percent__isnull=False,
    )
    if cohort is not None:
        return attempts.filter(
            user__in=trainees_for_manager(user, cohorts=Cohort.objects.filter(pk=cohort.pk)).values(
                "pk"
            )
        )
    if user.is_superuser or (user_is_educator(user) and not user_is_manager(user)):
        return attempts
    return attempts.filter(user__in=trainees_for_manager(user).values("pk"))


def report_quiz(*, user, quiz: Quiz, cohort: Cohort | None = None) -> tuple[QuizStats, Chart]:
    """Attempts, trainees, pass rate, mean and median, time taken, score distribution."""
    attempts = scoped_attempts(user=user, quiz=quiz, cohort=cohort)
    totals = attempts.aggregate(
        n=Count("id"),
        trainees=Count("user_id", distinct=True),
        passed=Count("id", filter=Q(passed=True)),
        sum_percent=Sum("percent"),
    )
    n = totals["n"]
    start, stop = median_window(n)
    middle_percents, middle_seconds = [], []
    bins: dict[int, int] = {}
    if n:
        middle_percents = list(
            attempts.order_by("percent", "id").values_list("percent", flat=True)[start:stop]
        )
        durations = attempts.annotate(
            taken=ExpressionWrapper(
                F("submitted_at") - F("started_at"), output_field=DurationField()
            )
        )
        middle_seconds = [
            d.total_seconds()
            for d in durations.order_by("taken", "id").values_list("taken", flat=True)[start:stop]
        ]
        for row in (
            attempts.annotate(bin=Floor(F("percent") / 10.0))
            .values("bin")
            .annotate(c=Count("id"))
            .order_by()
        ):
            index = min(max(int(row["bin"]), 0), 9)
            bins[index] = bins.get(index, 0) + row["c"]
    stats = quiz_statistics(
        attempts=n,
        trainees=totals["trainees"],
        passed=totals["passed"],
        sum_percent=totals["sum_percent"] or 0.0,
        median_percents=middle_percents,
        median_seconds=middle_seconds,
        bin_counts=bins,
    )
    chart = histogram_chart(
        title=f"{quiz.title}: attempts by score",
        bins=list(zip(bin_labels(), stats.distribution, strict=True)),
    )
    return stats, chart


@dataclass
class ChoiceRow:
    choice_id: int
    text: str
    is_correct: bool
    rate: float
    count: int


@dataclass
class QuestionRow:
    question: Question | None
    question_id: int
    stats: ItemStats
    choices: list[ChoiceRow]
    admin_url: str = ""


def item_sums_for_quiz(*, attempts: QuerySet[Attempt]) -> list[ItemSums]:
    """Aggregate each question's sufficient statistics in SQL (five queries)."""
    n = attempts.count()
    k = group_size(n)
    upper = lower = Q(pk__in=[])
    if k:
        upper_total, upper_id = attempts.order_by("-points", "-id").values_list("points", "id")[
            k - 1
        ]
        lower_total, lower_id = attempts.order_by("points", "id").values_list("points", "id")[k - 1]
        upper = Q(attempt__points__gt=upper_total) | Q(
            attempt__points=upper_total, attempt_id__gte=upper_id
        )
        lower = Q(attempt__points__lt=lower_total) | Q(
            attempt__points=lower_total, attempt_id__lte=lower_id
        )
    answers = AttemptAnswer.objects.filter(attempt__in=attempts.values("pk"), awarded__isnull=False)
    x = F("awarded")
    y = ExpressionWrapper(F("attempt__points") - F("awarded"), output_field=FloatField())
    rows = (
        answers.values("question_id")
        .annotate(
            n=Count("id"),
            sx=Sum(x),
            sxx=Sum(x * x, output_field=FloatField()),
            sy=Sum(y),
            syy=Sum(y * y, output_field=FloatField()),
            sxy=Sum(x * y, output_field=FloatField()),
            un=Count("id", filter=upper),
            us=Sum(x, filter=upper),
            ln=Count("id", filter=lower),
            ls=Sum(x, filter=lower),
        )
        .order_by()
    )
    choice_counts: dict[int, dict[int, int]] = defaultdict(dict)
    # Grouping by the selection itself keeps the rows few (one per distinct choice set).
    for row in answers.values("question_id", "selected").annotate(c=Count("id")).order_by():
        counts = choice_counts[row["question_id"]]
        for choice_id in row["selected"] or []:
            counts[choice_id] = counts.get(choice_id, 0) + row["c"]
    rows = list(rows)
    points = dict(
        Question.objects.filter(pk__in=[r["question_id"] for r in rows]).values_list("pk", "points")
    )
    return [
        ItemSums(
            question_id=r["question_id"],
            max_points=float(points.get(r["question_id"], 1)),
            n=r["n"],
            sum_x=r["sx"] or 0.0,
            sum_x2=r["sxx"] or 0.0,
            sum_y=r["sy"] or 0.0,
            sum_y2=r["syy"] or 0.0,
            sum_xy=r["sxy"] or 0.0,
            upper_n=r["un"],
            upper_sum_x=r["us"] or 0.0,
            lower_n=r["ln"],
            lower_sum_x=r["ls"] or 0.0,
            choice_counts=choice_counts.get(r["question_id"], {}),
        )
        for r in rows
    ]


def report_question_analysis(
    *, user, quiz: Quiz, cohort: Cohort | None = None, admin_links: bool = False
) -> list[QuestionRow]:
    """Facility, discrimination, pick rates and flags for every question answered."""
    attempts = scoped_attempts(user=user, quiz=quiz, cohort=cohort)
    sums = item_sums_for_quiz(attempts=attempts)
    questions = {
        q.pk: q
        for q in Question.objects.filter(pk__in=[s.question_id for s in sums]).prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("order", "id"))
        )
    }
    order = {
        qid: i
        for i, qid in enumerate(
            quiz.pool.order_by("order", "id").values_list("question_id", flat=True)
        )
    }
    result = []
    for item in sums:
        stats = item_statistics(item)
        question = questions.get(item.question_id)
        choices = []
        if question is not None:
            for choice in question.choices.all():
                count = item.choice_counts.get(choice.pk, 0)
                choices.append(
                    ChoiceRow(
                        choice_id=choice.pk,
                        text=choice.text,
                        is_correct=choice.is_correct,
                        rate=stats.choice_rates.get(choice.pk, 0.0),
                        count=count,
                    )
                )
        result.append(
            QuestionRow(
                question=question,
                question_id=item.question_id,
                stats=stats,
                choices=choices,
                admin_url=(
                    reverse("admin:quizzes_question_change", args=[item.question_id])
                    if admin_links
                    else ""
                ),
            )
        )
    result.sort(key=lambda r: (order.get(r.question_id, len(order)), r.question_id))
    return result
