"""What each request costs, and what that means for capacity (used by bench/run.py).

Three measurements per step:

- from the bench middleware's headers (bench/middleware.py): time inside Django, summed
  SQL statement time and cache round trips, per request;
- from /proc: the CPU seconds the app workers, the benchmark database's PostgreSQL
  backends, Redis and Locust used inside the measured window (CpuSampler), per request;
- for the quiz flow's start and submit, a requests/s equivalent (part_rates).

The capacity model (model) turns the two-server group's CPU per request into requests a
second per app core and per PostgreSQL core, and into the app servers and PostgreSQL
cores a 50,000-trainee organisation's busiest hour needs.
"""

import math
import os
import statistics
import threading
import time
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SAMPLE_SECONDS = 0.2
# Record fields after the six of bench/locustfile.py's record(): the middleware's headers.
DB_MS, APP_MS, CACHE_CALLS, CACHE_MS = 6, 7, 8, 9

# -- the capacity model's assumptions (stated in bench/README.md) ---------------------------
ORGANISATION_TRAINEES = 50_000
BUSIEST_HOUR_ACTIVE = 0.10  # share of trainees active in the busiest hour
READS_PER_ACTIVE_TRAINEE = 6  # lessons page, 3 lessons, the quiz page, the dashboard
QUIZZES_PER_ACTIVE_TRAINEE = 1  # one whole quiz of 10 questions: 14 requests
PEAK_FACTOR = 3.0  # the busiest minute over the busiest hour's mean
CPU_HEADROOM = 0.6  # run cores at most this busy at that peak
CORES_PER_APP_SERVER = 2  # this machine's size
MIN_APP_SERVERS = 2  # one may fail or be replaced


def field(record: list, index: int):
    return record[index] if len(record) > index else None


def mean(values: list) -> float | None:
    present = [value for value in values if value is not None]
    return round(statistics.fmean(present), 2) if present else None


def header_costs(records: list) -> dict:
    """Mean time in Django, SQL time and cache round trips of these requests."""
    return {
        "app_ms": mean([field(r, APP_MS) for r in records]),
        "db_ms": mean([field(r, DB_MS) for r in records]),
        "cache_calls": mean([field(r, CACHE_CALLS) for r in records]),
        "cache_ms": mean([field(r, CACHE_MS) for r in records]),
    }


# -- CPU from /proc --------------------------------------------------------------------------


def _cpu_ticks(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def process_tree(pids: list[int]) -> list[int]:
    found, todo = [], list(pids)
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += _children(pid)
    return found


def service_pids(pg_database: str | None) -> dict[str, list[int]]:
    """The benchmark database's PostgreSQL backends and Redis, found by their process titles.

    The server's shared processes (WAL writer, checkpointer) are left out: other databases
    on the same server may keep them busy.
    """
    pg, redis = [], []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            if comm == "redis-server":
                redis.append(int(entry.name))
            elif comm == "postgres" and pg_database:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                if f" {pg_database} " in title:
                    pg.append(int(entry.name))
        except OSError:
            continue
    return {"db": pg, "cache": redis}


def _machine_ticks() -> tuple[int, int]:
    """Busy and total ticks of all cores (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


class CpuSampler(threading.Thread):
    """Sample the CPU ticks of the app, database, cache and load processes while a step runs."""

    def __init__(self, *, app_pids: list[int], load_pid: int | None, pg_database: str | None):
        super().__init__(daemon=True)
        self.app_pids = app_pids
        self.load_pid = load_pid
        self.pg_database = pg_database
        self.samples: list[tuple[float, dict, tuple[int, int]]] = []
        self.running = True
        self.services = service_pids(pg_database)
        self.sample()

    def sample(self) -> None:
        groups = {
            "app": process_tree(self.app_pids),
            "load": process_tree([self.load_pid]) if self.load_pid else [],
            **self.services,
        }
        ticks = {
            name: {pid: t for pid in pids if (t := _cpu_ticks(pid)) is not None}
            for name, pids in groups.items()
        }
        self.samples.append((time.time(), ticks, _machine_ticks()))

    def run(self) -> None:
        refreshed = time.monotonic()
        while self.running:
            time.sleep(SAMPLE_SECONDS)
            # New database backends appear when a worker connects.
            if time.monotonic() - refreshed > 1.0:
                self.services = service_pids(self.pg_database)
                refreshed = time.monotonic()
            self.sample()

    def stop(self) -> None:
        self.running = False
        self.join()
        self.sample()

    def window(self, start: float | None, end: float | None) -> dict | None:
        """CPU seconds per process group between the samples around [start, end]."""
        if start is None or end is None or len(self.samples) < 2:
            return None
        before = [s for s in self.samples if s[0] <= start] or self.samples[:1]
        after = [s for s in self.samples if s[0] >= end] or self.samples[-1:]
        (t0, ticks0, machine0), (t1, _, machine1) = before[-1], after[0]
        # A process that exited by the sample after the window (Locust, once its users
        # stopped) keeps the ticks of the last sample that saw it.
        last: dict[str, dict[int, int]] = {}
        for when, ticks, _ in self.samples:
            if t0 <= when <= t1:
                for name, pids in ticks.items():
                    last.setdefault(name, {}).update(pids)
        cpu = {
            name: sum(t - ticks0.get(name, {}).get(pid, 0) for pid, t in pids.items()) / CLOCK_TICKS
            for name, pids in last.items()
        }
        busy, total = machine1[0] - machine0[0], machine1[1] - machine0[1]
        return {
            "from": t0,
            "to": t1,
            "cpu_seconds": {name: round(value, 3) for name, value in cpu.items()},
            "machine_busy": round(busy / total, 3) if total else None,
        }


def cpu_per_request(window: dict | None, records: list) -> dict:
    """CPU milliseconds per request of each process group over the sampled window."""
    if window is None:
        return {}
    inside = [r for r in records if window["from"] <= r[1] <= window["to"]]
    if not inside:
        return {}
    return {
        "cpu_ms": {
            name: round(seconds * 1000 / len(inside), 2)
            for name, seconds in window["cpu_seconds"].items()
        },
        "cpu_requests": len(inside),
        "cpu_seconds": round(window["to"] - window["from"], 2),
        "machine_busy": window["machine_busy"],
    }


# -- start and submit: requests/s equivalents from the quiz flow -----------------------------


def part_rates(flow: dict, floor: dict) -> dict[str, float]:
    """Requests a second each request kind of the quiz flow would reach on its own.

    The flow step's window carries a known mix (start, page, autosave, submit, result) at a
    measured rate; a request's share of the machine is taken as a + b * (its time in Django),
    a line through two points of the same run: the floor page (its rate and its time in
    Django) and the flow step as a whole (its rate over all its requests, their mean time in
    Django). The fixed part a is what every request costs outside Django (Locust, gunicorn,
    the socket). A kind with the floor's time in Django gets the floor's rate; the flow's
    mean gets the flow's rate; start and submit fall where their own time puts them.
    """
    rate_all, app_all = flow.get("rps_all"), flow.get("app_ms_all")
    rate_floor, app_floor = floor.get("rps"), floor.get("costs", {}).get("app_ms")
    if not (rate_all and app_all and rate_floor and app_floor):
        return {}
    slope = (1 / rate_all - 1 / rate_floor) / (app_all - app_floor) if app_all > app_floor else 0
    fixed = 1 / rate_floor - slope * app_floor
    if slope <= 0 or fixed <= 0:
        # No usable line: share the step's rate in proportion to time in Django alone.
        slope, fixed = 1 / (rate_all * app_all), 0.0
    return {
        name: round(1 / (fixed + slope * costs["app_ms"]), 1)
        for name, costs in flow["by_name"].items()
        if costs.get("app_ms")
    }


# -- the capacity model -----------------------------------------------------------------------


def model(rows: list[dict]) -> dict | None:
    """App servers and PostgreSQL cores for the busiest hour, from measured CPU per request."""
    by_key = {row["key"]: row for row in rows}
    read, quiz = by_key.get("two_lessons_index"), by_key.get("two_whole_quiz")
    if not read or not quiz or not read.get("cpu_ms") or not quiz.get("cpu_ms"):
        return None
    quiz_requests = quiz.get("requests_per_quiz") or 14
    reads = READS_PER_ACTIVE_TRAINEE
    quiz_share = QUIZZES_PER_ACTIVE_TRAINEE * quiz_requests
    per_trainee = reads + quiz_share

    def blended(group: str, key: str = "cpu_ms") -> float:
        def value(row):
            return row[key][group] if key == "cpu_ms" else row["costs"][key]

        return (reads * value(read) + quiz_share * value(quiz)) / per_trainee

    app_ms, db_ms, cache_ms = blended("app"), blended("db"), blended("cache")
    db_wall_ms = blended(None, "db_ms") if read["costs"]["db_ms"] is not None else None
    active = ORGANISATION_TRAINEES * BUSIEST_HOUR_ACTIVE
    hour_rps = active * per_trainee / 3600
    peak_rps = hour_rps * PEAK_FACTOR
    app_cores = peak_rps * app_ms / 1000 / CPU_HEADROOM
    db_cores = peak_rps * db_ms / 1000 / CPU_HEADROOM
    return {
        "assumptions": {
            "trainees": ORGANISATION_TRAINEES,
            "active_share_in_busiest_hour": BUSIEST_HOUR_ACTIVE,
            "reads_per_active_trainee": reads,
            "whole_quizzes_per_active_trainee": QUIZZES_PER_ACTIVE_TRAINEE,
            "requests_per_quiz": quiz_requests,
            "peak_factor": PEAK_FACTOR,
            "cpu_headroom": CPU_HEADROOM,
            "cores_per_app_server": CORES_PER_APP_SERVER,
        },
        "app_cpu_ms_per_request": round(app_ms, 2),
        "db_cpu_ms_per_request": round(db_ms, 2),
        "cache_cpu_ms_per_request": round(cache_ms, 2),
        "db_statement_ms_per_request": None if db_wall_ms is None else round(db_wall_ms, 2),
        "cache_round_trips_per_request": round(blended(None, "cache_calls"), 2),
        "requests_per_s_per_app_core": round(1000 / app_ms, 1) if app_ms else None,
        "requests_per_s_per_db_core": round(1000 / db_ms, 1) if db_ms else None,
        "requests_per_s_per_db_core_from_statement_time": (
            round(1000 / db_wall_ms, 1) if db_wall_ms else None
        ),
        "requests_per_active_trainee": per_trainee,
        "busiest_hour_requests_per_s": round(hour_rps, 1),
        "peak_requests_per_s": round(peak_rps, 1),
        "app_cores_needed": round(app_cores, 2),
        "app_servers_needed": max(MIN_APP_SERVERS, math.ceil(app_cores / CORES_PER_APP_SERVER)),
        "db_cores_needed": round(db_cores, 2),
    }


def format_costs(rows: list[dict]) -> str:
    """One line per step: time in Django, SQL time, cache round trips, CPU per request."""
    lines = [
        "| Step | app ms/req | SQL ms/req | cache trips/req | cache ms/req "
        "| CPU ms/req: app | PostgreSQL | Redis | Locust | machine busy |",
        "|" + "---|" * 10,
    ]
    for row in rows:
        costs, cpu = row.get("costs") or {}, row.get("cpu_ms") or {}
        cells = [costs.get(k) for k in ("app_ms", "db_ms", "cache_calls", "cache_ms")]
        cells += [cpu.get(k) for k in ("app", "db", "cache", "load")]
        busy = row.get("machine_busy")
        cells.append(None if busy is None else f"{busy:.0%}")
        lines.append(f"| {row['label']} | " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return "-"
    return value if isinstance(value, str) else f"{value:g}"


def format_model(result: dict | None) -> str:
    if not result:
        return "- Capacity model: not computed (needs the two-server steps on PostgreSQL)."
    a = result["assumptions"]
    return "\n".join(
        [
            f"- Per trainee request (the busiest hour's mix: {a['reads_per_active_trainee']} "
            f"reads and {a['whole_quizzes_per_active_trainee']} whole quiz of "
            f"{a['requests_per_quiz']:g} requests per active trainee): app CPU "
            f"{result['app_cpu_ms_per_request']} ms, PostgreSQL CPU "
            f"{result['db_cpu_ms_per_request']} ms, SQL statement time "
            f"{result['db_statement_ms_per_request']} ms, Redis CPU "
            f"{result['cache_cpu_ms_per_request']} ms, "
            f"{result['cache_round_trips_per_request']} cache round trips.",
            f"- One app core carries {result['requests_per_s_per_app_core']} trainee requests a "
            f"second; one PostgreSQL core {result['requests_per_s_per_db_core']} (from its "
            f"measured CPU; {result['requests_per_s_per_db_core_from_statement_time']} if every "
            "millisecond of statement time were PostgreSQL CPU).",
            f"- {a['trainees']:,} trainees, {a['active_share_in_busiest_hour']:.0%} active in the "
            f"busiest hour: {result['busiest_hour_requests_per_s']} requests a second over the "
            f"hour, {result['peak_requests_per_s']} at the peak minute ({a['peak_factor']:g}x); "
            f"at {a['cpu_headroom']:.0%} CPU that needs {result['app_cores_needed']} app cores "
            f"({result['app_servers_needed']} app servers of {a['cores_per_app_server']} cores, "
            f"at least 2) and {result['db_cores_needed']} PostgreSQL cores.",
        ]
    )
