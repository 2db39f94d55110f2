"""Faults under load: gunicorn workers killed with SIGKILL, PostgreSQL restarted.

Trainees autosave and submit on loopback while a worker is killed every few
seconds (the master starts a new one) and, on the PostgreSQL leg, the
database server is restarted. Each client presses the button again when a
request gets no answer or a 5xx, as a person would. Afterwards: every save
the server confirmed is there (a stale-refused retry is confirmed from the
page), each retried submission shows the same result and is scored once,
and the invariant queries find no half-written attempt or certificate.
"""

import os
import random
import shutil
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from django.db import connection, connections

from tests.hardening.realserver import (
    Gunicorn,
    Tally,
    TraineeClient,
    compare_with_database,
    prepare_database,
    require,
    run_threads,
    run_world_script,
    server_env,
    static_root_once,
)

# Bounds a hung thread's wait on a busy machine; a passing run never waits it out.
BUSY_MACHINE_BOUND = 600

pytestmark = pytest.mark.serial

CLIENTS = 8
FAULT_SECONDS = float(os.environ.get("HARDENING_FAULT_SECONDS", "12"))
KILL_EVERY_SECONDS = 2.0
# A 5xx is expected only while PostgreSQL is down, and for a moment after.
RESTART_MARGIN_SECONDS = 5.0
# The local cluster that DATABASE_URL points at (CI: the only one, "main").
CLUSTER = os.environ.get("HARDENING_PG_CLUSTER", "main")


def _postgres_version() -> str:
    versions = sorted(os.listdir("/etc/postgresql")) if Path("/etc/postgresql").is_dir() else []
    return versions[-1] if versions else ""


def _pg_isready() -> bool:
    settings = connection.settings_dict
    result = subprocess.run(
        [
            "pg_isready",
            "-q",
            "-h",
            settings["HOST"] or "localhost",
            "-p",
            str(settings["PORT"] or 5432),
        ],
        check=False,
    )
    return result.returncode == 0


def _restart_postgres() -> None:
    subprocess.run(
        [
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            "--mode",
            "fast",
            _postgres_version(),
            CLUSTER,
            "restart",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


def _ensure_postgres_up() -> None:
    """PostgreSQL must be running again after the test, whatever happened in it."""
    for _ in range(30):
        if _pg_isready():
            return
        time.sleep(1)
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", _postgres_version(), CLUSTER, "start"],
        check=False,
        timeout=60,
    )
    for _ in range(30):
        if _pg_isready():
            return
        time.sleep(1)
    raise AssertionError("PostgreSQL did not come back after the restart")


def _admin_url() -> str:
    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(parts._replace(path="/postgres"))


class ServerDatabase:
    """A committed database for gunicorn: a SQLite file, or a PostgreSQL database of its own."""

    def __init__(self, tmp_path: Path):
        self.postgres = connection.vendor == "postgresql"
        if self.postgres:
            self.name = f"trainingsite_faults_{os.getpid()}"
            parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
            self.url = urllib.parse.urlunsplit(parts._replace(path="/" + self.name))
        else:
            self.url = f"sqlite:///{tmp_path / 'db.sqlite3'}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(_admin_url(), autocommit=True) as admin:
            admin.execute(sql)

    def __enter__(self) -> str:
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')
        return self.url

    def __exit__(self, *exc) -> None:
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Faults(threading.Thread):
    """Kill a worker every KILL_EVERY_SECONDS; restart PostgreSQL at a third and two thirds."""

    def __init__(self, server: Gunicorn, *, restart_postgres: bool, seconds: float):
        super().__init__(daemon=True)
        self.server = server
        self.restart_postgres = restart_postgres
        self.seconds = seconds
        self.kills = 0
        self.restart_windows: list[tuple[float, float]] = []
        self.errors: list[str] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        restarts = threading.Thread(target=self._restarts, args=(started,), daemon=True)
        if self.restart_postgres:
            restarts.start()
        next_kill = started + KILL_EVERY_SECONDS
        try:
            while not self.stopping.wait(0.05):
                if time.monotonic() >= next_kill and self.server.worker_pids():
                    try:
                        self.server.kill_worker()
                    except ProcessLookupError:  # it was already on its way out
                        continue
                    self.kills += 1
                    next_kill = time.monotonic() + KILL_EVERY_SECONDS
        except Exception as error:  # noqa: BLE001 - reported to the test
            self.errors.append(f"{type(error).__name__}: {error}")
        if restarts.is_alive():
            restarts.join(90)

    def _restarts(self, started: float) -> None:
        """Restart PostgreSQL at a third and at two thirds of the run, beside the kills."""
        try:
            for due in (started + self.seconds / 3, started + 2 * self.seconds / 3):
                if self.stopping.wait(max(0.0, due - time.monotonic())):
                    return
                down = time.monotonic()
                _restart_postgres()
                _ensure_postgres_up()
                self.restart_windows.append((down, time.monotonic()))
        except Exception as error:  # noqa: BLE001 - reported to the test
            self.errors.append(f"{type(error).__name__}: {error}")

    def outside_restarts(self, server_errors: list[tuple[float, str]]) -> list[str]:
        return [
            what
            for at, what in server_errors
            if not any(
                start <= at <= end + RESTART_MARGIN_SECONDS for start, end in self.restart_windows
            )
        ]


def test_killed_workers_and_a_restarted_database_lose_no_confirmed_answer(
    tmp_path, tmp_path_factory
):
    restart_postgres = connection.vendor == "postgresql"
    if restart_postgres:
        require(
            shutil.which("pg_ctlcluster") is not None
            and Path(f"/etc/postgresql/{_postgres_version()}/{CLUSTER}").is_dir(),
            "restarting PostgreSQL needs a local cluster and pg_ctlcluster",
        )
    started = time.monotonic()
    with ServerDatabase(tmp_path) as database_url:
        env = server_env(
            database_url=database_url,
            var_dir=tmp_path,
            static_root=static_root_once(tmp_path_factory),
        )
        setup = prepare_database(env, trainees=CLIENTS, questions=5)
        server = Gunicorn(env, tmp_path / "gunicorn.log", workers=2)
        tally = Tally()
        clients = [
            TraineeClient(server.url, username, setup["password"], tally, retry=True)
            for username in setup["usernames"]
        ]
        faults = Faults(server, restart_postgres=restart_postgres, seconds=FAULT_SECONDS)

        def trainee_session(client: TraineeClient, stop_at: float) -> None:
            rng = random.Random(client.username)
            quiz = setup["quiz"]
            while time.monotonic() < stop_at:
                saves, resubmit = rng.randint(1, 3), rng.random() < 0.3
                if client.take_quiz(quiz, saves=saves, resubmit=resubmit) is None:
                    quiz = setup["refresher"]  # certified: the final waits for renewal

        try:
            errors = run_threads(TraineeClient.log_in, [(c,) for c in clients], BUSY_MACHINE_BOUND)
            load_started = time.monotonic()
            faults.start()
            stop_at = load_started + FAULT_SECONDS
            errors += run_threads(
                trainee_session, [(c, stop_at) for c in clients], BUSY_MACHINE_BOUND
            )
            faults.stopping.set()
            faults.join(90)
            load_seconds = time.monotonic() - load_started
        finally:
            faults.stopping.set()
            server.stop()
            if restart_postgres:
                _ensure_postgres_up()
                # This process's own connections did not survive the restart.
                connections.close_all()
        log = server.log()
        report = run_world_script(env, "report")
    found = compare_with_database(clients, report)
    retried_submits = sum(c.retried_submits for c in clients)
    stale_confirmed = sum(c.saves_confirmed_from_page for c in clients)

    print(
        f"\nFaults ({connection.vendor}): {CLIENTS} trainees, {load_seconds:.1f} s under faults, "
        f"{faults.kills} worker kills, {len(faults.restart_windows)} PostgreSQL restarts, "
        f"{tally.requests} requests, {tally.no_answer} unanswered, "
        f"{len(tally.server_errors)} 5xx (during restarts), {tally.retries} retries, "
        f"{found['confirmed_saves']} confirmed saves ({stale_confirmed} confirmed after a "
        f"stale retry), {found['submitted']} submitted ({retried_submits} retried), "
        f"lost: {len(found['problems'])}, total {time.monotonic() - started:.1f} s"
    )
    assert errors == []
    assert faults.errors == []
    assert faults.kills >= 4
    assert len(faults.restart_windows) == (2 if restart_postgres else 0)
    assert faults.outside_restarts(tally.server_errors) == []
    assert "database is locked" not in log
    assert report["violations"] == []
    assert found["problems"] == []
    assert found["submitted"] >= CLIENTS
