"""The scale benchmark: manager pages and exports at 100,000 trainees on PostgreSQL.

    make bench-scale          (or: DATABASE_URL=postgres://... .venv/bin/python bench/scale.py)

Builds the 10,000-trainee data set with `manage.py generate_load_data` in a database of
its own (trainingsite_benchscale, dropped and created again), multiplies it tenfold in
SQL (bench/scale_data.py), starts gunicorn as bench/run.py does, then measures with a
plain timed client loop (two threads, each signed in as its own manager of every
cohort, over loopback): the overview, the filtered trainees table, the trainee
drill-down, the question analysis of the final exam, and the streamed trainees CSV
(time and worker memory, as bench/run.py). Each page's statements are then captured
in-process and the three slowest explained (bench/scale_explain.py). Prints every
target with pass or fail, writes bench/results/scale.json and scale.md, and exits
non-zero when a target is missed.

Environment: DATABASE_URL (a PostgreSQL server; required), BENCH_SCALE_FACTOR (copies
of the 10,000 trainees, default 10), BENCH_SCALE_SECONDS (measured seconds per page,
default 15), BENCH_REUSE_DB=1 (keep the last built database).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import urllib.error
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench.run import (  # noqa: E402
    RESULTS,
    BenchError,
    Gunicorn,
    machine,
    manage,
    measure_export,
    percentile,
    python_module,
    signed_in_opener,
)
from bench.scale_data import data_multiply  # noqa: E402

PG_DB = "trainingsite_benchscale"
VAR = ROOT / "var" / "benchscale"
FACTOR = int(os.environ.get("BENCH_SCALE_FACTOR", "10"))
SECONDS = float(os.environ.get("BENCH_SCALE_SECONDS", "15"))
THREADS = 2
DRILL_DOWN_TRAINEES = 40

# Targets of the scale issue.
PAGE_P95_MS = 400
DRILL_DOWN_P95_MS = 200
EXPORT_SECONDS = 20.0
EXPORT_MEMORY_MB = 50.0
ANALYSIS_P95_MS = 2000


def log(message: str) -> None:
    print(f"[bench-scale {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def database_urls() -> tuple[str, str]:
    """The bench database's URL and the server's maintenance database's."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise BenchError("DATABASE_URL must name a PostgreSQL server")
    parts = urllib.parse.urlsplit(url)
    bench = urllib.parse.urlunsplit(parts._replace(path="/" + PG_DB))
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    return bench, admin


def scale_env(url: str) -> dict:
    """bench/run.py's environment (bench settings, debug off) with folders of its own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "BENCH_")) and key != "DATABASE_URL"
    }
    # Static files, keys and uploads of its own: bench/run.py clears var/bench/static.
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_STATIC_ROOT": str(VAR / "static"),
            "DJANGO_VAR_DIR": str(VAR),
            "DJANGO_MEDIA_ROOT": str(VAR / "media"),
            "DJANGO_CPD_EVIDENCE_ROOT": str(VAR / "cpd-evidence"),
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": url,
        }
    )
    return env


def build(env: dict, url: str, admin_url: str, logfile: Path) -> dict:
    """Build the 10,000-trainee set through the ORM, then multiply it in SQL; time both."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_DB}"')
    timings = {}
    log("migrate, shipped content")
    timings["migrate"] = round(manage(env, "migrate", "--no-input", logfile=logfile), 1)
    manage(env, "credential_keys", "--ensure", logfile=logfile)
    manage(env, "setup_demo", logfile=logfile)
    log("generate_load_data (10,000 trainees, 150,000 attempts)")
    timings["generate"] = round(manage(env, "generate_load_data", logfile=logfile), 1)
    log(f"multiply by {FACTOR} in SQL")
    started = time.perf_counter()
    timings["multiply_tables"] = data_multiply(url, factor=FACTOR, say=log)
    timings["multiply"] = round(time.perf_counter() - started, 1)
    return timings


def counts(url: str) -> dict:
    tables = {
        "trainees": "SELECT COUNT(DISTINCT user_id) FROM quizzes_cohortmembership",
        "cohorts": "SELECT COUNT(*) FROM quizzes_cohort",
        "attempts": "SELECT COUNT(*) FROM quizzes_attempt",
        "answers": "SELECT COUNT(*) FROM quizzes_attemptanswer",
        "certificates": "SELECT COUNT(*) FROM quizzes_certificate",
        "lesson_completions": "SELECT COUNT(*) FROM lessons_lessoncompletion",
        "retention_days": "SELECT COUNT(*) FROM quizzes_traineeretention",
        "review_cards": "SELECT COUNT(*) FROM quizzes_reviewcard",
    }
    with psycopg.connect(url) as conn:
        return {name: conn.execute(sql).fetchone()[0] for name, sql in tables.items()}


def page_paths(url: str, state: dict) -> dict[str, list[str]]:
    """The paths each measured page cycles over."""
    with psycopg.connect(url) as conn:
        # Generated trainees of the first ten thousand (the originals, which hold review
        # cards), with attempts, spread over the cohorts.
        trainees = [
            row[0]
            for row in conn.execute(
                "SELECT u.id FROM auth_user u WHERE u.username LIKE 'load-trainee-%%' "
                "AND substring(u.username from 14)::int < 10000 "
                "AND EXISTS (SELECT 1 FROM quizzes_attempt a WHERE a.user_id = u.id) "
                "ORDER BY md5(u.username) LIMIT %s",
                [DRILL_DOWN_TRAINEES],
            )
        ]
        final = conn.execute(
            "SELECT q.id FROM quizzes_quiz q WHERE q.bank = 'exam' ORDER BY "
            "(SELECT COUNT(*) FROM quizzes_attempt a WHERE a.quiz_id = q.id) DESC, q.id LIMIT 1"
        ).fetchone()
    if final is None:
        raise BenchError("no exam quiz in the data set")
    return {
        "overview": ["/reports/"],
        "trainees_table": [f"/reports/trainees/?{query}" for query in state["trainee_filters"]],
        "drill_down": [f"/reports/trainees/{pk}/" for pk in trainees],
        "question_analysis": [f"/reports/quizzes/{final[0]}/questions/"],
    }


PAGES = [
    ("overview", "Manager overview /reports/", PAGE_P95_MS),
    ("trainees_table", "Trainees table, filtered (6 filters)", PAGE_P95_MS),
    ("drill_down", "Trainee drill-down", DRILL_DOWN_P95_MS),
    ("question_analysis", "Question analysis of the final exam", ANALYSIS_P95_MS),
]


def _get(opener, url: str) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with opener.open(url, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, (time.perf_counter() - started) * 1000


def measure_page(base: str, openers: list, paths: list[str]) -> dict:
    """Each thread requests the paths in turn for SECONDS; the first round warms up."""
    records: list[tuple[str, int, float]] = []
    warm: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(openers))

    def user(index: int, opener) -> None:
        first = [_get(opener, base + path) for path in paths[:2]]
        with lock:
            warm.extend(ms for _, ms in first)
        barrier.wait()
        deadline = time.monotonic() + SECONDS
        position = index * (len(paths) // len(openers))
        while time.monotonic() < deadline:
            path = paths[position % len(paths)]
            position += 1
            status, ms = _get(opener, base + path)
            with lock:
                records.append((path, status, ms))

    threads = [threading.Thread(target=user, args=(i, opener)) for i, opener in enumerate(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times = [ms for _, _, ms in records]
    return {
        "requests": len(records),
        "errors": sum(1 for _, status, _ in records if status != 200),
        "p50_ms": round(percentile(times, 0.5), 1) if times else None,
        "p95_ms": round(percentile(times, 0.95), 1) if times else None,
        "max_ms": round(max(times), 1) if times else None,
        "warm_up_ms": [round(ms, 1) for ms in warm],
        "paths": len(paths),
    }


def explain(env: dict, username: str, paths: dict[str, list[str]], logfile: Path) -> dict:
    pages = [{"key": key, "path": found[0]} for key, found in paths.items()]
    # Two more views of the trainees table: the most selective and the cohort sorted by percent.
    pages += [
        {"key": f"trainees_table_{i}", "path": path}
        for i, path in enumerate(paths["trainees_table"][1:], start=2)
    ]
    pages.append({"key": "export", "path": "/reports/trainees.csv"})
    spec = VAR / "explain-pages.json"
    out = VAR / "explain.json"
    spec.write_text(json.dumps({"username": username, "pages": pages}))
    python_module(env, "bench.scale_explain", str(spec), str(out), logfile=logfile)
    return json.loads(out.read_text())


def verdicts(result: dict) -> list[dict]:
    rows = []
    for key, label, target in PAGES:
        page = result["pages"][key]
        ok = page["errors"] == 0 and page["p95_ms"] is not None and page["p95_ms"] < target
        rows.append(
            {
                "target": f"{label}: p95 < {target} ms",
                "measured": f"p95 {page['p95_ms']} ms (p50 {page['p50_ms']}, "
                f"{page['requests']} requests, {page['errors']} errors)",
                "passed": ok,
            }
        )
    export = result["export"]
    rows.append(
        {
            "target": f"Trainees CSV, {result['counts']['trainees']} trainees: "
            f"< {EXPORT_SECONDS:g} s",
            "measured": f"{export['seconds']} s, {export['rows']} rows (slowest of "
            f"{len(export['runs'])})",
            "passed": export["errors"] == 0 and export["seconds"] < EXPORT_SECONDS,
        }
    )
    rows.append(
        {
            "target": f"Trainees CSV: worker memory growth < {EXPORT_MEMORY_MB:g} MB",
            "measured": f"{export['peak_growth_mb']} MB",
            "passed": export["errors"] == 0 and export["peak_growth_mb"] < EXPORT_MEMORY_MB,
        }
    )
    return rows


def format_md(report: dict) -> str:
    result = report["result"]
    c = result["counts"]
    lines = [
        f"# Scale benchmark of {report['finished_at']}",
        "",
        f"Machine: {report['machine']['nproc']} cores, {report['machine']['memory']} memory, "
        f"Python {report['machine']['python']}; PostgreSQL. gunicorn 2 sync workers; "
        f"a plain timed client loop, {THREADS} threads (one manager of every cohort each), "
        f"{SECONDS:g} s per page after one warm-up round; total run "
        f"{report['total_seconds']} s. Load average (1 min) at the start "
        f"{report['load_average_at_start']}, before each page "
        + ", ".join(f"{k} {v}" for k, v in result["load_before"].items())
        + ".",
        "",
        f"Data: {c['trainees']} trainees in {c['cohorts']} cohorts, {c['attempts']} attempts, "
        f"{c['answers']} answers, {c['certificates']} certificates, "
        f"{c['lesson_completions']} lesson completions, {c['retention_days']} stored retention "
        f"days, {c['review_cards']} review cards (the originals' only).",
    ]
    if result.get("build"):
        b = result["build"]
        lines.append(
            f"Built in {b['migrate'] + b['generate'] + b['multiply']:.0f} s: migrate "
            f"{b['migrate']} s, generate_load_data {b['generate']} s, multiply x{FACTOR} in SQL "
            f"{b['multiply']} s ("
            + ", ".join(f"{t} {s} s" for t, s in b["multiply_tables"].items())
            + ")."
        )
    else:
        lines.append("Database reused (BENCH_REUSE_DB=1).")
    lines += ["", "| Target | Measured | Pass |", "|---|---|---|"]
    for row in report["verdicts"]:
        lines.append(
            f"| {row['target']} | {row['measured']} | {'pass' if row['passed'] else 'FAIL'} |"
        )
    lines += ["", "Warm-up requests (the first of each thread, not measured; a status snapshot"]
    lines += ["decided on a worker's first request):", ""]
    for key, page in result["pages"].items():
        lines.append(f"- {key}: {page['warm_up_ms']} ms")
    lines += ["", "## Query plans", ""]
    lines.append(
        "Each page requested once in-process with an empty cache (so the statuses are decided"
        " again); its three slowest statements re-run under `EXPLAIN (ANALYZE, BUFFERS)`."
    )
    for key, page in result["plans"].items():
        lines += [
            "",
            f"### {key}: `{page['path']}`",
            "",
            f"{page['status']}, {page['bytes']} bytes, {page['statements']} statements "
            f"({page['sql_ms']} ms of SQL), {page['ms_cold_in_process']} ms in-process cold.",
        ]
        for i, plan in enumerate(page["slowest"], start=1):
            indexes = ", ".join(f"`{name}`" for name in plan["indexes"]) or "none"
            seq = ", ".join(f"`{name}`" for name in plan["seq_scans"]) or "none"
            lines += [
                "",
                f"{i}. {plan['ms_in_page']} ms in the page. Indexes: {indexes}. "
                f"Sequential scans: {seq}.",
                "",
                "```sql",
                plan["sql"][:3000],
                "```",
                "",
                "```",
                plan["plan"],
                "```",
            ]
    if report["failures"]:
        lines += ["", "## Failures", ""] + [f"- {f}" for f in report["failures"]]
    return "\n".join(lines) + "\n"


def run() -> dict:
    url, admin_url = database_urls()
    VAR.mkdir(parents=True, exist_ok=True)
    logfile = VAR / "build.log"
    logfile.write_text("")
    env = scale_env(url)
    result: dict = {}
    if os.environ.get("BENCH_REUSE_DB") == "1":
        log("BENCH_REUSE_DB=1: the last database, migrated")
        manage(env, "migrate", "--no-input", logfile=logfile)
        result["build"] = None
    else:
        result["build"] = build(env, url, admin_url, logfile)
    state_path = VAR / "state.json"
    log("prepare (bench managers of every cohort), ANALYZE, collectstatic")
    python_module(env, "bench.dbtasks", "prepare", str(state_path), "--users", "2", logfile=logfile)
    manage(env, "collectstatic", "--no-input", "--clear", logfile=logfile)
    state = json.loads(state_path.read_text())
    result["counts"] = counts(url)
    log(f"data: {result['counts']}")
    paths = page_paths(url, state)
    result["paths"] = paths
    server = Gunicorn(env, VAR / "gunicorn.log")
    result["pages"], result["load_before"] = {}, {}
    try:
        openers = [
            signed_in_opener(server.url, name, state["password"])
            for name in state["managers"][:THREADS]
        ]
        for key, label, _ in PAGES:
            result["load_before"][key] = round(os.getloadavg()[0], 2)
            log(f"page {key}: {label}")
            result["pages"][key] = measure_page(server.url, openers, paths[key])
            log(f"  {result['pages'][key]}")
        result["load_before"]["export"] = round(os.getloadavg()[0], 2)
        log("CSV export of every trainee, three times")
        result["export"] = measure_export(server, state, runs=3)
        log(f"  {result['export']['runs']}")
    finally:
        server.stop()
    log("SQL and plans of each page, in-process")
    result["plans"] = explain(env, state["managers"][0], paths, logfile)
    return result


def main() -> int:
    started = time.monotonic()
    report = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "machine": machine(),
        "settings": {"factor": FACTOR, "seconds_per_page": SECONDS, "threads": THREADS},
    }
    failures = []
    try:
        result = run()
    except BenchError as error:
        log(f"FAILED: {error}")
        return 1
    report["result"] = result
    report["verdicts"] = verdicts(result)
    failures += [row["target"] for row in report["verdicts"] if not row["passed"]]
    report["failures"] = failures
    report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    report["total_seconds"] = round(time.monotonic() - started, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(report, indent=1) + "\n")
    (RESULTS / "scale.md").write_text(format_md(report))
    print()
    for row in report["verdicts"]:
        print(f"{'pass' if row['passed'] else 'FAIL'}  {row['target']}: {row['measured']}")
    log(f"done in {report['total_seconds']} s; bench/results/scale.md and scale.json")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
