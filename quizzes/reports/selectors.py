"""Selectors for the manager reports and the question analysis.

Every selector takes the viewing user and reads only inside the cohorts that
user manages (quizzes.cohorts.services). The statuses of a manager's whole scope are
decided in SQL (quizzes.certification.rules_sql) into a briefly cached snapshot of plain
integers (status_snapshot), which the overview counts and the trainees table
filters, sorts and pages; the rows shown get their progress from the
certification bulk selector; the statistics are pure (quizzes.reports.item_analysis).
Query counts do not depend on the number of trainees.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connections
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
from django.db.models.functions import Floor, Lower
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from lessons.models import LessonCompletion
from quizzes.certification.rules import ProgressStatus
from quizzes.certification.rules_sql import cohort_pairs, individual_pairs, pair_status_rows
from quizzes.certification.selectors import expiring_soon_days, programs_progress_bulk
from quizzes.cohorts.scope import (
    cohorts_for_manager,
    trainee_for_manager_or_404,
    trainees_for_manager,
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
from quizzes.reports.charts import Chart, histogram_chart, monthly_chart, status_mix_chart
from quizzes.reports.item_analysis import (
    ItemStats,
    ItemSums,
    QuizStats,
    bin_labels,
    group_size,
    item_statistics,
    median_window,
    quiz_statistics,
)
from trainingsite.models import AuditEvent
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
# Up to this many cohort programs the overview shows a card for each (chart,
# overdue names); beyond, a summary table (50 cards made a 240 KB page).
OVERVIEW_CARDS_LIMIT = 6
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


def _ids(users: QuerySet | list[int]):
    """What `user__in` takes: a subquery for a QuerySet, else the list of ids as it is."""
    return users.values("pk") if isinstance(users, QuerySet) else users


def _assigned_programs(users: QuerySet | list[int]) -> QuerySet[Program]:
    """Programs assigned to any of the users, individually or through a cohort (a subquery)."""
    return Program.objects.filter(
        Q(pk__in=ProgramAssignment.objects.filter(user__in=_ids(users)).values("program_id"))
        | Q(
            pk__in=CohortProgram.objects.filter(cohort__memberships__user__in=_ids(users)).values(
                "program_id"
            )
        )
    )


def progress_for_assignments(
    *, users: QuerySet | list[int], programs=None, now: datetime | None = None
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


# --- Status snapshot ----------------------------------------------------------------

# Deciding 10,000 statuses in SQL costs 0.1-0.3 s; a manager's pages reuse the
# result briefly instead. A snapshot younger than SNAPSHOT_FRESH_SECONDS is
# always reused; up to SNAPSHOT_MAX_AGE_SECONDS it is reused while no audit
# event (attempt submitted, expired or regraded, certificate issued or revoked,
# cohort membership changed) and no lesson completion has been recorded since;
# older, it is decided again. The pages say "as of" when.
SNAPSHOT_FRESH_SECONDS = 10
SNAPSHOT_MAX_AGE_SECONDS = 60
SNAPSHOT_CACHE_PREFIX = "reports:snapshot:v1"
STATUSES = tuple(ProgressStatus)
STATUS_INDEX = {status: i for i, status in enumerate(STATUSES)}
STATUS_INDEX_OF_VALUE = {status.value: i for i, status in enumerate(STATUSES)}
OVERDUE_INDEX = STATUS_INDEX[ProgressStatus.OVERDUE]
NO_DUE = date.max.toordinal()
NO_ACTIVITY = float("inf")

# (user id, program id, cohort id or None, status index, due ordinal, activity timestamp)
SnapshotPair = tuple[int, int, int | None, int, int, float]


@dataclass(frozen=True)
class StatusSnapshot:
    """The status of every assignment of a manager's trainees, decided in SQL at `as_of`.

    Plain integers only, so that reading it from the cache is cheap.
    """

    as_of: datetime
    marker: tuple
    members: tuple[tuple[int, int], ...]  # (user id, cohort id) in the manager's cohorts
    # Every assignment, through any of the trainees' cohorts or individual; the
    # activity is NO_ACTIVITY unless the snapshot was built with it.
    pairs: tuple[SnapshotPair, ...]
    name_rank: dict[int, int]  # user id -> position by name (casefolded), then id
    email_rank: dict[int, int]
    program_names: dict[int, str]
    certificate_months: tuple[tuple[int, int], ...]  # (user id, year * 12 + month - 1)


def _changes_marker(using: str) -> tuple:
    """The newest audit event and lesson completion: a status-changing write adds one."""
    connection = connections[using]
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {q(AuditEvent._meta.db_table)}),"
            f" (SELECT MAX(id) FROM {q(LessonCompletion._meta.db_table)})"
        )
        return tuple(cursor.fetchone())


def _snapshot_build(
    *, cohort_ids: list[int], now: datetime, window: int, marker: tuple, with_activity: bool
) -> StatusSnapshot:
    """Decide every status in the cohorts' scope (four queries, whatever the size)."""
    cohorts = Cohort.objects.filter(pk__in=cohort_ids)
    users = trainees_for_manager(None, cohorts=cohorts)
    members, keys = [], {}
    for uid, cid, first, last, email in CohortMembership.objects.filter(
        cohort_id__in=cohort_ids
    ).values_list("user_id", "cohort_id", "user__first_name", "user__last_name", "user__email"):
        members.append((uid, cid))
        keys[uid] = (_name(first, last, email).casefold(), email.casefold())
    options = {"now": now, "expiring_soon_days": window, "with_activity": with_activity}
    rows = pair_status_rows(
        cohort_pairs(cohorts=None, users=users), individual_pairs(users=users), **options
    )
    pairs = tuple(
        (
            uid,
            pid,
            cid,
            STATUS_INDEX_OF_VALUE[value],
            due.toordinal() if due else NO_DUE,
            activity.timestamp() if activity else NO_ACTIVITY,
        )
        for uid, pid, cid, value, due, activity in rows
    )
    first = _month_start(timezone.localdate(now), CHART_MONTHS - 1)
    issued = Certificate.objects.filter(
        user__in=users.values("pk"),
        issued_at__gte=timezone.make_aware(datetime(first.year, first.month, 1)),
    ).values_list("user_id", "issued_at")
    zone = timezone.get_current_timezone()
    months = []
    for uid, moment in issued:
        local = moment.astimezone(zone)
        months.append((uid, local.year * 12 + local.month - 1))
    return StatusSnapshot(
        as_of=now,
        marker=marker,
        members=tuple(members),
        pairs=pairs,
        name_rank={uid: i for i, uid in enumerate(sorted(keys, key=lambda u: (keys[u][0], u)))},
        email_rank={uid: i for i, uid in enumerate(sorted(keys, key=lambda u: (keys[u][1], u)))},
        program_names=dict(
            Program.objects.filter(pk__in={pair[1] for pair in pairs}).values_list("pk", "name")
        ),
        certificate_months=tuple(months),
    )


def snapshot_cache_key(
    *, cohort_ids, window: int, today: date, using: str, with_activity: bool
) -> str:
    scope = hashlib.sha256(",".join(map(str, sorted(cohort_ids))).encode()).hexdigest()[:32]
    kind = "activity" if with_activity else "status"
    return f"{SNAPSHOT_CACHE_PREFIX}:{using}:{scope}:{kind}:{window}:{today.isoformat()}"


def status_snapshot(
    *, cohort_ids, now: datetime | None = None, with_activity: bool = False
) -> StatusSnapshot:
    """Return the statuses in the cohorts' scope: cached, unless `now` is given.

    Given `now` (tests, or a report for another moment), the snapshot is decided
    exactly then and not cached. Otherwise see SNAPSHOT_FRESH_SECONDS: a reused
    snapshot is at most SNAPSHOT_MAX_AGE_SECONDS old, or SNAPSHOT_FRESH_SECONDS
    behind the writes that the marker sees. The last activity, which only its
    sort needs, is a snapshot of its own (on SQLite it doubles the cost).
    """
    if not cohort_ids:
        return StatusSnapshot(now or timezone.now(), (), (), (), {}, {}, {}, ())
    using = CohortMembership.objects.db
    window = expiring_soon_days()
    build = {"cohort_ids": cohort_ids, "window": window, "with_activity": with_activity}
    if now is not None:
        return _snapshot_build(now=now, marker=(), **build)
    current = timezone.now()
    key = snapshot_cache_key(
        cohort_ids=cohort_ids,
        window=window,
        today=timezone.localdate(current),
        using=using,
        with_activity=with_activity,
    )
    cached = cache.get(key)
    marker = None
    if cached is not None:
        age = (current - cached.as_of).total_seconds()
        if 0 <= age < SNAPSHOT_FRESH_SECONDS:
            return cached
        if 0 <= age < SNAPSHOT_MAX_AGE_SECONDS:
            marker = _changes_marker(using)
            if marker == cached.marker:
                return cached
    # Read before deciding: a write that lands meanwhile makes the next request decide again.
    marker = marker or _changes_marker(using)
    snapshot = _snapshot_build(now=current, marker=marker, **build)
    cache.set(key, snapshot, timeout=SNAPSHOT_MAX_AGE_SECONDS)
    return snapshot


# --- Cohort overview ----------------------------------------------------------------


@dataclass(frozen=True)
class TraineeRef:
    user_id: int
    name: str
    email: str
    due_date: date | None


class _StatusCounts:
    counts: dict[ProgressStatus, int]

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
class CohortProgramSummary(_StatusCounts):
    cohort: Cohort
    program: Program
    due_date: date | None
    counts: dict[ProgressStatus, int]
    overdue: list[TraineeRef]
    overdue_total: int = 0
    chart: Chart | None = None


@dataclass
class ProgramSummary(_StatusCounts):
    """One program over all the cohorts shown: each trainee counted once."""

    program: Program
    counts: dict[ProgressStatus, int]
    chart: Chart


@dataclass
class Overview:
    cohorts: list[Cohort]
    summaries: list[CohortProgramSummary]
    certifications_chart: Chart
    trainee_count: int
    as_of: datetime | None = None
    # Few cohort programs: one card each, with a chart and the overdue trainees
    # named. Many: the per-program totals and one table row per cohort program.
    detailed: bool = True
    programs: list[ProgramSummary] = field(default_factory=list)
    all_cohorts: list[Cohort] = field(default_factory=list)


def _name(first: str, last: str, email: str) -> str:
    return f"{first} {last}".strip() or email


def _status_chart(title: str, counts: dict[ProgressStatus, int]) -> Chart:
    return status_mix_chart(
        title=title, segments=[(s.label, counts[s], s.value) for s in STATUS_ORDER]
    )


@dataclass
class _Tally:
    """The snapshot's pairs in the cohorts shown, counted per cohort program."""

    counts: dict[tuple[int, int], list[int]]  # (cohort, program) -> count per status index
    statuses: dict[tuple[int, int], int]  # (user, program) -> status index: each pair once
    overdue: dict[tuple[int, int], list[tuple[int, int, int]]]  # (due, name rank, user)


def _tally(snapshot: StatusSnapshot, shown: set[int]) -> _Tally:
    tally = _Tally(defaultdict(lambda: [0] * len(STATUSES)), {}, defaultdict(list))
    rank = snapshot.name_rank
    for uid, pid, cid, status, due, _ in snapshot.pairs:
        if cid in shown:
            tally.counts[(cid, pid)][status] += 1
            tally.statuses[(uid, pid)] = status
            if status == OVERDUE_INDEX:
                tally.overdue[(cid, pid)].append((due, rank[uid], uid))
    return tally


def _overdue_refs(overdue: dict) -> dict[tuple[int, int], list[TraineeRef]]:
    """The first OVERDUE_LIST_LIMIT overdue trainees per cohort program, earliest due first."""
    listed = {key: sorted(found)[:OVERDUE_LIST_LIMIT] for key, found in overdue.items()}
    wanted = {uid for found in listed.values() for _, _, uid in found}
    people = {}
    if wanted:
        people = {
            pk: (first, last, email)
            for pk, first, last, email in get_user_model()
            .objects.filter(pk__in=wanted)
            .values_list("pk", "first_name", "last_name", "email")
        }
    refs: dict[tuple[int, int], list[TraineeRef]] = {}
    for key, found in listed.items():
        refs[key] = []
        for due, _, uid in found:
            first, last, email = people[uid]
            refs[key].append(
                TraineeRef(uid, _name(first, last, email), email, date.fromordinal(due))
            )
    return refs


def _program_summaries(cohort_programs: list[CohortProgram], tally: _Tally) -> list[ProgramSummary]:
    totals: dict[int, list[int]] = defaultdict(lambda: [0] * len(STATUSES))
    for (_, pid), status in tally.statuses.items():
        totals[pid][status] += 1
    programs = {cp.program_id: cp.program for cp in cohort_programs}
    summaries = []
    for program in sorted(programs.values(), key=lambda p: (p.name.casefold(), p.pk)):
        counts = dict(zip(STATUSES, totals[program.pk], strict=True))
        title = f"{program.name}, all cohorts shown: status of {sum(counts.values())} trainees"
        summaries.append(
            ProgramSummary(program=program, counts=counts, chart=_status_chart(title, counts))
        )
    return summaries


def report_overview(*, user, cohort: Cohort | None = None, now=None) -> Overview:
    """Status counts, completion and overdue trainees per cohort and program.

    The statuses come from the status snapshot (decided in SQL, see
    status_snapshot); counting is plain Python over its integers. With more
    than OVERVIEW_CARDS_LIMIT cohort programs the overview is a summary table
    (per-program totals, then a row per cohort program whose counts link to
    the trainees table), without a chart or names for each.
    """
    managed = list(cohorts_for_manager(user).order_by("name", "id"))
    cohorts = [c for c in managed if cohort is None or c.pk == cohort.pk]
    if not cohorts:
        return Overview(
            cohorts=[],
            summaries=[],
            certifications_chart=certifications_chart(
                months=_months_counted({}, now=now or timezone.now())
            ),
            trainee_count=0,
            all_cohorts=managed,
        )
    snapshot = status_snapshot(cohort_ids=[c.pk for c in managed], now=now)
    shown = {c.pk for c in cohorts}
    cohort_programs = list(
        CohortProgram.objects.filter(cohort_id__in=shown)
        .select_related("program")
        .order_by("cohort__name", "cohort_id", "program__name", "program_id")
    )
    detailed = len(cohort_programs) <= OVERVIEW_CARDS_LIMIT
    tally = _tally(snapshot, shown)
    refs = _overdue_refs(tally.overdue) if detailed else {}
    by_cohort = {c.pk: c for c in cohorts}
    summaries = []
    for cp in cohort_programs:
        key = (cp.cohort_id, cp.program_id)
        counts = dict(zip(STATUSES, tally.counts.get(key, [0] * len(STATUSES)), strict=True))
        summary = CohortProgramSummary(
            cohort=by_cohort[cp.cohort_id],
            program=cp.program,
            due_date=cp.due_date,
            counts=counts,
            overdue=refs.get(key, []),
            overdue_total=len(tally.overdue.get(key, [])),
        )
        if detailed:
            summary.chart = _status_chart(
                f"{cp.program.name} in {summary.cohort.name}: status of {summary.total} trainees",
                counts,
            )
        summaries.append(summary)
    trainees = {uid for uid, cid in snapshot.members if cid in shown}
    months: dict[int, int] = defaultdict(int)
    for uid, month in snapshot.certificate_months:
        if uid in trainees:
            months[month] += 1
    return Overview(
        cohorts=cohorts,
        summaries=summaries,
        certifications_chart=certifications_chart(
            months=_months_counted(months, now=snapshot.as_of)
        ),
        trainee_count=len(trainees),
        as_of=snapshot.as_of,
        detailed=detailed,
        programs=[] if detailed else _program_summaries(cohort_programs, tally),
        all_cohorts=managed,
    )


def _month_start(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _months_counted(counts: dict[int, int], *, now: datetime) -> list[tuple[str, int]]:
    """The last CHART_MONTHS months, oldest first, with the count for each (month index keys)."""
    today = timezone.localdate(now)
    months = [_month_start(today, back) for back in range(CHART_MONTHS - 1, -1, -1)]
    return [(f"{m:%Y-%m}", counts.get(m.year * 12 + m.month - 1, 0)) for m in months]


def certifications_chart(*, months: list[tuple[str, int]]) -> Chart:
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


def _best_scores(
    *, users: QuerySet | list[int], quiz_ids: set[int]
) -> dict[tuple[int, int], float]:
    rows = (
        Attempt.objects.filter(
            user__in=_ids(users),
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


def _table_data(
    *, filters: TraineeFilters, users: QuerySet | list[int], cohorts: QuerySet, now
) -> _TableData:
    progress = progress_for_assignments(
        users=users, programs=[filters.program.pk] if filters.program else None, now=now
    )
    if filters.status:
        progress = {k: v for k, v in progress.items() if v.status == filters.status}
    programs = {item.program_id: item.program for item in progress.values()}
    quiz_ids = {q.pk for p in programs.values() for q in p.required_quiz_list}
    cohort_names: dict[int, list[str]] = defaultdict(list)
    for user_id, name in (
        CohortMembership.objects.filter(cohort__in=cohorts, user__in=_ids(users))
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


@dataclass
class TraineeTable:
    rows: list[TraineeRow]
    total: int
    page: int
    pages: int
    as_of: datetime | None = None  # when the statuses that filtered and sorted were decided
    all_cohorts: list[Cohort] = field(default_factory=list)  # the manager's, for the filter

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


NAME_ORDER = (Lower("first_name"), Lower("last_name"), Lower("email"), "pk")


def _page_bounds(total: int, page: int, per_page: int) -> tuple[int, int]:
    pages = max(1, -(-total // per_page))
    return min(max(page, 1), pages), pages


def report_trainees(
    *, user, filters: TraineeFilters, page: int = 1, per_page: int = PAGE_SIZE, now=None
) -> TraineeTable:
    """One row per trainee and assigned program, filtered, sorted and paginated.

    The rows are chosen and sorted on the status snapshot's plain values (status,
    due date, last activity, name rank; see status_snapshot) and only the page
    goes through the pure rules. A row whose status changed since the snapshot
    drops out of a status filter's page. Sorting by progress percent computes
    every trainee in scope with the pure rules.
    """
    managed = list(cohorts_for_manager(user).order_by("name", "id"))
    cohorts, users = _filtered_users(user, filters)
    if filters.sort == "percent":
        table = _trainees_by_percent(
            filters=filters, users=users, cohorts=cohorts, page=page, per_page=per_page, now=now
        )
        table.all_cohorts = managed
        return table
    snapshot = status_snapshot(
        cohort_ids=[c.pk for c in managed], now=now, with_activity=filters.sort == "activity"
    )
    wanted = {
        uid for uid, cid in snapshot.members if filters.cohort is None or cid == filters.cohort.pk
    }
    if filters.q:
        wanted.intersection_update(users.values_list("pk", flat=True))
    status = STATUS_INDEX[ProgressStatus(filters.status)] if filters.status else None
    program = filters.program.pk if filters.program else None
    found: dict[tuple[int, int], SnapshotPair] = {}
    for pair in snapshot.pairs:
        if (
            pair[0] in wanted
            and (program is None or pair[1] == program)
            and (status is None or pair[3] == status)
        ):
            found[(pair[0], pair[1])] = pair
    keys = sorted(
        found, key=_snapshot_sort_key(filters.sort, snapshot, found), reverse=filters.descending
    )
    page, pages = _page_bounds(len(keys), page, per_page)
    page_keys = keys[(page - 1) * per_page : page * per_page]
    page_users = sorted({k[0] for k in page_keys})
    rows = []
    if page_keys:
        data = _table_data(
            filters=filters, users=page_users, cohorts=cohorts, now=now or timezone.now()
        )
        people = {
            pk: (first, last, email)
            for pk, first, last, email in get_user_model()
            .objects.filter(pk__in=page_users)
            .values_list("pk", "first_name", "last_name", "email")
        }
        rows = [
            _row(data, key, *people[key[0]])
            for key in page_keys
            if key in data.progress and key[0] in people
        ]
    return TraineeTable(
        rows=rows,
        total=len(keys),
        page=page,
        pages=pages,
        as_of=snapshot.as_of,
        all_cohorts=managed,
    )


def _snapshot_sort_key(sort: str, snapshot: StatusSnapshot, found: dict):
    """Sort keys over the snapshot's integers; ties go by name (then user id)."""
    name, email = snapshot.name_rank, snapshot.email_rank
    program = {pk: title.casefold() for pk, title in snapshot.program_names.items()}
    status_rank = {STATUS_INDEX[status]: i for i, status in enumerate(STATUS_ORDER)}
    keys = {
        "name": lambda k: (name[k[0]], program[k[1]]),
        "email": lambda k: (email[k[0]], program[k[1]]),
        "program": lambda k: (program[k[1]], name[k[0]]),
        "status": lambda k: (status_rank[found[k][3]], name[k[0]]),
        "due": lambda k: (found[k][4], name[k[0]]),
        "activity": lambda k: (found[k][5], name[k[0]]),
    }
    return keys.get(sort, keys["name"])


def _trainees_by_percent(*, filters, users, cohorts, page, per_page, now) -> TraineeTable:
    """Sort on progress percent: every trainee in scope goes through the pure rules."""
    data = _table_data(filters=filters, users=users, cohorts=cohorts, now=now or timezone.now())
    people = (
        get_user_model()
        .objects.filter(pk__in=users.values("pk"))
        .values_list("pk", "first_name", "last_name", "email")
        if data.progress
        else []
    )
    names = {pk: (first, last, email) for pk, first, last, email in people}
    rows = [_row(data, key, *names[key[0]]) for key in data.progress if key[0] in names]
    rows.sort(key=lambda r: (r.percent, r.name.casefold()), reverse=filters.descending)
    page, pages = _page_bounds(len(rows), page, per_page)
    return TraineeTable(
        rows=rows[(page - 1) * per_page : page * per_page], total=len(rows), page=page, pages=pages
    )


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
        .order_by(*NAME_ORDER)
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
