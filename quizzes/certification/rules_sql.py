"""The certification status of many (trainee, program) pairs, decided in SQL.

The pure rules in quizzes/certification/rules.py are the reference; this module states
the same precedence (``status_compute``) as one CASE over the few facts that
decide it, so that a report over a whole organisation counts statuses, or
picks the trainees with one status, without building a Python object per
trainee. tests/certification/test_rules_sql.py proves both paths agree, case by
case on the shared table tests/certification/status_cases.py (the same cases
tests/certification/test_rules.py runs through the pure rules), and on a world
that covers every status.

The facts, per pair:

- the latest certificate's issue, expiry and revocation moments (the pure
  rules compare the UTC ``datetime.date()`` of issue and expiry with the due
  date);
- the effective due date: the individual assignment's or the earliest of the
  trainee's cohorts' for the program (a date beats no date);
- whether a required lesson counts in any cycle (completed after its last
  content change, or never changed), and the earliest content change among
  lessons completed before their change (they count only in a cycle that
  began after that change);
- the last counted attempt (``Attempt.objects.counted()``) on a required quiz,
  and the last completion of a required lesson (for "last activity").

PostgreSQL reads them set-based (one aggregate per kind of fact, hash-joined
to the pairs: _facts_sql); SQLite with per-pair correlated subqueries, each an
index lookup, which its CASE skips when a pair does not need them
(_facts_per_pair). Either way it is one query, whatever the number of pairs.

The pairs come from a queryset (the *base*) with ``uid``, ``pid`` and ``cid``
annotations: cohort memberships times the cohorts' programs, or individual
assignments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import connections
from django.db.models import (
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone

from lessons.models import Lesson, LessonCompletion
from quizzes.certification.rules import (
    DEFAULT_EXPIRING_SOON_DAYS,
    ProgressStatus,
    expiring_soon_from,
)
from quizzes.models import (
    Attempt,
    Certificate,
    CohortMembership,
    CohortProgram,
    Program,
    ProgramAssignment,
)


@dataclass(frozen=True)
class PairStatus:
    user_id: int
    program_id: int
    cohort_id: int | None
    status: ProgressStatus
    due_date: date | None
    last_activity_at: datetime | None  # only when asked for (with_activity=True)


def cohort_pairs(
    *, cohorts: QuerySet | None, users: QuerySet | None = None, programs=None
) -> QuerySet:
    """Base: every member of the cohorts times each program assigned to their cohort.

    With ``cohorts=None``, every cohort of the users (who must then be given).
    """
    if cohorts is None and users is None:
        raise ValueError("cohort_pairs needs cohorts, users or both")
    base = CohortMembership.objects.all()
    if cohorts is not None:
        base = base.filter(cohort__in=cohorts)
    if users is not None:
        base = base.filter(user__in=users.values("pk"))
    base = base.annotate(
        uid=F("user_id"), pid=F("cohort__cohort_programs__program_id"), cid=F("cohort_id")
    ).filter(pid__isnull=False)
    if programs is not None:
        base = base.filter(pid__in=programs)
    return base


def individual_pairs(*, users: QuerySet, programs=None) -> QuerySet:
    """Base: every individual assignment of the users."""
    base = ProgramAssignment.objects.filter(user__in=users.values("pk"))
    if programs is not None:
        base = base.filter(program__in=programs)
    # A typed NULL: PostgreSQL takes a bare one for text, which a UNION with cohort pairs refuses.
    return base.annotate(
        uid=F("user_id"), pid=F("program_id"), cid=Cast(Value(None), output_field=IntegerField())
    )


def _min(field: str) -> Func:
    """MIN() over a whole subquery: one row, no GROUP BY, no sort (an aggregate would group)."""
    return Func(F(field), function="MIN")


def _max(field: str) -> Func:
    return Func(F(field), function="MAX")


def _facts_per_pair(base: QuerySet) -> tuple[str, list]:
    """Return SQL giving each pair the facts that decide its status, by per-pair lookups.

    SQLite answers each correlated subquery with an index lookup, faster than
    the aggregates of _facts_sql; PostgreSQL prefers the set-based form.
    """
    uid, pid = OuterRef("uid"), OuterRef("pid")
    latest = Certificate.objects.filter(user_id=uid, program_id=pid).order_by("-cycle")
    # IN over the program's requirements lets the (user, lesson) and
    # (user, quiz, kind, state) indexes answer each lookup (nested one level
    # deeper, so the pair's program is OuterRef(OuterRef(...))).
    program = OuterRef(pid)
    required_lessons = Program.required_lessons.through.objects.filter(program_id=program)
    required_quizzes = Program.required_quizzes.through.objects.filter(program_id=program)
    completions = LessonCompletion.objects.filter(
        user_id=uid, lesson_id__in=required_lessons.values("lesson_id")
    )
    changed = F("lesson__content_changed_at")
    attempts = Attempt.objects.counted().filter(
        user_id=uid, quiz_id__in=required_quizzes.values("quiz_id")
    )
    facts = {
        "c_issued": Subquery(latest.values("issued_at")[:1]),
        "c_expires": Subquery(latest.values("expires_at")[:1]),
        "c_revoked": Subquery(latest.values("revoked_at")[:1]),
        "ind_due": Subquery(
            ProgramAssignment.objects.filter(user_id=uid, program_id=pid).values("due_date")[:1]
        ),
        "cohort_due": Subquery(
            CohortProgram.objects.filter(
                program_id=pid,
                cohort_id__in=CohortMembership.objects.filter(user_id=OuterRef(uid)).values(
                    "cohort_id"
                ),
            )
            .order_by()
            .values(m=_min("due_date"))
        ),
        "lesson_fresh": Case(
            When(
                Exists(
                    completions.filter(
                        Q(lesson__content_changed_at__isnull=True) | Q(completed_at__gte=changed)
                    )
                ),
                then=1,
            ),
            default=0,
        ),
        "lesson_stale_since": Subquery(
            completions.filter(completed_at__lt=changed)
            .order_by()
            .values(m=_min("lesson__content_changed_at"))
        ),
        "last_attempt": Subquery(attempts.order_by().values(m=_max("submitted_at"))),
        "last_completion": Subquery(completions.order_by().values(m=_max("completed_at"))),
    }
    inner, params = (
        base.order_by()
        .annotate(**facts)
        .values("uid", "pid", "cid", *facts)
        .query.sql_with_params()
    )
    # LIMIT keeps the derived table a co-routine: each subquery runs once per
    # pair (flattened, SQLite would repeat it at every use of its column).
    return f"WITH d AS (SELECT * FROM ({inner}) LIMIT -1)", list(params)


def _counted_attempts_where(connection) -> tuple[str, list]:
    """Return the WHERE of Attempt.objects.counted() as SQL over the unaliased attempt table.

    The raw SQL below reads which attempts count from the queryset method, so
    that rule keeps one home (quizzes/models/attempts.py).
    """
    query = Attempt.objects.counted().query
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    return sql, list(params)


def _facts_sql(base: QuerySet) -> tuple[str, list]:
    """Return SQL giving each pair of the base the facts that decide its status.

    Set-based: each kind of fact is aggregated once for the users of the pairs
    (hash aggregates over their rows), then joined to the pairs; no per-pair
    subquery. For 10,000 trainees the plan's estimated cost is about 8,000,
    far below PostgreSQL's jit_above_cost (100,000): per-pair subqueries cost
    about 700,000, which turned JIT compilation on and cost seconds. The latest
    certificate is picked with DISTINCT ON: a join on MAX(cycle) was estimated
    at one row, and the nested loop chosen for it took 1.5 s for 10,000 pairs.
    """
    connection = connections[base.db]
    q = connection.ops.quote_name
    pairs_sql, pairs_params = base.order_by().values("uid", "pid", "cid").query.sql_with_params()
    certificate = q(Certificate._meta.db_table)
    attempt = q(Attempt._meta.db_table)
    completion = q(LessonCompletion._meta.db_table)
    lesson = q(Lesson._meta.db_table)
    required_quizzes = q(Program.required_quizzes.through._meta.db_table)
    required_lessons = q(Program.required_lessons.through._meta.db_table)
    assignment = q(ProgramAssignment._meta.db_table)
    membership = q(CohortMembership._meta.db_table)
    cohort_program = q(CohortProgram._meta.db_table)
    counted, counted_params = _counted_attempts_where(connection)
    sql = f"""
WITH pairs AS MATERIALIZED ({pairs_sql}),
cert AS (
  SELECT DISTINCT ON (user_id, program_id) user_id, program_id, issued_at, expires_at, revoked_at
  FROM {certificate} WHERE user_id IN (SELECT uid FROM pairs)
  ORDER BY user_id, program_id, cycle DESC),
att AS (
  SELECT {attempt}.user_id, rq.program_id, MAX({attempt}.submitted_at) AS last_attempt
  FROM {attempt} JOIN {required_quizzes} rq ON rq.quiz_id = {attempt}.quiz_id
  WHERE {counted} AND {attempt}.user_id IN (SELECT uid FROM pairs)
  GROUP BY {attempt}.user_id, rq.program_id),
les AS (
  SELECT lc.user_id, rl.program_id,
    MAX(CASE WHEN l.content_changed_at IS NULL OR lc.completed_at >= l.content_changed_at
        THEN 1 ELSE 0 END) AS fresh,
    MIN(CASE WHEN lc.completed_at < l.content_changed_at
        THEN l.content_changed_at END) AS stale_since,
    MAX(lc.completed_at) AS last_completion
  FROM {completion} lc JOIN {required_lessons} rl ON rl.lesson_id = lc.lesson_id
  JOIN {lesson} l ON l.id = lc.lesson_id
  WHERE lc.user_id IN (SELECT uid FROM pairs)
  GROUP BY lc.user_id, rl.program_id),
coh AS (
  SELECT m.user_id, cp.program_id, MIN(cp.due_date) AS due
  FROM {membership} m JOIN {cohort_program} cp ON cp.cohort_id = m.cohort_id
  WHERE m.user_id IN (SELECT uid FROM pairs)
  GROUP BY m.user_id, cp.program_id),
d AS MATERIALIZED (
  SELECT p.uid, p.pid, p.cid,
    cert.issued_at AS c_issued, cert.expires_at AS c_expires, cert.revoked_at AS c_revoked,
    pa.due_date AS ind_due, coh.due AS cohort_due,
    COALESCE(les.fresh, 0) AS lesson_fresh, les.stale_since AS lesson_stale_since,
    att.last_attempt, les.last_completion
  FROM pairs p
  LEFT JOIN cert ON cert.user_id = p.uid AND cert.program_id = p.pid
  LEFT JOIN {assignment} pa ON pa.user_id = p.uid AND pa.program_id = p.pid
  LEFT JOIN coh ON coh.user_id = p.uid AND coh.program_id = p.pid
  LEFT JOIN les ON les.user_id = p.uid AND les.program_id = p.pid
  LEFT JOIN att ON att.user_id = p.uid AND att.program_id = p.pid)
"""
    return sql, [*pairs_params, *counted_params]


# The status precedence of quizzes.certification.rules.status_compute, over the facts above.
_STATUS_SQL = """
CASE
  WHEN f.c_issued IS NOT NULL AND f.c_revoked IS NULL
       AND (f.c_expires IS NULL OR f.c_expires > %s)
    THEN CASE WHEN f.c_expires IS NOT NULL AND f.c_expires <= %s
              THEN 'expiring_soon' ELSE 'certified' END
  WHEN f.c_issued IS NOT NULL AND f.c_revoked IS NULL
       AND (f.due IS NULL OR ({issued_day} <= f.due
                              AND (f.c_expires IS NULL OR {expires_day} > f.due)))
    THEN 'expired'
  WHEN f.due IS NOT NULL AND f.due < %s THEN 'overdue'
  WHEN f.c_issued IS NOT NULL AND f.c_revoked IS NULL THEN 'expired'
  WHEN f.lesson_fresh = 1
       OR (f.lesson_stale_since IS NOT NULL
           AND (f.c_issued IS NULL OR f.lesson_stale_since <= f.c_issued))
       OR (f.last_attempt IS NOT NULL AND (f.c_issued IS NULL OR f.last_attempt > f.c_issued))
    THEN 'in_progress'
  ELSE 'not_started'
END"""

# The earliest due date and the latest activity, NULLs ignored, each fact read
# once (SQLite may evaluate a fact's subquery again at every mention).
_DUE_SQL = {
    "postgresql": "LEAST(d.ind_due, d.cohort_due)",
    "sqlite": "NULLIF(MIN(COALESCE(d.ind_due, '9999-12-31'),"
    " COALESCE(d.cohort_due, '9999-12-31')), '9999-12-31')",
}
_ACTIVITY_SQL = {
    "postgresql": "GREATEST(d.last_attempt, d.last_completion)",
    "sqlite": "NULLIF(MAX(COALESCE(d.last_attempt, ''), COALESCE(d.last_completion, '')), '')",
}


def _pairs_sql(
    base: QuerySet,
    *,
    now: datetime,
    today: date,
    expiring_soon_days: int,
    with_activity: bool = False,
) -> tuple[str, list]:
    """Return a WITH clause whose table `s` holds uid, pid, cid, status, due, activity."""
    connection = connections[base.db]
    activity = "f.activity" if with_activity else "NULL"
    activity_sql = _ACTIVITY_SQL[connection.vendor] if with_activity else "NULL"
    if connection.vendor == "postgresql":
        facts, facts_params = _facts_sql(base)
    else:
        facts, facts_params = _facts_per_pair(base)
    ops = connection.ops
    # The pure rules compare the UTC dates (datetime.date()) of issue and expiry.
    if connection.vendor == "postgresql":
        day = "CAST(f.{} AT TIME ZONE 'UTC' AS date)"
    else:
        day = "substr(f.{}, 1, 10)"  # stored as UTC text, 'YYYY-MM-DD HH:MM:SS'
    status_sql = _STATUS_SQL.format(
        issued_day=day.format("c_issued"), expires_day=day.format("c_expires")
    )
    # Materialised once, the per-pair rows are then filtered or grouped cheaply.
    due_sql = _DUE_SQL[connection.vendor]
    sql = (
        f"{facts}, s AS MATERIALIZED ("
        f"SELECT f.uid, f.pid, f.cid, {status_sql} AS status, f.due, {activity} AS activity "
        f"FROM (SELECT d.*, {due_sql} AS due, {activity_sql} AS activity FROM d) f)"
    )
    status_params = [
        ops.adapt_datetimefield_value(now),
        ops.adapt_datetimefield_value(
            expiring_soon_from(now=now, expiring_soon_days=expiring_soon_days)
        ),
        ops.adapt_datefield_value(today),
    ]
    # Placeholders are positional: the facts come before the CASE in the text.
    params = [*facts_params, *status_params]
    return sql, params


def _run(base: QuerySet, sql: str, params: list) -> list[tuple]:
    with connections[base.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)  # SQLite returns the stored text


def _as_datetime(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value).replace(tzinfo=UTC)  # SQLite: stored UTC text


def pair_status_rows(
    *bases: QuerySet,
    status: str = "",
    now: datetime | None = None,
    expiring_soon_days: int = DEFAULT_EXPIRING_SOON_DAYS,
    with_activity: bool = False,
) -> list[tuple[int, int, int | None, str, date | None, datetime | None]]:
    """Return (user id, program id, cohort id, status value, due date, last activity) tuples.

    The plain form of pair_statuses, for callers that keep thousands of rows;
    several bases (e.g. cohort and individual pairs) are read in one statement.
    """
    now = now or timezone.now()
    parts, params = [], []
    for base in bases:
        sql, base_params = _pairs_sql(
            base,
            now=now,
            today=timezone.localdate(now),
            expiring_soon_days=expiring_soon_days,
            with_activity=with_activity,
        )
        sql += " SELECT uid, pid, cid, status, due, activity FROM s"
        if status:
            sql += " WHERE status = %s"
            base_params.append(status)
        parts.append(sql)
        params += base_params
    if len(parts) > 1:
        sql = " UNION ALL ".join(f"SELECT * FROM ({part}) b{i}" for i, part in enumerate(parts))
    else:
        sql = parts[0]
    return [
        (uid, pid, cid, value, _as_date(due), _as_datetime(activity))
        for uid, pid, cid, value, due, activity in _run(bases[0], sql, params)
    ]


def pair_statuses(
    base: QuerySet,
    *,
    status: str = "",
    now: datetime | None = None,
    expiring_soon_days: int = DEFAULT_EXPIRING_SOON_DAYS,
    with_activity: bool = False,
) -> list[PairStatus]:
    """Return the status of every pair of the base (only those with `status`, if given)."""
    rows = pair_status_rows(
        base,
        status=status,
        now=now,
        expiring_soon_days=expiring_soon_days,
        with_activity=with_activity,
    )
    return [
        PairStatus(
            user_id=uid,
            program_id=pid,
            cohort_id=cid,
            status=ProgressStatus(value),
            due_date=due,
            last_activity_at=activity,
        )
        for uid, pid, cid, value, due, activity in rows
    ]
