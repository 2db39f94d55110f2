"""A database worker killed with kill -9 mid-delivery loses no job.

A real `db_worker` posts a webhook to a real listener that holds the request unanswered; the
test kills the worker meanwhile. django-tasks-db leaves the job RUNNING for ever (a new
worker never picks it: shown below), so `recover_stale_jobs` makes it READY again and the
next worker delivers it: the listener sees the same webhook-id twice, our record says
delivered once.
"""

import signal
import subprocess

from tests.hardening.realserver import BIN, ROOT, manage
from tests.jobs.workers import jobs_script, worker_env
from tests.webhooks.listener import Listener

# Bounds the wait on a busy machine; a passing run never waits it out.
BUSY_MACHINE_BOUND = 120


def test_a_job_killed_mid_delivery_is_recovered_and_delivered_once(tmp_path):
    env = worker_env(tmp_path, backend="database", DJANGO_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES="1")
    manage(env, "migrate", "--no-input", "-v0")
    listener = Listener(hold_first=True).start()
    try:
        queued = jobs_script(env, "enqueue-webhook", "--url", listener.url)
        worker = subprocess.Popen(
            [str(BIN / "python"), "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
            + ["--interval", "0.1", "--worker-id", "first", "-v0"],
            cwd=ROOT,
            env=env,
        )
        try:
            assert listener.arrived.wait(BUSY_MACHINE_BOUND), "the worker never posted"
            worker.send_signal(signal.SIGKILL)
            assert worker.wait(BUSY_MACHINE_BOUND) == -signal.SIGKILL
        finally:
            if worker.poll() is None:
                worker.kill()
        listener.release.set()

        killed = jobs_script(env, "report")
        assert killed["deliveries"][0]["status"] == "pending"
        assert killed["deliveries"][0]["attempts"] == 0
        assert killed["jobs"] == [{"status": "RUNNING", "workers": ["first"]}]

        # A new worker alone never runs a job left RUNNING.
        manage(env, "db_worker", "--batch", "--no-startup-delay", "--worker-id", "idle", "-v0")
        assert jobs_script(env, "report")["jobs"][0]["status"] == "RUNNING"
        assert len(listener.received) == 1

        assert "1 stale job queued again." in manage(
            env, "recover_stale_jobs", "--recover-after", "0"
        )
        manage(env, "db_worker", "--batch", "--no-startup-delay", "--worker-id", "second", "-v0")

        done = jobs_script(env, "report")
        assert done["deliveries"] == [
            {
                "pk": queued["delivery"],
                "status": "succeeded",
                "attempts": 1,
                "last_status_code": 200,
            }
        ]
        assert done["jobs"] == [{"status": "SUCCESSFUL", "workers": ["first", "second"]}]
        ids = [request.headers["webhook-id"] for request in listener.received]
        assert ids == [queued["event_id"], queued["event_id"]]
    finally:
        listener.stop()
