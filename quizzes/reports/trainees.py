"""The trainees table and its CSV export: one row per trainee and assigned program.

Filtering, sorting and paging run on the status snapshot's integers
(quizzes.reports.snapshot); only the rows shown go through the pure rules
(quizzes.reports.progress). The export streams every row with the same filters.
Each row carries its trainee's latest stored retention day (quizzes.spaced_review.retention,
`retention_stored`): for the page's trainees only, or, when the table is filtered to
trainees below the retention threshold or sorted by recall, for every trainee in scope
(the cohort retention snapshot).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Max, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from quizzes.certification.rules import VALID_CERTIFICATE_STATUSES, ProgressStatus
from quizzes.cohorts.scope import cohorts_for_manager, memberships_for_manager, trainees_for_manager
from quizzes.models import Attempt, Cohort, Program
from quizzes.reports.progress import (
    STATUS_ORDER,
    PairProgress,
    display_name,
    ids_of,
    progress_for_assignments,
)
from quizzes.reports.snapshot import STATUS_INDEX, SnapshotPair, StatusSnapshot, status_snapshot
from quizzes.spaced_review.retention import (
    NO_RETENTION,
    TraineeRetention,
    retention_as_of,
    retention_in_cohorts,
    retention_stored,
    threshold_percent,
)
from quizzes.updates.selectors import UpdateStatus, update_status_bulk

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
    "recall": "Recall",
    "critical": "Critical recall",
}
RETENTION_SORTS = {"recall", "critical"}


@dataclass(frozen=True)
class TraineeFilters:
    cohort: Cohort | None = None
    program: Program | None = None
    status: str = ""
    q: str = ""
    sort: str = "name"
    descending: bool = False
    below_threshold: bool = False  # only trainees whose critical recall is below the threshold

    @property
    def needs_all_retention(self) -> bool:
        return self.below_threshold or self.sort in RETENTION_SORTS


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
    awaiting_sign_off: bool = False
    checklists_done: int = 0
    checklists_required: int = 0
    retention: TraineeRetention = NO_RETENTION
    flagged: bool = False  # critical recall below the organisation's threshold
    update: UpdateStatus | None = None  # after a material change (quizzes/updates/)

    @property
    def update_label(self) -> str:
        return self.update.label if self.update is not None else ""

    @property
    def recall_percent(self) -> int | None:
        return self.retention.recall_percent

    @property
    def critical_recall_percent(self) -> int | None:
        return self.retention.critical_recall_percent

    @property
    def reviews_done_percent(self) -> int | None:
        return self.retention.reviews_done_percent

    @property
    def status_label(self) -> str:
        return self.status.label

    @property
    def observed_text(self) -> str:
        """Observed practice signed off, e.g. "0 of 1"; empty when the program asks for none."""
        if not self.checklists_required:
            return ""
        return f"{self.checklists_done} of {self.checklists_required}"

    @property
    def holds_certificate(self) -> bool:
        return self.status in VALID_CERTIFICATE_STATUSES

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
        Attempt.objects.counted()
        .filter(user__in=ids_of(users), quiz_id__in=quiz_ids)
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
    retention: dict[int, TraineeRetention]
    threshold: int
    updates: dict[tuple[int, int], UpdateStatus]


def _table_data(
    *,
    filters: TraineeFilters,
    users: QuerySet | list[int],
    cohorts: QuerySet,
    now,
    retention: dict[int, TraineeRetention] | None = None,
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
        memberships_for_manager(None, cohorts=cohorts)
        .filter(user__in=ids_of(users))
        .order_by("cohort__name")
        .values_list("user_id", "cohort__name")
    ):
        cohort_names[user_id].append(name)
    best = _best_scores(users=users, quiz_ids=quiz_ids) if quiz_ids else {}
    if retention is None:
        retention = retention_stored(users=users)
    return _TableData(
        progress=progress,
        programs=programs,
        cohort_names=cohort_names,
        best=best,
        retention=retention,
        threshold=threshold_percent(),
        updates=update_status_bulk(user_ids=ids_of(users), program_ids=programs, now=now)
        if programs
        else {},
    )


def _row(data: _TableData, key, first, last, email) -> TraineeRow:
    item = data.progress[key]
    program = data.programs[key[1]]
    best = tuple(
        (quiz.title, data.best[(key[0], quiz.pk)])
        for quiz in program.required_quiz_list
        if (key[0], quiz.pk) in data.best
    )
    certificate = item.certificate
    valid = certificate is not None and item.status in VALID_CERTIFICATE_STATUSES
    retention = data.retention.get(key[0], NO_RETENTION)
    return TraineeRow(
        user_id=key[0],
        name=display_name(first, last, email),
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
        awaiting_sign_off=item.awaiting_sign_off,
        checklists_done=item.checklists_done,
        checklists_required=item.checklists_required,
        retention=retention,
        flagged=retention.flagged(data.threshold),
        update=data.updates.get(key),
    )


@dataclass
class TraineeTable:
    rows: list[TraineeRow]
    total: int
    page: int
    pages: int
    as_of: datetime | None = None  # when the statuses that filtered and sorted were decided
    retention_as_of: date | None = None  # the newest stored retention day shown
    all_cohorts: list[Cohort] = field(default_factory=list)  # the manager's, for the filter

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def shared_program(self) -> str:
        """The program of every row shown, if they share one: said once, not on each row."""
        names = {row.program_name for row in self.rows}
        return names.pop() if len(names) == 1 else ""

    @property
    def shared_cohorts(self) -> str:
        """The cohorts of every row shown, if they share them: said once, not on each row."""
        names = {row.cohorts for row in self.rows}
        return names.pop() if len(names) == 1 else ""


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
    retention = None
    if filters.needs_all_retention:
        retention = retention_in_cohorts(
            cohort_ids=[c.pk for c in managed], members=snapshot.members
        ).trainees
        if filters.below_threshold:
            threshold = threshold_percent()
            wanted = {uid for uid in wanted if retention.get(uid, NO_RETENTION).flagged(threshold)}
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
    if filters.sort in RETENTION_SORTS:
        sort_key = _retention_sort_key(filters, snapshot, retention or {})
    else:
        sort_key = _snapshot_sort_key(filters.sort, snapshot, found)
    keys = sorted(found, key=sort_key, reverse=filters.descending)
    page, pages = _page_bounds(len(keys), page, per_page)
    page_keys = keys[(page - 1) * per_page : page * per_page]
    page_users = sorted({k[0] for k in page_keys})
    rows = []
    if page_keys:
        data = _table_data(
            filters=filters,
            users=page_users,
            cohorts=cohorts,
            now=now or timezone.now(),
            retention=retention,
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
        retention_as_of=retention_as_of(row.retention for row in rows),
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


def _retention_sort_key(filters: TraineeFilters, snapshot: StatusSnapshot, retention: dict):
    """Sort on recall or critical recall; trainees without one come last either way."""
    name, program = snapshot.name_rank, snapshot.program_names
    field = "recall" if filters.sort == "recall" else "critical_recall"
    known = 0 if filters.descending else 1

    def key(k):
        value = getattr(retention.get(k[0], NO_RETENTION), field)
        if value is None:
            return (known, 0.0, name[k[0]], program[k[1]].casefold())
        return (1 - known, value, name[k[0]], program[k[1]].casefold())

    return key


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
    if filters.below_threshold:
        rows = [row for row in rows if row.flagged]
    rows.sort(key=lambda r: (r.percent, r.name.casefold()), reverse=filters.descending)
    page, pages = _page_bounds(len(rows), page, per_page)
    shown = rows[(page - 1) * per_page : page * per_page]
    return TraineeTable(
        rows=shown,
        total=len(rows),
        page=page,
        pages=pages,
        retention_as_of=retention_as_of(row.retention for row in shown),
    )


def report_trainees_export(*, user, filters: TraineeFilters, now=None) -> Iterator[TraineeRow]:
    """Yield the trainees table rows (all pages, same filters) ordered by name.

    The trainees are read in name order with a server-side iterator and their rows
    made EXPORT_CHUNK trainees at a time: each chunk's progress facts and stored
    retention days (retention_stored, the figures the table and overview show) take a
    fixed number of queries, so the rows stream and a worker holds one chunk's facts,
    not the whole organisation's (100,000 trainees' facts held at once cost a worker
    hundreds of megabytes).
    """
    now = now or timezone.now()
    cohorts, users = _filtered_users(user, filters)
    people = (
        get_user_model()
        .objects.filter(pk__in=users.values("pk"))
        .order_by(*NAME_ORDER)
        .values_list("pk", "first_name", "last_name", "email")
    )
    chunk: list[tuple[int, str, str, str]] = []
    for person in people.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(person)
        if len(chunk) == EXPORT_CHUNK:
            yield from _export_chunk(filters=filters, cohorts=cohorts, people=chunk, now=now)
            chunk = []
    if chunk:
        yield from _export_chunk(filters=filters, cohorts=cohorts, people=chunk, now=now)


def _export_chunk(
    *, filters: TraineeFilters, cohorts: QuerySet, people: list[tuple[int, str, str, str]], now
) -> Iterator[TraineeRow]:
    """The export's rows of these trainees (in the order given), each program by name."""
    ids = [person[0] for person in people]
    data = _table_data(
        filters=filters, users=ids, cohorts=cohorts, now=now, retention=retention_stored(users=ids)
    )
    by_user: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for key in data.progress:
        by_user[key[0]].append(key)
    for keys in by_user.values():
        keys.sort(key=lambda k: data.programs[k[1]].name.casefold())
    for pk, first, last, email in people:
        for key in by_user.get(pk, ()):
            row = _row(data, key, first, last, email)
            if row.flagged or not filters.below_threshold:
                yield row
