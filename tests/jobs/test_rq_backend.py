"""DJANGO_TASKS_BACKEND=rq: a job enqueued by the site runs in a real `rqworker` on Redis."""

import os

import pytest

from tests.hardening.realserver import manage, require_redis
from tests.jobs.workers import JOBS_REDIS_URL, jobs_script, worker_env


def test_a_job_enqueued_with_the_rq_backend_runs_in_a_real_rqworker(tmp_path):
    require_redis(JOBS_REDIS_URL)
    env = worker_env(tmp_path, backend="rq")
    marker = tmp_path / "marker.txt"

    queued = jobs_script(env, "enqueue-marker", "--path", str(marker), "--text", "ran")
    assert queued["backend"] == "default"
    assert jobs_script(env, "status", "--id", queued["id"])["status"] == "READY"
    assert not marker.exists()

    # --burst: the worker runs what is queued, then exits.
    manage(env, "rqworker", "default", "--burst", "--job-class", "django_tasks_rq.Job")

    text, worker_pid = marker.read_text().split()
    assert text == "ran"
    assert int(worker_pid) != os.getpid()
    assert jobs_script(env, "status", "--id", queued["id"])["status"] == "SUCCESSFUL"


def test_the_rq_backend_without_a_redis_url_is_refused_at_start(tmp_path):
    env = worker_env(tmp_path, backend="rq")
    env.pop("DJANGO_TASKS_REDIS_URL")
    env.pop("DJANGO_CACHE_URL", None)
    with pytest.raises(pytest.fail.Exception, match="DJANGO_TASKS_BACKEND=rq needs a Redis"):
        manage(env, "check")
