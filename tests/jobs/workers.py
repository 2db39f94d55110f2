"""Real workers for the job proofs: their environment, and the jobs script's results."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.hardening.realserver import run_python, server_env
from tests.jobs.jobs_script import RESULT_MARKER

# Its own Redis database, so that the proofs' queues never meet the cache's keys.
JOBS_REDIS_URL = os.environ.get("JOBS_PROOF_REDIS_URL", "redis://127.0.0.1:6379/13")


def worker_env(tmp_path: Path, *, backend: str, **extra: str) -> dict[str, str]:
    """Production settings on a SQLite file of the test's own, with the given job backend."""
    env = server_env(
        database_url=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        var_dir=tmp_path,
        static_root=tmp_path / "static",
    )
    env["DJANGO_TASKS_BACKEND"] = backend
    if backend == "rq":
        env["DJANGO_TASKS_REDIS_URL"] = JOBS_REDIS_URL
    env.update(extra)
    return env


def jobs_script(env: dict, *args: str) -> dict:
    output = run_python(env, "-m", "tests.jobs.jobs_script", *args)
    for line in reversed(output.splitlines()):
        if line.startswith(RESULT_MARKER):
            return json.loads(line[len(RESULT_MARKER) :])
    pytest.fail(f"jobs_script printed no result:\n{output}")
