"""SQLite under a real server: gunicorn, 2 workers, 20 trainees autosaving and submitting.

The trainees log in through the real login form and use the site's own
forms for 30 seconds (HARDENING_LOAD_SECONDS). Afterwards: no 5xx, no
"database is locked" in the server's log, every save the server confirmed
is in the database (counted), every submitted attempt is scored once.
"""

import os
import random
import time

import pytest
from django.db import connection

from tests.hardening.realserver import (
    Gunicorn,
    Tally,
    TraineeClient,
    compare_with_database,
    prepare_database,
    run_threads,
    run_world_script,
    server_env,
    static_root_once,
)

# Bounds a hung thread's wait on a busy machine; a passing run never waits it out.
BUSY_MACHINE_BOUND = 600

pytestmark = [
    pytest.mark.serial,
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="the SQLite proof runs on the SQLite leg (DATABASE_URL is PostgreSQL here)",
    ),
]

TRAINEES = 20
WORKERS = 2
LOAD_SECONDS = float(os.environ.get("HARDENING_LOAD_SECONDS", "30"))


def test_twenty_trainees_for_thirty_seconds_lose_nothing(tmp_path, tmp_path_factory):
    env = server_env(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        var_dir=tmp_path,
        static_root=static_root_once(tmp_path_factory),
    )
    setup = prepare_database(env, trainees=TRAINEES, questions=5)
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=WORKERS)
    tally = Tally()
    clients = [
        TraineeClient(server.url, username, setup["password"], tally)
        for username in setup["usernames"]
    ]

    def trainee_session(client: TraineeClient, stop_at: float) -> None:
        rng = random.Random(client.username)
        quiz = setup["quiz"]
        while time.monotonic() < stop_at:
            saves, resubmit = rng.randint(1, 4), rng.random() < 0.2
            if client.take_quiz(quiz, saves=saves, resubmit=resubmit) is None:
                quiz = setup["refresher"]  # certified: the final waits for renewal

    try:
        # Logging in (a deliberately slow password hash) comes before the clock starts.
        errors = run_threads(TraineeClient.log_in, [(c,) for c in clients], BUSY_MACHINE_BOUND)
        started = time.monotonic()
        stop_at = started + LOAD_SECONDS
        errors += run_threads(
            trainee_session, [(c, stop_at) for c in clients], LOAD_SECONDS + BUSY_MACHINE_BOUND
        )
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    log = server.log()
    report = run_world_script(env, "report")
    found = compare_with_database(clients, report)

    print(
        f"\nSQLite/gunicorn: {TRAINEES} trainees, {WORKERS} workers, {elapsed:.1f} s, "
        f"{tally.requests} requests, {found['confirmed_saves']} confirmed saves, "
        f"{found['submitted']} submitted attempts, 5xx: {len(tally.server_errors)}, "
        f"lost: {len(found['problems'])}"
    )
    assert errors == []
    assert tally.server_errors == []
    assert "database is locked" not in log
    assert "Internal Server Error" not in log
    assert report["violations"] == []
    assert found["problems"] == []
    assert found["submitted"] >= TRAINEES  # every trainee finished at least one attempt
    assert found["confirmed_saves"] >= TRAINEES
