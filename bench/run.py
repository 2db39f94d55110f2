"""Run the benchmark end to end: `make bench` (or `.venv/bin/python bench/run.py`).

Build the large data set in a fresh SQLite database and, when DATABASE_URL is
set, in a PostgreSQL database of its own, both at once and before anything is
measured. Then for each database in turn: start gunicorn (2 workers,
production settings, debug off) on a free loopback port, sign every bench
account in once through the real login form, drive each step with a headless
Locust process from the benchmark's own environment (sampling the CPU of the
workers, PostgreSQL, Redis and Locust), count lost answers, time the CSV
export while sampling the workers' memory; on PostgreSQL, run the trainee steps
again on two app servers sharing Redis and compute the capacity model
(bench/capacity.py). Print the tables and write bench/results/latest.json and
latest.md.

Exits non-zero on any error response, lost answer or failed set-up step.

Environment: BENCH_SECONDS (measured seconds per step, default 6),
BENCH_USERS (concurrent users, default 10), BENCH_MANAGER_USERS (on the
manager pages, default 2), BENCH_REUSE_DB=1 (skip the data
build and reuse the last database, migrated first, for working on the harness itself),
BENCH_STEPS (comma-separated subset of steps), BENCH_SKIP_DATA=1 (no large
data set: the shipped content only), BENCH_SKIP_EXPORT=1, BENCH_SKIP_TWO_SERVERS=1,
BENCH_REDIS_URL (the two-server steps' Redis database, emptied first;
default redis://127.0.0.1:6379/9).
"""

import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `make bench` runs this file as a script: the bench package lies beside it, under ROOT.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import capacity  # noqa: E402

BENCH = ROOT / "bench"
VAR = ROOT / "var" / "bench"
RESULTS = BENCH / "results"
APP_PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
LOAD_VENV = BENCH / ".venv-load"
LOCUST = LOAD_VENV / "bin" / "locust"
LOAD_REQUIREMENTS = BENCH / "requirements-load.txt"

SECONDS = float(os.environ.get("BENCH_SECONDS", "6"))
USERS = int(os.environ.get("BENCH_USERS", "10"))
# Managers are few: the report pages are measured with one manager per worker, so
# their latency is the page's own, not a queue behind other managers.
MANAGER_USERS = int(os.environ.get("BENCH_MANAGER_USERS", str(2)))
WORKERS = 2
PG_BENCH_DB = "trainingsite_benchrun"
# The two-server steps: two gunicorn masters of one worker each (the same two workers on
# the same two cores as the single server, so the rows compare), sharing PostgreSQL and
# this Redis database, which the run empties first.
SERVERS = 2
WORKERS_PER_SERVER = 1
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
QUERY_COUNT_HEADER = "X-Bench-Queries"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# Targets, as ratios to the floor page measured in the same run.
READ_FLOOR_RATIO = 0.65
READ_P95_MS = 60
WRITE_FLOOR_RATIO = 0.65  # autosave
FLOW_FLOOR_RATIO = 0.35  # the quiz flow's three writes
PART_FLOOR_RATIO = 0.40  # start and submit, each (requests/s equivalent, capacity.part_rates)
MANAGER_P95_MS = 400
EXPORT_SECONDS = 5.0
EXPORT_MEMORY_MB = 50.0
# Target from issue 21: completed quizzes per second over the floor page's requests per
# second (twice the classic Django quiz app's 0.026 on this machine).
WHOLE_QUIZ_FLOOR_RATIO = 0.055
WHOLE_QUIZ_RESULT = "whole quiz: result"
# Targets from issue 20: the API's trainees list, and certificate look-ups by code.
API_LIST_P95_MS = 300
LOOKUP_FLOOR_RATIO = 0.40


class Step:
    def __init__(self, key, label, names, group, drive=None):
        self.key = key
        self.label = label
        self.names = names  # request names measured in the window
        self.group = group  # reference / read / write / flow / quiz / manager / api / lookup
        self.drive = drive or key  # the locustfile's step
        # Integrations, like managers, are few: one per worker, latency not queueing.
        self.users = MANAGER_USERS if group in ("manager", "api") else USERS


STEPS = [
    Step("bare", "Bare view (ceiling)", ["bare"], "reference"),
    Step("floor", "Floor page", ["floor"], "reference"),
    Step("lessons_index", "Lessons page", ["lessons page"], "read"),
    Step("lesson", "Lesson", ["lesson"], "read"),
    Step("quiz_page", "Quiz page", ["quiz page"], "read"),
    Step("attempt_page", "Attempt page", ["attempt page"], "read"),
    Step("result", "Result page", ["result"], "read"),
    Step("autosave", "Autosave", ["autosave"], "write"),
    Step(
        "quiz_flow",
        "Quiz flow writes (start, autosave, submit)",
        ["start", "autosave", "submit"],
        "flow",
    ),
    Step(
        "whole_quiz",
        "Whole quiz (start, page, autosaves at a trainee's pace, submit, result)",
        [
            "whole quiz: start",
            "whole quiz: page",
            "whole quiz: save",
            "whole quiz: submit",
            WHOLE_QUIZ_RESULT,
        ],
        "quiz",
    ),
    Step("overview", "Manager overview", ["manager overview"], "manager"),
    Step("trainees_table", "Trainees table (filtered)", ["trainees table (filtered)"], "manager"),
    # Retention (issue 19): the stored days read by the overview and by the trainees table
    # filtered below the threshold or sorted on recall; cold steps empty the cache first.
    Step("retention_overview", "Retention: overview", ["retention overview"], "manager"),
    Step(
        "retention_overview_cold",
        "Retention: overview, cold cache",
        ["retention overview (cold)"],
        "manager",
    ),
    Step("retention_table", "Retention: trainees table", ["retention table"], "manager"),
    Step(
        "retention_table_cold",
        "Retention: trainees table, cold cache",
        ["retention table (cold)"],
        "manager",
    ),
    Step(
        "api_trainees",
        "API trainees list (100 a page, cursor)",
        ["api trainees (first page)", "api trainees (next page)"],
        "api",
    ),
    Step("verify", "Certificate verification page", ["certificate verification"], "lookup"),
    Step("api_certificate", "API certificate by code", ["api certificate"], "lookup"),
]
# The trainee steps again, on two app servers behind a round-robin client (PostgreSQL and
# Redis shared): what more than one machine costs per request.
TWO_SERVER_STEPS = [
    Step(f"two_{step.key}", f"{step.label}, 2 servers", step.names, step.group, drive=step.key)
    for step in STEPS
    if step.key in ("floor", "lessons_index", "attempt_page", "autosave", "quiz_flow", "whole_quiz")
]
# Rows reported from the quiz flow's own requests (capacity.part_rates): label, request name.
PARTS = [("Start (in the quiz flow)", "start"), ("Submit (in the quiz flow)", "submit")]
# Steps whose confirmed answers are checked against the database right after them.
WRITE_STEPS = {"result", "autosave", "quiz_flow", "whole_quiz"}


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


class BenchError(RuntimeError):
    pass


# -- environments and processes ---------------------------------------------


def ensure_load_env() -> None:
    """Install Locust into bench/.venv-load, apart from the app's dependencies."""
    if LOCUST.exists():
        return
    log("creating the load tool's environment bench/.venv-load (Locust)")
    subprocess.run([sys.executable, "-m", "venv", str(LOAD_VENV)], check=True)
    subprocess.run(
        [str(LOAD_VENV / "bin" / "pip"), "install", "--quiet", "-r", str(LOAD_REQUIREMENTS)],
        check=True,
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(database_url: str | None, name: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "BENCH_")) and key != "DATABASE_URL"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_STATIC_ROOT": str(VAR / "static"),
            "DJANGO_VAR_DIR": str(VAR),
            # The databases are built at once: each keeps its uploaded files apart.
            "DJANGO_MEDIA_ROOT": str(VAR / name / "media"),
            "DJANGO_CPD_EVIDENCE_ROOT": str(VAR / name / "cpd-evidence"),
            "BENCH_SQLITE_PATH": str(VAR / "bench.sqlite3"),
            "PYTHONPATH": str(ROOT),
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def manage(env: dict, *args: str, logfile: Path) -> float:
    """Run a management command; return its wall time in seconds."""
    started = time.perf_counter()
    with open(logfile, "a") as out:
        out.write(f"\n$ manage.py {' '.join(args)}\n")
        out.flush()
        result = subprocess.run(
            [str(APP_PYTHON), "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    if result.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed; see {logfile}")
    return time.perf_counter() - started


def python_module(env: dict, *args: str, logfile: Path) -> None:
    with open(logfile, "a") as out:
        result = subprocess.run(
            [str(APP_PYTHON), "-m", *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    if result.returncode != 0:
        raise BenchError(f"python -m {' '.join(args)} failed; see {logfile}")


def postgres_bench_url(database_url: str) -> str:
    """Point the given PostgreSQL URL at the benchmark's own database."""
    parts = urllib.parse.urlsplit(database_url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + PG_BENCH_DB))


def recreate_postgres_database(database_url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(database_url)
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_BENCH_DB}"')


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


class Gunicorn:
    """The site under gunicorn: 2 sync workers, loopback only, no control socket."""

    def __init__(self, env: dict, logfile: Path, workers: int = WORKERS):
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logfile = logfile
        self.out = open(logfile, "a")
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "trainingsite.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--no-control-socket",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.out,
            stderr=subprocess.STDOUT,
        )
        self.wait_ready()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited at start-up; see {self.logfile}")
            try:
                with urllib.request.urlopen(self.url + "/bench/bare", timeout=2) as response:
                    if response.status == 200 and len(self.worker_pids()) == self.workers:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise BenchError("gunicorn did not answer within 60 s")

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.out.close()


# -- measurement -------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, int(round(fraction * len(ordered) + 0.4999)))
    return ordered[min(rank, len(ordered)) - 1]


def run_step(
    step: Step,
    *,
    urls: list[str],
    state_path: Path,
    workdir: Path,
    app_pids: list[int],
    pg_database: str | None,
) -> dict:
    """Drive one step with a headless Locust process; sample CPU while it runs."""
    out_path = workdir / f"step-{step.key}.json"
    out_path.unlink(missing_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "BENCH_")) and key != "DATABASE_URL"
    }
    env.update(
        {
            "BENCH_STEP": step.drive,
            "BENCH_STATE": str(state_path),
            "BENCH_OUT": str(out_path),
            "BENCH_SECONDS": str(SECONDS),
            "BENCH_USERS": str(step.users),
            "PYTHONPATH": str(ROOT),
        }
    )
    if len(urls) > 1:
        env["BENCH_HOSTS"] = ",".join(urls)
    command = [
        str(LOCUST),
        "-f",
        str(BENCH / "locustfile.py"),
        "--headless",
        "--users",
        str(step.users),
        "--spawn-rate",
        str(step.users),
        # A safety bound only: the users stop themselves after BENCH_SECONDS.
        "--run-time",
        f"{int(SECONDS) + 120}s",
        "--stop-timeout",
        "30",
        "--host",
        urls[0],
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    with open(workdir / f"locust-{step.key}.log", "w") as logfile:
        locust = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=logfile, stderr=subprocess.STDOUT
        )
        sampler = capacity.CpuSampler(
            app_pids=app_pids, load_pid=locust.pid, pg_database=pg_database
        )
        sampler.start()
        try:
            locust.wait(timeout=SECONDS + 180)
        except subprocess.TimeoutExpired:
            locust.kill()
            locust.wait()
        finally:
            sampler.stop()
    if not out_path.exists():
        raise BenchError(f"step {step.key}: Locust wrote no measurements; see {workdir}")
    raw = json.loads(out_path.read_text())
    row = summarise(step, raw)
    window = sampler.window(raw["notes"]["window_start"], raw["notes"]["window_end"])
    row.update(capacity.cpu_per_request(window, raw["records"]))
    return row


def latency(records: list) -> dict:
    times = [r[2] for r in records]
    return {
        "requests": len(records),
        "p50_ms": round(percentile(times, 0.50), 1) if times else None,
        "p95_ms": round(percentile(times, 0.95), 1) if times else None,
    }


def summarise(step: Step, raw: dict) -> dict:
    """Reduce one step's raw records to its row: only requests sent inside the window count."""
    notes = raw["notes"]
    start, end = notes["window_start"], notes["window_end"]
    measured, other = [], []
    for record in raw["records"]:
        inside = start is not None and record[1] >= start and record[0] in step.names
        (measured if inside else other).append(record)
    errors = [r for r in raw["records"] if r[4] is not None]
    duration = (end - start) if start and end else 0.0
    queries = [r[5] for r in measured if r[5] is not None]
    return {
        "key": step.key,
        "label": step.label,
        "group": step.group,
        "users": step.users,
        **latency(measured),
        "seconds": round(duration, 2),
        "rps": round(len(measured) / duration, 1) if duration else 0.0,
        "errors": len(errors) + len(notes["setup_errors"]),
        "error_samples": sorted({r[4] for r in errors})[:5] + notes["setup_errors"][:5],
        "queries_mean": round(statistics.fmean(queries), 1) if queries else None,
        "queries_min": min(queries) if queries else None,
        "queries_max": max(queries) if queries else None,
        "by_request": {
            name: {
                **latency([r for r in measured if r[0] == name]),
                "queries": sorted({r[5] for r in measured if r[0] == name and r[5] is not None}),
            }
            for name in step.names
        },
        "login_ms": [r[2] for r in other if r[0] == "login"],
        "expected": notes.get("expected", []),
        "costs": capacity.header_costs(measured),
        **_quizzes(step, measured, duration),
        **_flow(step, raw["records"], start, duration),
    }


def _flow(step: Step, records: list, start: float | None, duration: float) -> dict:
    """For the quiz flow: every request of the window by name (start, page, ..., result)."""
    if step.group != "flow" or start is None or not duration:
        return {}
    window = [r for r in records if r[1] >= start and not r[0].startswith("login")]
    names = sorted({r[0] for r in window})
    return {
        "flow": {
            "rps_all": round(len(window) / duration, 2),
            "app_ms_all": capacity.header_costs(window)["app_ms"],
            "by_name": {
                name: {
                    **latency(picked := [r for r in window if r[0] == name]),
                    **capacity.header_costs(picked),
                    "queries": [r[5] for r in picked if r[5] is not None],
                    "errors": sum(1 for r in picked if r[4] is not None),
                }
                for name in names
            },
        }
    }


def part_rows(rows: list[dict]) -> list[dict]:
    """Start and submit as rows of their own, from the quiz flow's requests (part_rates)."""
    by_key = {row["key"]: row for row in rows}
    parts = []
    for prefix, floor_key in (("", "floor"), ("two_", "two_floor")):
        flow, floor = by_key.get(f"{prefix}quiz_flow"), by_key.get(floor_key)
        if not flow or not floor or "flow" not in flow:
            continue
        rates = capacity.part_rates(flow["flow"], floor)
        suffix = ", 2 servers" if prefix else ""
        for label, name in PARTS:
            own = flow["flow"]["by_name"].get(name)
            if own is None:
                continue
            queries = own["queries"]
            parts.append(
                {
                    "key": f"{prefix}{name}",
                    "label": label + suffix,
                    "group": "part",
                    "users": flow["users"],
                    "requests": own["requests"],
                    "p50_ms": own["p50_ms"],
                    "p95_ms": own["p95_ms"],
                    "seconds": flow["seconds"],
                    "rps": rates.get(name, 0.0),
                    "errors": own["errors"],
                    "error_samples": [],
                    "queries_mean": round(statistics.fmean(queries), 1) if queries else None,
                    "queries_min": min(queries) if queries else None,
                    "queries_max": max(queries) if queries else None,
                    "costs": {k: own[k] for k in ("app_ms", "db_ms", "cache_calls", "cache_ms")},
                    "derived_from": flow["key"],
                }
            )
    return parts


def _quizzes(step: Step, measured: list, duration: float) -> dict:
    """For the whole-quiz step: quizzes completed (results read) per second, requests each."""
    if step.group != "quiz":
        return {}
    done = sum(1 for r in measured if r[0] == WHOLE_QUIZ_RESULT and r[3] == 200)
    return {
        "quizzes": done,
        "quizzes_per_s": round(done / duration, 2) if duration else 0.0,
        "requests_per_quiz": round(len(measured) / done, 1) if done else None,
    }


def evaluate(rows: list[dict], *, floor_key: str = "floor") -> None:
    """Add ratios to the bare view and the floor page, and each step's target verdict."""
    by_key = {row["key"]: row for row in rows}
    bare = by_key.get("bare", {}).get("rps") or None
    floor = by_key.get(floor_key, {}).get("rps") or None
    for row in rows:
        # The whole quiz is measured in quizzes, not requests: its ratio is quizzes per
        # second over the floor's requests per second.
        rate = row["quizzes_per_s"] if row["group"] == "quiz" else row["rps"]
        row["vs_bare"] = round(rate / bare, 3) if bare else None
        row["vs_floor"] = round(rate / floor, 3) if floor else None
        checks = []
        if row["group"] == "read":
            checks.append(
                (f">= {READ_FLOOR_RATIO:.0%} of floor", (row["vs_floor"] or 0) >= READ_FLOOR_RATIO)
            )
            checks.append((f"p95 < {READ_P95_MS} ms", (row["p95_ms"] or 1e9) < READ_P95_MS))
        elif row["group"] in ("write", "flow", "part"):
            wanted = {"write": WRITE_FLOOR_RATIO, "flow": FLOW_FLOOR_RATIO}.get(
                row["group"], PART_FLOOR_RATIO
            )
            checks.append((f">= {wanted:.0%} of floor", (row["vs_floor"] or 0) >= wanted))
        elif row["group"] == "quiz":
            checks.append(
                (
                    f"quizzes/s >= {WHOLE_QUIZ_FLOOR_RATIO:.3f} of floor rps",
                    (row["vs_floor"] or 0) >= WHOLE_QUIZ_FLOOR_RATIO,
                )
            )
        elif row["group"] == "manager":
            checks.append((f"p95 < {MANAGER_P95_MS} ms", (row["p95_ms"] or 1e9) < MANAGER_P95_MS))
        elif row["group"] == "api":
            checks.append((f"p95 < {API_LIST_P95_MS} ms", (row["p95_ms"] or 1e9) < API_LIST_P95_MS))
        elif row["group"] == "lookup":
            checks.append(
                (
                    f">= {LOOKUP_FLOOR_RATIO:.0%} of floor",
                    (row["vs_floor"] or 0) >= LOOKUP_FLOOR_RATIO,
                )
            )
        if row["group"] != "reference":
            checks.append(("no errors", row["errors"] == 0))
        row["target"] = "; ".join(name for name, _ in checks) or "-"
        row["passed"] = all(ok for _, ok in checks) if checks else None


# -- the CSV export -----------------------------------------------------------


def read_status_kb(pid: int, field: str) -> int:
    """Return a memory field of /proc/<pid>/status (VmRSS, VmHWM) in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise BenchError(f"no {field} for process {pid}")


def reset_peak_rss(pid: int) -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) of a process; False where not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


class MemorySampler(threading.Thread):
    """Sample the workers' resident memory every 10 ms while a request runs."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids = pids
        self.peak = {pid: read_status_kb(pid, "VmRSS") for pid in pids}
        self.running = True

    def run(self) -> None:
        while self.running:
            for pid in self.pids:
                self.peak[pid] = max(self.peak[pid], read_status_kb(pid, "VmRSS"))
            time.sleep(0.01)

    def stop(self) -> dict[int, int]:
        self.running = False
        self.join()
        return self.peak


def signed_in_opener(url: str, username: str, password: str) -> urllib.request.OpenerDirector:
    """Log in through the real login form (password, CSRF) and return a cookie-keeping opener."""
    return signed_in(url, username, password)[0]


def signed_in_jar(url: str, username: str, password: str) -> CookieJar:
    """Log in through the real login form; return the session's cookies."""
    return signed_in(url, username, password)[1]


def signed_in(url: str, username: str, password: str) -> tuple:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(url + "/accounts/login/", timeout=30) as response:
        page = response.read().decode()
    token = CSRF_INPUT.search(page)
    if token is None:
        raise BenchError("the login page has no CSRF token")
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(
        url + "/accounts/login/", data=form, headers={"Referer": url + "/accounts/login/"}
    )
    with opener.open(request, timeout=60) as response:
        response.read()
    if not any(cookie.name == "sessionid" for cookie in jar):
        raise BenchError(f"could not log in as {username}")
    return opener, jar


def measure_export(server: "Gunicorn", state: dict, runs: int = 3) -> dict:
    """Download the trainees CSV `runs` times; time each and take the workers' memory growth."""
    opener = signed_in_opener(server.url, state["managers"][0], state["password"])
    pids = server.worker_pids()
    measurements = []
    for _ in range(runs):
        baseline = {pid: read_status_kb(pid, "VmRSS") for pid in pids}
        exact = all(reset_peak_rss(pid) for pid in pids)
        sampler = MemorySampler(pids)
        sampler.start()
        started = time.perf_counter()
        size = rows = 0
        try:
            with opener.open(server.url + "/reports/trainees.csv", timeout=120) as response:
                status = response.status
                queries = response.headers.get(QUERY_COUNT_HEADER)
                for line in response:
                    size += len(line)
                    rows += 1
        except urllib.error.HTTPError as error:
            status, queries = error.code, None
        seconds = time.perf_counter() - started
        sampled = sampler.stop()
        peaks = {
            pid: max(sampled[pid], read_status_kb(pid, "VmHWM") if exact else 0) for pid in pids
        }
        growth_kb = max(peaks[pid] - baseline[pid] for pid in pids)
        measurements.append(
            {
                "status": status,
                "seconds": round(seconds, 2),
                "rows": max(rows - 1, 0),
                "bytes": size,
                "queries_before_first_byte": None if queries is None else int(queries),
                "peak_growth_mb": round(growth_kb / 1024, 1),
                "peak_rss_mb": round(max(peaks.values()) / 1024, 1),
                "peak_from": "VmHWM and 10 ms samples" if exact else "10 ms samples",
            }
        )
    worst = max(measurements, key=lambda m: m["seconds"])
    return {
        "runs": measurements,
        "seconds": worst["seconds"],
        "rows": worst["rows"],
        "peak_growth_mb": max(m["peak_growth_mb"] for m in measurements),
        "errors": sum(1 for m in measurements if m["status"] != 200),
        "passed": (
            all(m["status"] == 200 for m in measurements)
            and max(m["seconds"] for m in measurements) < EXPORT_SECONDS
            and max(m["peak_growth_mb"] for m in measurements) < EXPORT_MEMORY_MB
        ),
    }


# -- the run -------------------------------------------------------------------


def prepare_database(name: str, database_url: str | None) -> dict:
    """Build one database and the accounts' state; nothing is measured yet."""
    workdir = VAR / name
    workdir.mkdir(parents=True, exist_ok=True)
    logfile = workdir / "build.log"
    logfile.write_text("")
    env = app_env(database_url, name)
    result: dict = {"database": name}
    if os.environ.get("BENCH_REUSE_DB") == "1":
        # The last database, brought up to the code's migrations (a no-op when current).
        manage(env, "migrate", "--no-input", logfile=logfile)
    else:
        if database_url:
            recreate_postgres_database(database_url)
        else:
            remove_sqlite(VAR / "bench.sqlite3")
        log(f"{name}: migrate")
        result["migrate_seconds"] = round(manage(env, "migrate", "--no-input", logfile=logfile), 1)
        log(f"{name}: load the shipped content and build the large data set")
        manage(env, "setup_demo", logfile=logfile)
        if os.environ.get("BENCH_SKIP_DATA") == "1":
            result["data_build_seconds"] = None
            log(f"{name}: BENCH_SKIP_DATA=1: the shipped content only, no large data set")
        else:
            result["data_build_seconds"] = round(build_data(env, logfile), 1)
            log(f"{name}: data set built in {result['data_build_seconds']} s")
    python_module(
        env,
        "bench.dbtasks",
        "prepare",
        str(workdir / "state.json"),
        "--users",
        str(USERS),
        logfile=logfile,
    )
    return result


def prepare_all(databases: list[tuple[str, str | None]]) -> dict[str, dict | BenchError]:
    """Build every database at once: independent processes, before any step is measured."""
    env = app_env(None, "sqlite")
    logfile = VAR / "setup.log"
    logfile.write_text("")
    manage(env, "credential_keys", "--ensure", logfile=logfile)
    manage(env, "collectstatic", "--no-input", "--clear", logfile=logfile)
    outcome: dict[str, dict | BenchError] = {}

    def build(name: str, url: str | None) -> None:
        try:
            outcome[name] = prepare_database(name, url)
        except BenchError as error:
            outcome[name] = error

    threads = [threading.Thread(target=build, args=database) for database in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome


def run_steps(
    name: str,
    steps: list[Step],
    *,
    servers: list["Gunicorn"],
    env: dict,
    state_path: Path,
    pg_database: str | None,
) -> list[dict]:
    """Run the steps against these servers; check the write steps' answers after each."""
    workdir = VAR / name
    rows = []
    for step in steps:
        log(f"{name}: step {step.key}")
        load_before = os.getloadavg()[0]
        row = run_step(
            step,
            urls=[server.url for server in servers],
            state_path=state_path,
            workdir=workdir,
            app_pids=[server.process.pid for server in servers],
            pg_database=pg_database,
        )
        # Other work on the machine skews the figures: keep the evidence with them.
        row["load_average_before"] = round(load_before, 2)
        if step.drive in WRITE_STEPS:
            row["answers"] = verify_answers(env, row.pop("expected"), workdir, step.key)
            if row["answers"]["lost"]:
                row["errors"] += row["answers"]["lost"]
                row["error_samples"] += row["answers"]["details"][:5]
        else:
            row.pop("expected")
        row.pop("login_ms")
        rows.append(row)
    # Start and submit follow the quiz flow they were measured in.
    parts = part_rows(rows)
    return [
        placed
        for row in rows
        for placed in [row, *(p for p in parts if p["derived_from"] == row["key"])]
    ]


def run_database(name: str, database_url: str | None, steps: list[Step], result: dict) -> dict:
    """Measure one prepared database: the steps, the CSV export, then the two-server steps."""
    workdir = VAR / name
    env = app_env(database_url, name)
    state_path = workdir / "state.json"
    state = json.loads(state_path.read_text())
    result["trainees"] = state["trainee_count"]
    result["lookup_codes"] = state["code_states"]
    pg_database = PG_BENCH_DB if database_url else None

    server = Gunicorn(env, workdir / "gunicorn.log")
    try:
        result["login"] = sign_in_all(server.url, state, state_path)
        rows = run_steps(
            name, steps, servers=[server], env=env, state_path=state_path, pg_database=pg_database
        )
        evaluate(rows)
        result["steps"] = rows
        if os.environ.get("BENCH_SKIP_EXPORT") != "1":
            log(f"{name}: CSV export of all trainees")
            result["export"] = measure_export(server, state)
            counted = workdir / "export-queries.json"
            try:
                python_module(
                    env,
                    "bench.dbtasks",
                    "export-queries",
                    str(state_path),
                    str(counted),
                    logfile=workdir / "build.log",
                )
                result["export"]["queries"] = json.loads(counted.read_text())["queries"]
            except BenchError as error:
                result["export"]["errors"] += 1
                result["export"]["runs"].append({"queries": str(error)})
    finally:
        server.stop()
    two = [step for step in TWO_SERVER_STEPS if step.drive in {s.key for s in steps}]
    if database_url and two and os.environ.get("BENCH_SKIP_TWO_SERVERS") != "1":
        result["two_servers"] = run_two_servers(name, env, two, state_path)
    return result


def run_two_servers(name: str, env: dict, steps: list[Step], state_path: Path) -> dict:
    """The trainee steps on two gunicorn masters sharing PostgreSQL and Redis."""
    import redis

    redis.Redis.from_url(BENCH_REDIS_URL).flushdb()
    shared = {**env, "DJANGO_CACHE_URL": BENCH_REDIS_URL}
    log(f"{name}: {SERVERS} app servers of {WORKERS_PER_SERVER} worker, Redis {BENCH_REDIS_URL}")
    servers: list[Gunicorn] = []
    try:
        for number in range(SERVERS):
            servers.append(
                Gunicorn(
                    shared, VAR / name / f"gunicorn-{number + 1}.log", workers=WORKERS_PER_SERVER
                )
            )
        warm_up(servers, json.loads(state_path.read_text()))
        rows = run_steps(
            name,
            steps,
            servers=servers,
            env=env,
            state_path=state_path,
            pg_database=PG_BENCH_DB,
        )
    finally:
        for server in servers:
            server.stop()
    evaluate(rows, floor_key="two_floor")
    return {
        "servers": SERVERS,
        "workers_per_server": WORKERS_PER_SERVER,
        "cache": BENCH_REDIS_URL,
        "steps": rows,
        "capacity": capacity.model(rows),
    }


def warm_up(servers: list["Gunicorn"], state: dict, rounds: int = 3) -> None:
    """Load each fresh worker's code paths once, as the single server's sign-ins do."""
    session = state["sessions"][state["trainees"][0]]
    cookies = "; ".join(f"{name}={value}" for name, value in session.items())
    for server in servers:
        for _ in range(rounds):
            for path in ("/bench/floor", "/lessons/", f"/quizzes/{state['quiz']}/"):
                request = urllib.request.Request(server.url + path, headers={"Cookie": cookies})
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()


def sign_in_all(url: str, state: dict, state_path: Path) -> dict:
    """Sign every bench account in once, through the real login form, in parallel.

    Every step's users then start from these sessions (cookies in the state file):
    a login costs a PBKDF2 hash, about half a second of a core, and is no step's subject.
    """
    usernames = [*state["trainees"], *state["managers"]]
    sessions: dict[str, dict] = {}
    times: list[float] = []
    errors: list[str] = []

    def sign_in(username: str) -> None:
        started = time.perf_counter()
        try:
            jar = signed_in_jar(url, username, state["password"])
        except (BenchError, OSError) as error:
            errors.append(f"{username}: {error}")
            return
        times.append((time.perf_counter() - started) * 1000)
        sessions[username] = {cookie.name: cookie.value for cookie in jar}

    threads = [threading.Thread(target=sign_in, args=(username,)) for username in usernames]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise BenchError(f"sign-in failed: {errors[:3]}")
    state["sessions"] = sessions
    state_path.write_text(json.dumps(state, indent=1))
    return {
        "count": len(times),
        "p50_ms": round(percentile(times, 0.5), 1) if times else None,
        "p95_ms": round(percentile(times, 0.95), 1) if times else None,
    }


def verify_answers(env: dict, expected: list, workdir: Path, key: str) -> dict:
    """Count the answers the load tool saw confirmed that the database lost."""
    expected_path = workdir / f"expected-{key}.json"
    outcome_path = workdir / f"answers-{key}.json"
    expected_path.write_text(json.dumps(expected))
    python_module(
        env,
        "bench.dbtasks",
        "verify",
        str(expected_path),
        str(outcome_path),
        logfile=workdir / "build.log",
    )
    return json.loads(outcome_path.read_text())


def build_data(env: dict, logfile: Path) -> float:
    """Build the large data set with the reports' command; return seconds."""
    probe = subprocess.run(
        [str(APP_PYTHON), "manage.py", "help", "generate_load_data"],
        cwd=ROOT,
        env=env,
        capture_output=True,
    )
    if probe.returncode != 0:
        raise BenchError("manage.py generate_load_data is missing (reports issue)")
    return manage(env, "generate_load_data", logfile=logfile)


def machine() -> dict:
    memory = ""
    try:
        memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "nproc": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
        "memory": memory.splitlines()[1].split()[1] if memory else "",
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def format_table(result: dict) -> str:
    header = (
        "| Step | users | rps | p50 ms | p95 ms | errors | queries/req "
        "| vs bare | vs floor | target | pass |"
    )
    lines = [header, "|" + "---|" * 11]
    for row in result["steps"]:
        queries = "-" if row["queries_mean"] is None else f"{row['queries_mean']:g}"
        if row["queries_min"] is not None and row["queries_min"] != row["queries_max"]:
            queries += f" ({row['queries_min']}-{row['queries_max']})"
        verdict = {True: "pass", False: "FAIL", None: "-"}[row["passed"]]
        lines.append(
            f"| {row['label']} | {row['users']} | {row['rps']:g} | {row['p50_ms']} | "
            f"{row['p95_ms']} | {row['errors']} | {queries} | {ratio(row['vs_bare'])} | "
            f"{ratio(row['vs_floor'])} | {row['target']} | {verdict} |"
        )
    return "\n".join(lines)


def format_summary(result: dict) -> str:
    """The figures outside the table: data build, export, memory, lost answers, logins."""
    lines = []
    build = result.get("data_build_seconds")
    lines.append(
        f"- Data set: {result.get('trainees', '?')} trainees in cohorts; built in "
        + (f"{build} s" if build is not None else "(reused or skipped)")
        + (f" (migrate {result['migrate_seconds']} s)" if "migrate_seconds" in result else "")
        + "."
    )
    export = result.get("export")
    if export:
        verdict = "pass" if export["passed"] else "FAIL"
        lines.append(
            f"- CSV export of all trainees: {export['rows']} rows in {export['seconds']} s "
            f"(slowest of {len(export['runs'])}; target < {EXPORT_SECONDS:g} s); "
            f"worker peak memory growth {export['peak_growth_mb']} MB "
            f"(target < {EXPORT_MEMORY_MB:g} MB); "
            f"{export.get('queries', '?')} SQL queries for the whole export: {verdict}."
        )
    codes = result.get("lookup_codes")
    if codes:
        lines.append(
            "- Certificate look-ups cycle over "
            + ", ".join(f"{count} {state}" for state, count in codes.items())
            + " codes of the data set, interleaved."
        )
    lines += step_notes(result["steps"])
    login = result["login"]
    lines.append(
        f"- Logins (real form, real password, PBKDF2): {login['count']} accounts signed in once, "
        f"at once, before the first step, p50 {login['p50_ms']} ms, p95 {login['p95_ms']} ms; "
        "every step's users start from these sessions."
    )
    return "\n".join(lines)


def step_notes(rows: list[dict]) -> list[str]:
    """The whole quiz's quizzes, the start and submit rows' measure, the answers checked."""
    lines = []
    for row in rows:
        if row.get("group") == "part":
            lines.append(
                f"- {row['label']}: {row['requests']} requests of the quiz flow's window; "
                f"rps is the rate the flow's machine time gives a request of its time in Django "
                f"({row['costs']['app_ms']} ms; bench/capacity.py, part_rates)."
            )
        if row.get("group") == "quiz":
            lines.append(
                f"- {row['label']}: {row['quizzes']} quizzes completed in {row['seconds']} s, "
                f"{row['quizzes_per_s']} a second, {row['requests_per_quiz']} requests each "
                f"(the ratio in the table is quizzes per second over the floor's requests per "
                f"second)."
            )
        if "answers" in row:
            answers = row["answers"]
            lines.append(
                f"- {row['label']}: {answers['answers_checked']} confirmed answers in "
                f"{answers['attempts']} attempts checked against the database, "
                f"{answers['lost']} lost."
            )
    return lines


def all_rows(result: dict) -> list[dict]:
    return result["steps"] + result.get("two_servers", {}).get("steps", [])


def busiest(report: dict) -> float:
    loads = [
        row.get("load_average_before", 0.0)
        for result in report["databases"]
        for row in all_rows(result)
    ]
    return max(loads, default=0.0)


def format_database(result: dict) -> list[str]:
    """One database's tables: the steps, their costs, the two-server steps, the model."""
    parts = [format_table(result), "", format_summary(result)]
    parts += [
        "",
        "Per-request costs (bench/capacity.py):",
        "",
        capacity.format_costs(result["steps"]),
    ]
    two = result.get("two_servers")
    if two:
        parts += [
            "",
            f"Two app servers ({two['servers']} gunicorn masters of "
            f"{two['workers_per_server']} sync worker on their own ports, Locust users sending "
            f"each request to the next server in turn; sessions in PostgreSQL, cache in Redis "
            f"{two['cache']}); ratios to this group's own floor page:",
            "",
            format_table(two),
            "",
            capacity.format_costs(two["steps"]),
            "",
            'Capacity model (bench/README.md, "Capacity model"):',
            "",
            capacity.format_model(two["capacity"]),
        ]
        parts += step_notes(two["steps"])
    return parts


def write_results(report: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=1) + "\n")
    machine_line = (
        f"{report['machine']['nproc']} cores, {report['machine']['memory']} memory, "
        f"Python {report['machine']['python']}"
    )
    parts = [
        f"# Benchmark of {report['finished_at']}",
        "",
        f"Machine: {machine_line}. gunicorn {WORKERS} sync workers; Locust over loopback, "
        f"{USERS} concurrent users per step ({MANAGER_USERS} on the manager pages and the "
        "API's trainees list), "
        f"{SECONDS:g} s measured per step; total run {report['total_seconds']} s "
        f"(the databases built at once in {report.get('prepare_seconds', '?')} s).",
        "",
        f"Load average (1 min) before the run: {report['load_average_at_start']}; highest before "
        f"a step: {busiest(report)}. The benchmark itself keeps about 3 processes busy (2 "
        "workers, Locust); much more than that means other work shared the 2 cores.",
    ]
    for result in report["databases"]:
        parts += ["", f"## {result['database']}", "", *format_database(result)]
    if report["failures"]:
        parts += ["", "## Failures", ""] + [f"- {failure}" for failure in report["failures"]]
    (RESULTS / "latest.md").write_text("\n".join(parts) + "\n")


def main() -> int:
    started = time.monotonic()
    VAR.mkdir(parents=True, exist_ok=True)
    ensure_load_env()
    wanted = os.environ.get("BENCH_STEPS")
    steps = [s for s in STEPS if not wanted or s.key in wanted.split(",")]
    databases: list[tuple[str, str | None]] = [("sqlite", None)]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        databases.append(("postgresql", postgres_bench_url(os.environ["DATABASE_URL"])))

    report = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "machine": machine(),
        "settings": {
            "workers": WORKERS,
            "users": USERS,
            "manager_users": MANAGER_USERS,
            "seconds_per_step": SECONDS,
            "two_servers": {"servers": SERVERS, "workers_per_server": WORKERS_PER_SERVER},
        },
        "databases": [],
    }
    failures = []
    log("building " + " and ".join(name for name, _ in databases) + " at once")
    try:
        prepared = prepare_all(databases)
    except BenchError as error:
        prepared = {name: error for name, _ in databases}
    report["prepare_seconds"] = round(time.monotonic() - started, 1)
    for name, url in databases:
        try:
            if isinstance(prepared[name], BenchError):
                raise prepared[name]
            result = run_database(name, url, steps, prepared[name])
        except BenchError as error:
            failures.append(f"{name}: {error}")
            log(f"FAILED {name}: {error}")
            continue
        report["databases"].append(result)
        print()
        print(f"== {name} ==")
        print("\n".join(format_database(result)))
        for row in all_rows(result):
            if row["errors"]:
                failures.append(
                    f"{name} {row['key']}: {row['errors']} errors {row['error_samples']}"
                )
        if result.get("export", {}).get("errors"):
            failures.append(f"{name} export: {result['export']['runs']}")
        print()
    report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    report["total_seconds"] = round(time.monotonic() - started, 1)
    report["failures"] = failures
    write_results(report)
    log(f"done in {report['total_seconds']} s; results in {RESULTS.relative_to(ROOT)}/latest.*")
    if failures:
        for failure in failures:
            log(f"ERROR {failure}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
