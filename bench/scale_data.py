"""Multiply the generated data set in PostgreSQL: 10,000 trainees become 100,000 (bench-scale).

`manage.py generate_load_data` builds 10,000 trainees through the ORM in minutes; ten
times that the same way would take most of an hour. Instead every generated trainee
(username ``load-trainee-NNNNN``) is copied FACTOR - 1 times with set-based SQL, one
``INSERT ... SELECT ... CROSS JOIN generate_series`` per table, each in a transaction of
its own, with the tables' indexes and constraints as they are. A copy keeps its
original's cohort (so a manager of every cohort sees every copy, and a manager of one
cohort ten times the trainees), history, dates, answers, scores, certificates (with new
codes) and stored retention days; its ids are the original's plus ``copy * offset``
and its number is ``copy * trainees + original``, so names stay those the generator
would give 100,000 trainees (``load-trainee-00000`` to ``load-trainee-99999``).

Review cards and review logs are not copied: no manager page reads them across
trainees (the trainee drill-down reads one trainee's, so the benchmark opens originals).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg

TRAINEE_PATTERN = "load-trainee-%"


def _offset(cursor, table: str) -> int:
    """A power of ten above the table's largest id: the id step between copies."""
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
    largest = cursor.fetchone()[0]
    step = 10
    while step <= largest:
        step *= 10
    return step


def _reset_sequence(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
    )


# The large tables: their secondary indexes and foreign keys are dropped for the copy
# and made again, with the same names and definitions, in the same transaction (building
# an index once is many times faster than 13 million insertions into it, and a foreign key
# is checked once by a join instead of by a trigger per row).
REBUILT = ("quizzes_attempt", "quizzes_attemptanswer", "quizzes_traineeretention")


def _schema_of(cursor, table: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The table's foreign-key and unique constraints, and its other non-primary indexes."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
        "AND NOT x.indisprimary AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY i.relname",
        [table],
    )
    return constraints, cursor.fetchall()


def _copy_rebuilding(cursor, table: str, sql: str, params: dict) -> int:
    constraints, indexes = _schema_of(cursor, table)
    for name, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute(sql, params)
    rows = cursor.rowcount
    for _, definition in indexes:
        cursor.execute(definition)
    # Unique constraints first: a foreign key may need one of them.
    for name, definition in sorted(constraints, key=lambda c: c[1].startswith("FOREIGN")):
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    return rows


def data_multiply(url: str, *, factor: int, say: Callable[[str], None] = print) -> dict[str, float]:
    """Copy every generated trainee factor - 1 times; return seconds per table."""
    timings: dict[str, float] = {}
    with psycopg.connect(url) as conn:
        cur = conn.cursor()
        cur.execute("SELECT COUNT(*) FROM auth_user WHERE username LIKE %s", [TRAINEE_PATTERN])
        trainees = cur.fetchone()[0]
        if not trainees:
            raise RuntimeError("no generated trainees to multiply")
        cur.execute(
            "SELECT COUNT(*) FROM auth_user WHERE username LIKE %s "
            "AND substring(username from 14)::int >= %s",
            [TRAINEE_PATTERN, trainees],
        )
        if cur.fetchone()[0]:
            raise RuntimeError("the data set is multiplied already")
        offsets = {
            table: _offset(cur, table)
            for table in (
                "auth_user",
                "quizzes_attempt",
                "quizzes_attemptanswer",
                "quizzes_certificate",
            )
        }
        user_step = offsets["auth_user"]
        attempt_step = offsets["quizzes_attempt"]
        answer_step = offsets["quizzes_attemptanswer"]
        certificate_step = offsets["quizzes_certificate"]
        # The originals, by id, materialised once so each table's copy joins on it.
        cur.execute(
            "CREATE TEMP TABLE scale_src ON COMMIT PRESERVE ROWS AS "
            "SELECT id FROM auth_user WHERE username LIKE %s",
            [TRAINEE_PATTERN],
        )
        cur.execute("CREATE UNIQUE INDEX ON scale_src (id)")
        cur.execute(
            "CREATE TEMP TABLE scale_copy ON COMMIT PRESERVE ROWS AS "
            "SELECT generate_series(1, %s) AS k",
            [factor - 1],
        )
        conn.commit()
        n = trainees
        statements = [
            (
                "auth_user",
                "INSERT INTO auth_user (id, password, last_login, is_superuser, username, "
                "first_name, last_name, email, is_staff, is_active, date_joined) "
                "SELECT u.id + c.k * %(us)s, u.password, u.last_login, u.is_superuser, "
                "'load-trainee-' || to_char(c.k * %(n)s + substring(u.username from 14)::int,"
                " 'FM00000'), "
                "'Trainee' || to_char(c.k * %(n)s + substring(u.username from 14)::int,"
                " 'FM00000'), u.last_name, "
                "'load-trainee-' || to_char(c.k * %(n)s + substring(u.username from 14)::int,"
                " 'FM00000') || '@example.org', u.is_staff, u.is_active, u.date_joined "
                "FROM auth_user u JOIN scale_src s ON s.id = u.id CROSS JOIN scale_copy c",
            ),
            (
                "auth_user_groups",
                "INSERT INTO auth_user_groups (user_id, group_id) "
                "SELECT g.user_id + c.k * %(us)s, g.group_id FROM auth_user_groups g "
                "JOIN scale_src s ON s.id = g.user_id CROSS JOIN scale_copy c",
            ),
            (
                "quizzes_cohortmembership",
                "INSERT INTO quizzes_cohortmembership (joined_at, cohort_id, user_id) "
                "SELECT m.joined_at, m.cohort_id, m.user_id + c.k * %(us)s "
                "FROM quizzes_cohortmembership m JOIN scale_src s ON s.id = m.user_id "
                "CROSS JOIN scale_copy c",
            ),
            (
                "quizzes_programassignment",
                "INSERT INTO quizzes_programassignment (due_date, assigned_at, assigned_by_id, "
                "program_id, user_id) "
                "SELECT a.due_date, a.assigned_at, a.assigned_by_id, a.program_id, "
                "a.user_id + c.k * %(us)s FROM quizzes_programassignment a "
                "JOIN scale_src s ON s.id = a.user_id CROSS JOIN scale_copy c",
            ),
            (
                "lessons_lessoncompletion",
                "INSERT INTO lessons_lessoncompletion (completed_at, lesson_id, user_id) "
                "SELECT l.completed_at, l.lesson_id, l.user_id + c.k * %(us)s "
                "FROM lessons_lessoncompletion l JOIN scale_src s ON s.id = l.user_id "
                "CROSS JOIN scale_copy c",
            ),
            (
                "quizzes_attempt",
                "INSERT INTO quizzes_attempt (id, uuid, kind, state, close_reason, started_at, "
                "deadline, submitted_at, sequence, paper, points, max_points, percent, passed, "
                "fail_reasons, topic_scores, source_attempt_id, user_id, quiz_id) "
                "SELECT a.id + c.k * %(as)s, gen_random_uuid(), a.kind, a.state, "
                "a.close_reason, a.started_at, a.deadline, a.submitted_at, a.sequence, "
                "a.paper, a.points, a.max_points, a.percent, a.passed, a.fail_reasons, "
                "a.topic_scores, a.source_attempt_id + c.k * %(as)s, "
                "a.user_id + c.k * %(us)s, a.quiz_id "
                "FROM quizzes_attempt a JOIN scale_src s ON s.id = a.user_id "
                "CROSS JOIN scale_copy c",
            ),
            (
                "quizzes_attemptanswer",
                "INSERT INTO quizzes_attemptanswer (id, selected, saved_at, awarded, "
                "is_correct, attempt_id, question_id, text, checked_at, tries) "
                "SELECT w.id + c.k * %(ws)s, w.selected, w.saved_at, w.awarded, w.is_correct, "
                "w.attempt_id + c.k * %(as)s, w.question_id, w.text, w.checked_at, w.tries "
                "FROM quizzes_attemptanswer w JOIN quizzes_attempt a ON a.id = w.attempt_id "
                "JOIN scale_src s ON s.id = a.user_id CROSS JOIN scale_copy c",
            ),
            (
                "quizzes_certificate",
                # Codes: 20 characters of the Crockford alphabet (hex digits are in it),
                # drawn from the original's code and the copy number, so they stay unique.
                "INSERT INTO quizzes_certificate (id, holder_name, issued_at, expires_at, code, "
                "cycle, quiz_scores, revoked_at, revoke_reason, revoked_by_id, user_id, "
                "program_id, cpd_awarding_body, cpd_hours, superseded_by_id, attestations, "
                "lessons_completed, observations) "
                "SELECT r.id + c.k * %(cs)s, "
                "'Trainee' || to_char(c.k * %(n)s + substring(u.username from 14)::int,"
                " 'FM00000') || ' ' || u.last_name, r.issued_at, r.expires_at, "
                "upper(substr(md5(r.code || ':' || c.k), 1, 20)), r.cycle, r.quiz_scores, "
                "r.revoked_at, r.revoke_reason, r.revoked_by_id, r.user_id + c.k * %(us)s, "
                "r.program_id, r.cpd_awarding_body, r.cpd_hours, "
                "r.superseded_by_id + c.k * %(cs)s, r.attestations, r.lessons_completed, "
                "r.observations "
                "FROM quizzes_certificate r JOIN scale_src s ON s.id = r.user_id "
                "JOIN auth_user u ON u.id = r.user_id CROSS JOIN scale_copy c",
            ),
            (
                "quizzes_traineeretention",
                "INSERT INTO quizzes_traineeretention (taken_on, cards, recall, critical_recall, "
                "reviews_due, reviews_done, computed_at, user_id) "
                "SELECT t.taken_on, t.cards, t.recall, t.critical_recall, t.reviews_due, "
                "t.reviews_done, t.computed_at, t.user_id + c.k * %(us)s "
                "FROM quizzes_traineeretention t JOIN scale_src s ON s.id = t.user_id "
                "CROSS JOIN scale_copy c",
            ),
        ]
        params = {
            "us": user_step,
            "as": attempt_step,
            "ws": answer_step,
            "cs": certificate_step,
            "n": n,
        }
        for table, sql in statements:
            started = time.perf_counter()
            if table in REBUILT:
                rows = _copy_rebuilding(cur, table, sql, params)
            else:
                cur.execute(sql, params)
                rows = cur.rowcount
            _reset_sequence(cur, table)
            conn.commit()
            timings[table] = round(time.perf_counter() - started, 1)
            say(f"  {table}: {rows} rows copied in {timings[table]} s")
        started = time.perf_counter()
        conn.autocommit = True
        conn.execute("ANALYZE")
        timings["analyze"] = round(time.perf_counter() - started, 1)
        say(f"  ANALYZE in {timings['analyze']} s")
    return timings
