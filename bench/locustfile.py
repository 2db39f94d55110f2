"""Locust traffic for one benchmark step (run by bench/run.py, one headless run per step).

Environment (set by bench/run.py):
  BENCH_STEP     the step to drive (a key of STEPS below)
  BENCH_STATE    JSON written by `python -m bench.dbtasks prepare`: accounts, slugs, password
  BENCH_OUT      where to write this step's raw measurements (JSON)
  BENCH_SECONDS  how long the measured window lasts
  BENCH_USERS    concurrent users (must equal locust's --users)

Every user first signs in with a real password (a distinct account each, so the
login lockout never sees a shared failure count), then waits until all users are
ready; only then does the measured window open. Each request's status is checked
exactly; anything unexpected counts as an error and fails the run.
"""

import json
import os
import re
import time
from itertools import count

import gevent
from gevent.event import Event
from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

QUERY_COUNT_HEADER = "X-Bench-Queries"
STEP = os.environ.get("BENCH_STEP", "bare")
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
USERS = int(os.environ.get("BENCH_USERS", "10"))
OUT = os.environ.get("BENCH_OUT", "")
STATE = json.loads(open(os.environ["BENCH_STATE"]).read()) if os.environ.get("BENCH_STATE") else {}

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

records: list[tuple] = []
notes: dict = {"window_start": None, "window_end": None, "setup_errors": [], "expected": []}
user_numbers = count()
ready = {"count": 0}
go = Event()
finished = {"count": 0}


@events.request.add_listener
def record(request_type, name, response_time, response_length, response, exception, **kwargs):
    status = getattr(response, "status_code", 0) if response is not None else 0
    queries = None
    if response is not None and response.headers is not None:
        raw = response.headers.get(QUERY_COUNT_HEADER)
        queries = int(raw) if raw is not None else None
    records.append(
        (
            name,
            kwargs.get("start_time") or time.time(),
            response_time,
            status,
            None if exception is None else str(exception)[:300],
            queries,
        )
    )


@events.test_stop.add_listener
def write_measurements(environment, **kwargs):
    if not OUT:
        return
    if notes["window_end"] is None:
        notes["window_end"] = time.time()
    with open(OUT, "w") as handle:
        json.dump(
            {
                "step": STEP,
                "users": USERS,
                "seconds": SECONDS,
                "notes": notes,
                "records": records,
            },
            handle,
        )


class BenchUser(FastHttpUser):
    wait_time = constant(0)
    # Sync gunicorn workers close the connection after every response.
    connection_timeout = 30.0
    network_timeout = 60.0

    def on_start(self):
        self.number = next(user_numbers)
        self.state = {}
        try:
            setup = SETUPS.get(STEP)
            if setup is not None:
                setup(self)
        except Exception as error:  # noqa: BLE001 - reported and fails the run
            notes["setup_errors"].append(f"user {self.number}: {error!r}")
        ready["count"] += 1
        if ready["count"] >= USERS:
            notes["window_start"] = time.time()
            go.set()
        go.wait()
        self.deadline = notes["window_start"] + SECONDS

    @task
    def drive(self):
        if time.time() >= self.deadline:
            self.finish()
            return
        STEPS[STEP](self)

    def finish(self):
        """Stop this user after its last complete iteration; the last one stops the run."""
        finished["count"] += 1
        if finished["count"] >= USERS:
            notes["window_end"] = time.time()
            gevent.spawn(self.environment.runner.quit)
        raise StopUser()

    # -- helpers -----------------------------------------------------------

    def expect(self, method, url, name, status, location=None, **kwargs):
        """Send one request and count it as an error unless the status (and redirect) match."""
        kwargs.setdefault("allow_redirects", False)
        with self.client.request(method, url, name=name, catch_response=True, **kwargs) as resp:
            if resp.status_code != status:
                resp.failure(f"{method} {url}: expected {status}, got {resp.status_code}")
            elif location is not None and not re.fullmatch(
                location, resp.headers.get("Location", "")
            ):
                resp.failure(f"{method} {url}: redirected to {resp.headers.get('Location')!r}")
            else:
                resp.success()
            return resp

    def csrf_token(self) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value
        raise RuntimeError("no csrftoken cookie")

    def post(self, url, name, data, status, location=None):
        return self.expect(
            "POST",
            url,
            name,
            status,
            location=location,
            data={**data, "csrfmiddlewaretoken": self.csrf_token()},
            headers={"Referer": self.host + url},
        )

    def log_in(self, username: str):
        page = self.expect("GET", "/accounts/login/", "login page", 200)
        token = CSRF_INPUT.search(page.text or "")
        if token is None:
            raise RuntimeError("no CSRF token on the login page")
        resp = self.expect(
            "POST",
            "/accounts/login/",
            "login",
            302,
            data={
                "username": username,
                "password": STATE["password"],
                "csrfmiddlewaretoken": token.group(1),
            },
            headers={"Referer": self.host + "/accounts/login/"},
        )
        if resp.status_code != 302:
            raise RuntimeError(f"login as {username} answered {resp.status_code}")

    def pick(self, key: str):
        """Give each user its own item of a list from the state, cycling when needed."""
        items = STATE[key]
        return items[self.number % len(items)]


# -- setups: run once per user before the window opens ----------------------


def as_trainee(user):
    user.log_in(user.pick("trainees"))


def as_manager(user):
    user.log_in(user.pick("managers"))


SETUPS = {
    "floor": as_trainee,
    "lessons_index": as_trainee,
    "lesson": as_trainee,
}


# -- steps: one iteration each ----------------------------------------------


def step_bare(user):
    user.expect("GET", "/bench/bare", "bare", 200)


def step_floor(user):
    user.expect("GET", "/bench/floor", "floor", 200)


def step_home(user):
    user.expect("GET", "/", "home (anonymous)", 200)


def step_lessons_index(user):
    user.expect("GET", "/lessons/", "lessons page", 200)


def step_lesson(user):
    lessons = STATE["lessons"]
    user.state["i"] = user.state.get("i", user.number) + 1
    slug = lessons[user.state["i"] % len(lessons)]
    user.expect("GET", f"/lessons/{slug}/", "lesson", 200)


STEPS = {
    "bare": step_bare,
    "floor": step_floor,
    "home": step_home,
    "lessons_index": step_lessons_index,
    "lesson": step_lesson,
}
