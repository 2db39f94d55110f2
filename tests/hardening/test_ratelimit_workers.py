"""Rate limits hold across gunicorn workers once the cache is shared (DJANGO_CACHE_URL).

One client address fires 60 certificate look-ups at once, each guessing a new
code, on a new connection (no keep-alive), so that the 4 workers share them.
With Redis exactly VERIFY_LIMIT answer and the rest are refused with 429 and
Retry-After, however the workers split them. The control run, with the default
per-process memory cache, lets more through: each worker counts on its own
(the probe behind issue 14 got 103 answers before the first refusal).

The workers that served are read from gunicorn's access log (%(p)s, the pid):
the site itself sends nothing that names a worker. The database plays no part
in the count, so this runs on the SQLite leg only.
"""

import re
import threading
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from quizzes.certification.codes import code_format, code_generate
from quizzes.certification.views import VERIFY_LIMIT, VERIFY_RATE_LIMITED, VERIFY_WINDOW_SECONDS
from tests.hardening.realserver import (
    REDIS_URL,
    Gunicorn,
    manage,
    redis_forget,
    require_redis,
    run_threads,
    server_env,
    static_root_once,
)

pytestmark = [
    pytest.mark.serial,
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="the cache proof runs on the SQLite leg (the database plays no part in it)",
    ),
]

WORKERS = 4
LOOKUPS = 60
# Bounds a hung request or warm-up on a busy machine; a passing run never waits it out.
BUSY_MACHINE_BOUND = 300
ACCESS_FORMAT = "ACCESS pid=%(p)s status=%(s)s path=%(U)s"
# gunicorn 27 writes the pid as <1234>.
ACCESS_LINE = re.compile(r"ACCESS pid=<?(\d+)>? status=(\d+) path=(\S+)")


class Server:
    """gunicorn with 4 workers and an access log that names the worker of each request."""

    def __init__(self, env: dict, tmp_path: Path, name: str):
        self.access_log = tmp_path / f"access-{name}.log"
        self.gunicorn = Gunicorn(
            env,
            tmp_path / f"gunicorn-{name}.log",
            workers=WORKERS,
            extra_args=(
                "--access-logfile",
                str(self.access_log),
                "--access-logformat",
                ACCESS_FORMAT,
            ),
        )

    def served(self, prefix: str) -> list[tuple[int, int]]:
        """(pid, status) of each request logged whose path starts with `prefix`."""
        if not self.access_log.exists():
            return []
        return [
            (int(pid), int(status))
            for pid, status, path in ACCESS_LINE.findall(self.access_log.read_text())
            if path.startswith(prefix)
        ]

    def warm_up(self) -> None:
        """Poll /healthz in bursts until at least two workers have answered."""
        errors = []
        for _ in range(BUSY_MACHINE_BOUND):
            if len({pid for pid, _ in self.served("/healthz")}) >= 2:
                return
            errors = run_threads(self._healthz, [() for _ in range(WORKERS * 2)], 60)
        pytest.fail(f"only one worker ever answered /healthz: {errors}")

    def _healthz(self) -> None:
        with urllib.request.urlopen(self.gunicorn.url + "/healthz", timeout=30) as response:
            response.read()

    def stop(self) -> None:
        self.gunicorn.stop()


def look_up_at_once(server: Server) -> list[tuple[int, str, str]]:
    """LOOKUPS look-ups of fresh codes, released together: (status, Retry-After, body) each."""
    answers: list[tuple[int, str, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(LOOKUPS, timeout=BUSY_MACHINE_BOUND)

    def look_up() -> None:
        url = f"{server.gunicorn.url}/certificates/verify/{code_format(code_generate())}/"
        # urllib sends "Connection: close": every look-up is a connection of its own.
        request = urllib.request.Request(url)
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=BUSY_MACHINE_BOUND) as response:
                answer = (response.status, response.headers.get("Retry-After", ""), "")
        except urllib.error.HTTPError as error:
            body = error.read().decode(errors="replace")
            answer = (error.code, error.headers.get("Retry-After", ""), body)
        with lock:
            answers.append(answer)

    errors = run_threads(look_up, [() for _ in range(LOOKUPS)], BUSY_MACHINE_BOUND)
    assert errors == [], errors
    return answers


def run_proof(env: dict, tmp_path: Path, name: str) -> tuple[list, Counter, str]:
    server = Server(env, tmp_path, name)
    try:
        server.warm_up()
        answers = look_up_at_once(server)
    finally:
        server.stop()
    workers = Counter(pid for pid, _ in server.served("/certificates/verify/"))
    return answers, workers, server.gunicorn.log()


@pytest.fixture
def site_env(tmp_path, tmp_path_factory) -> dict:
    env = server_env(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        var_dir=tmp_path,
        static_root=static_root_once(tmp_path_factory),
    )
    env["DJANGO_LOG_LEVEL"] = "WARNING"
    manage(env, "migrate", "--no-input", "-v0")
    return env


def test_four_workers_sharing_redis_answer_exactly_the_limit(site_env, tmp_path):
    client = require_redis()
    prefix = f"proof-ratelimit-{uuid.uuid4().hex}"
    env = {**site_env, "DJANGO_CACHE_URL": REDIS_URL, "DJANGO_CACHE_KEY_PREFIX": prefix}
    try:
        answers, workers, log = run_proof(env, tmp_path, "redis")
        stored = redis_forget(client, prefix)
    finally:
        redis_forget(client, prefix)
        client.close()
    statuses = Counter(status for status, _, _ in answers)
    refused = [(retry, body) for status, retry, body in answers if status == 429]
    print(
        f"\nRedis, {WORKERS} workers: {LOOKUPS} look-ups from one address at once, "
        f"served by {len(workers)} workers {sorted(workers.values(), reverse=True)}; "
        f"answered {LOOKUPS - len(refused)} (limit {VERIFY_LIMIT}), refused {len(refused)}"
    )
    assert len(answers) == LOOKUPS
    assert len(workers) >= 2, f"one worker served every look-up: {workers}"
    assert statuses == {404: VERIFY_LIMIT, 429: LOOKUPS - VERIFY_LIMIT}
    assert all(1 <= int(retry) <= VERIFY_WINDOW_SECONDS for retry, _ in refused), refused
    assert all(VERIFY_RATE_LIMITED in body for _, body in refused)
    assert stored >= 2  # the counter and its window's start were in Redis, under the prefix
    assert "Internal Server Error" not in log and "Traceback" not in log, log


def test_control_four_workers_with_per_process_memory_let_more_through(site_env, tmp_path):
    answers, workers, log = run_proof(site_env, tmp_path, "locmem")
    answered = sum(status != 429 for status, _, _ in answers)
    print(
        f"\nlocal memory, {WORKERS} workers: {LOOKUPS} look-ups from one address at once, "
        f"served by {len(workers)} workers {sorted(workers.values(), reverse=True)}; "
        f"answered {answered} (limit {VERIFY_LIMIT})"
    )
    assert len(workers) >= 2, f"one worker served every look-up: {workers}"
    # Each worker answers up to the limit on its own: two or more workers pass more.
    assert answered > VERIFY_LIMIT
    assert answered == sum(min(n, VERIFY_LIMIT) for n in workers.values())
    assert "Internal Server Error" not in log, log
