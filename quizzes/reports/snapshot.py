"""The status snapshot: every status in a manager's scope, decided in SQL and briefly cached.

The statuses are decided by quizzes.certification.rules_sql into plain integers
(StatusSnapshot), which the overview counts and the trainees table filters,
sorts and pages; see status_snapshot for when a cached snapshot is reused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from django.core.cache import cache
from django.db import connections
from django.utils import timezone

from lessons.models import LessonCompletion
from quizzes.certification.rules import ProgressStatus, expiring_soon_days
from quizzes.certification.rules_sql import cohort_pairs, individual_pairs, pair_status_rows
from quizzes.cohorts.scope import memberships_for_manager, trainees_for_manager
from quizzes.models import Certificate, Cohort, CohortMembership, Program
from quizzes.reports.progress import display_name
from trainingsite.models import AuditEvent

# The certificates chart on the overview covers this many months, so the snapshot
# keeps the certificates issued since the first of them.
CHART_MONTHS = 24

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
    for uid, cid, first, last, email in memberships_for_manager(None, cohorts=cohorts).values_list(
        "user_id", "cohort_id", "user__first_name", "user__last_name", "user__email"
    ):
        members.append((uid, cid))
        keys[uid] = (display_name(first, last, email).casefold(), email.casefold())
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
    first = month_start(timezone.localdate(now), CHART_MONTHS - 1)
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


def month_start(day: date, back: int) -> date:
    """The first day of the month `back` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)
