"""Locust traffic for one benchmark step (run by bench/run.py, one headless run per step).

Environment (set by bench/run.py):
  BENCH_STEP     the step to drive (a key of STEPS below)
  BENCH_STATE    JSON written by `python -m bench.dbtasks prepare`: accounts, slugs, password
  BENCH_OUT      where to write this step's raw measurements (JSON)
  BENCH_SECONDS  how long the measured window lasts
  BENCH_USERS    concurrent users (must equal locust's --users)
  BENCH_HOSTS    optional, comma-separated app servers: each user sends its requests to
                 them in turn (round robin per request), as a load balancer does

Every user first takes the session bench/run.py signed in once for its account
through the real login form (or, without one, signs in itself; a distinct account
each, so the login lockout never sees a shared failure count), or its own API token, or
stays anonymous (public verification), then waits until all users are ready;
only then does the measured window open. Each request's status is checked
exactly; anything unexpected counts as an error and fails the run.
"""

import json
import os
import random
import re
import time
from http.cookiejar import Cookie
from itertools import count
from urllib.parse import urlencode, urlsplit

import gevent
from gevent.event import Event
from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

from bench.pacing import PACE_SECONDS, autosave_points

QUERY_COUNT_HEADER = "X-Bench-Queries"
# Per-request costs the bench middleware reports (bench/middleware.py): summed SQL time,
# time inside Django, cache round trips and their time.
COST_HEADERS = ("X-Bench-Db-Ms", "X-Bench-App-Ms", "X-Bench-Cache-Calls", "X-Bench-Cache-Ms")
STEP = os.environ.get("BENCH_STEP", "bare")
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
USERS = int(os.environ.get("BENCH_USERS", "10"))
OUT = os.environ.get("BENCH_OUT", "")
HOSTS = [host for host in os.environ.get("BENCH_HOSTS", "").split(",") if host]
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
    costs = [None] * len(COST_HEADERS)
    if response is not None and response.headers is not None:
        raw = response.headers.get(QUERY_COUNT_HEADER)
        queries = int(raw) if raw is not None else None
        costs = [_number(response.headers.get(header)) for header in COST_HEADERS]
    records.append(
        (
            name,
            kwargs.get("start_time") or time.time(),
            response_time,
            status,
            None if exception is None else str(exception)[:300],
            queries,
            *costs,
        )
    )


def _number(raw: str | None) -> float | None:
    return float(raw) if raw is not None else None


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
        self.turn = self.number
        self.state = {}
        self.rng = random.Random(self.number)
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
        if "confirmed" in self.state:
            notes["expected"].append({**self.state["confirmed"], "submitted": False})
        finished["count"] += 1
        if finished["count"] >= USERS:
            notes["window_end"] = time.time()
            gevent.spawn(self.environment.runner.quit)
        raise StopUser()

    # -- helpers -----------------------------------------------------------

    def expect(self, method, url, name, status, location=None, **kwargs):
        """Send one request and count it as an error unless the status (and redirect) match."""
        kwargs.setdefault("allow_redirects", False)
        if HOSTS:
            # Round robin per request: the servers share the database (sessions) and the cache.
            self.turn += 1
            url = HOSTS[self.turn % len(HOSTS)] + url
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
        """Take the session bench/run.py signed in once, else sign in through the form."""
        session = STATE.get("sessions", {}).get(username)
        if session:
            for name, value in session.items():
                self.client.cookiejar.set_cookie(cookie(name, value))
            return
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


def cookie(name: str, value: str) -> Cookie:
    """A cookie of the loopback host, whatever its port (every app server of the run)."""
    return Cookie(
        version=0,
        name=name,
        value=value,
        port=None,
        port_specified=False,
        domain="127.0.0.1",
        domain_specified=False,
        domain_initial_dot=False,
        path="/",
        path_specified=True,
        secure=False,
        expires=None,
        discard=True,
        comment=None,
        comment_url=None,
        rest={},
    )


# -- setups: run once per user before the window opens ----------------------


ATTEMPT_URL = r"/quizzes/attempts/[0-9a-f-]{36}/"
RESULT_URL = r"/quizzes/attempts/[0-9a-f-]{36}/result/"
CHOICE_INPUT = re.compile(r'type="(radio|checkbox)" name="q-(\d+)" value="(\d+)"')
SEQUENCE_INPUT = re.compile(r'name="sequence" value="(\d+)"')
BASE_INPUT = re.compile(r'name="base-(\d+)" value="([^"]*)"')
PAGE_INPUT = re.compile(r'name="page" value="(\d+)"')
SAVE_WITHIN = re.compile(r'data-save-within="(\d+)"')


def as_trainee(user):
    user.log_in(user.pick("trainees"))


def as_manager(user):
    user.log_in(user.pick("managers"))


def open_attempt(user, name="start"):
    """Start (or resume) the bench quiz; remember the attempt's page URL."""
    slug = STATE["quiz"]
    resp = user.post(f"/quizzes/{slug}/start/", name, {}, 302, location=ATTEMPT_URL)
    if resp.status_code != 302:
        raise RuntimeError(f"start answered {resp.status_code}")
    user.state["attempt_url"] = resp.headers["Location"]


def read_attempt(user, name="attempt page"):
    """Load the attempt page and learn its questions, choice counts and save number."""
    resp = user.expect("GET", user.state["attempt_url"], name, 200)
    html = resp.text or ""
    questions: dict[str, list] = {}
    for kind, question, position in CHOICE_INPUT.findall(html):
        entry = questions.setdefault(question, [kind, 0])
        entry[1] = max(entry[1], int(position) + 1)
    sequence = SEQUENCE_INPUT.search(html)
    if not questions or sequence is None:
        raise RuntimeError("the attempt page shows no questions or no save number")
    user.state["questions"] = questions
    user.state["sequence"] = int(sequence.group(1))


def random_answers(user) -> dict[str, list[int]]:
    rng = user.rng
    answers = {}
    for question, (kind, choices) in user.state["questions"].items():
        if kind == "radio":
            answers[question] = [rng.randrange(choices)]
        else:
            answers[question] = sorted(rng.sample(range(choices), rng.randint(1, choices)))
    return answers


def answer_fields(user, answers) -> list[tuple[str, str]]:
    fields = [("sequence", str(user.state["sequence"])), ("answers", "1")]
    for question, positions in answers.items():
        fields += [(f"q-{question}", str(position)) for position in positions]
    return fields


def autosave(user, name="autosave"):
    answers = random_answers(user)
    fields = answer_fields(user, answers)
    fields.append(("csrfmiddlewaretoken", user.csrf_token()))
    resp = user.expect(
        "POST",
        user.state["attempt_url"] + "save/",
        name,
        200,
        data=urlencode(fields),
        headers={
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": user.csrf_token(),
            "Referer": user.host + user.state["attempt_url"],
        },
    )
    if resp.status_code == 200:
        user.state["sequence"] = json.loads(resp.text)["sequence"]
        # Confirmed by the server: these answers must be in the database after the run.
        user.state["confirmed"] = {"attempt_url": user.state["attempt_url"], "answers": answers}


def submit(user, name="submit"):
    answers = random_answers(user)
    fields = answer_fields(user, answers) + [
        ("confirm", "1"),
        ("csrfmiddlewaretoken", user.csrf_token()),
    ]
    resp = user.expect(
        "POST",
        user.state["attempt_url"] + "submit/",
        name,
        302,
        location=RESULT_URL,
        data=urlencode(fields),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": user.host + user.state["attempt_url"],
        },
    )
    if resp.status_code == 302:
        user.state["result_url"] = resp.headers["Location"]
        # The submitted answers supersede the last autosave of this attempt.
        user.state.pop("confirmed", None)
        notes["expected"].append(
            {"attempt_url": user.state["attempt_url"], "answers": answers, "submitted": True}
        )


def with_api_token(user):
    """Act as an integration: a manager's own API token, no session."""
    user.state["headers"] = {
        "Authorization": f"Bearer {user.pick('api_tokens')}",
        "Accept": "application/json",
    }


def trainee_with_attempt(user):
    as_trainee(user)
    open_attempt(user)
    read_attempt(user)


def trainee_with_result(user):
    trainee_with_attempt(user)
    submit(user)


SETUPS = {
    "floor": as_trainee,
    "lessons_index": as_trainee,
    "lesson": as_trainee,
    "quiz_page": as_trainee,
    "attempt_page": trainee_with_attempt,
    "result": trainee_with_result,
    "autosave": trainee_with_attempt,
    "quiz_flow": as_trainee,
    "whole_quiz": as_trainee,
    "overview": as_manager,
    "trainees_table": as_manager,
    "retention_overview": as_manager,
    "retention_overview_cold": as_manager,
    "retention_table": as_manager,
    "retention_table_cold": as_manager,
    "api_trainees": with_api_token,
    "api_certificate": with_api_token,
}


# -- steps: one iteration each ----------------------------------------------


def step_bare(user):
    user.expect("GET", "/bench/bare", "bare", 200)


def step_floor(user):
    user.expect("GET", "/bench/floor", "floor", 200)


def step_lessons_index(user):
    user.expect("GET", "/lessons/", "lessons page", 200)


def step_lesson(user):
    lessons = STATE["lessons"]
    user.state["i"] = user.state.get("i", user.number) + 1
    slug = lessons[user.state["i"] % len(lessons)]
    user.expect("GET", f"/lessons/{slug}/", "lesson", 200)


def step_quiz_page(user):
    user.expect("GET", f"/quizzes/{STATE['quiz']}/", "quiz page", 200)


def step_attempt_page(user):
    user.expect("GET", user.state["attempt_url"], "attempt page", 200)


def step_result(user):
    user.expect("GET", user.state["result_url"], "result", 200)


def step_autosave(user):
    autosave(user)


def step_quiz_flow(user):
    """Start, open the page, autosave once, submit, read the result: one trainee's quiz."""
    open_attempt(user)
    read_attempt(user, name="attempt page (in flow)")
    autosave(user)
    submit(user)
    user.expect("GET", user.state["result_url"], "result (in flow)", 200)


def page_form(user, answers: dict[str, list[int]]) -> list[tuple[str, str]]:
    """What the attempt page's form holds (FormData): its hidden fields, the choices
    checked so far and every question's base, as quizzes/static/quizzes/attempt.js sends it."""
    fields = [
        ("csrfmiddlewaretoken", user.csrf_token()),
        ("sequence", str(user.state["sequence"])),
        ("answers", "1"),
        ("page", user.state["page"]),
    ]
    for question, positions in answers.items():
        fields += [(f"q-{question}", str(position)) for position in positions]
    fields += [(f"base-{question}", base) for question, base in user.state["bases"].items()]
    return fields


def step_whole_quiz(user):
    """One trainee's whole quiz as the browser runs it: start, load the page, answer each
    question in turn, submit the form, read the result. The saves are the ones the page's
    script sends for a trainee answering one question every PACE_SECONDS (bench/pacing.py,
    with the autosave period the page states); each sends what the script sends, the whole
    form, and keeps what it keeps (the new save number; every base becomes what was sent)."""
    open_attempt(user, name="whole quiz: start")
    resp = user.expect("GET", user.state["attempt_url"], "whole quiz: page", 200)
    html = resp.text or ""
    questions: dict[str, list] = {}
    for kind, question, position in CHOICE_INPUT.findall(html):
        entry = questions.setdefault(question, [kind, 0])
        entry[1] = max(entry[1], int(position) + 1)
    sequence, page = SEQUENCE_INPUT.search(html), PAGE_INPUT.search(html)
    period = SAVE_WITHIN.search(html)
    if not questions or sequence is None or page is None or period is None:
        raise RuntimeError("the attempt page shows no questions, save number, page or period")
    user.state.update(
        questions=questions,
        sequence=int(sequence.group(1)),
        page=page.group(1),
        bases=dict(BASE_INPUT.findall(html)),
    )
    chosen = random_answers(user)
    saves_after = set(autosave_points(len(chosen), pace=PACE_SECONDS, period=int(period.group(1))))
    answers: dict[str, list[int]] = {}
    for index, (question, positions) in enumerate(chosen.items()):
        answers[question] = positions
        if index not in saves_after:
            continue
        save = user.expect(
            "POST",
            user.state["attempt_url"] + "save/",
            "whole quiz: save",
            200,
            data=urlencode(page_form(user, answers)),
            headers={
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": user.csrf_token(),
                "Referer": user.host + user.state["attempt_url"],
            },
        )
        if save.status_code != 200:
            return
        user.state["sequence"] = json.loads(save.text)["sequence"]
        user.state["bases"] = {
            q: ",".join(str(p) for p in sorted(answers.get(q, []))) for q in user.state["bases"]
        }
    submitted = user.expect(
        "POST",
        user.state["attempt_url"] + "submit/",
        "whole quiz: submit",
        302,
        location=RESULT_URL,
        data=urlencode([*page_form(user, answers), ("confirm", "")]),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": user.host + user.state["attempt_url"],
        },
    )
    if submitted.status_code != 302:
        return
    notes["expected"].append(
        {"attempt_url": user.state["attempt_url"], "answers": answers, "submitted": True}
    )
    user.expect("GET", submitted.headers["Location"], "whole quiz: result", 200)


def step_overview(user):
    user.expect("GET", "/reports/", "manager overview", 200)


def step_trainees_table(user):
    filters = STATE["trainee_filters"]
    user.state["i"] = user.state.get("i", user.number) + 1
    query = filters[user.state["i"] % len(filters)]
    user.expect("GET", f"/reports/trainees/?{query}", "trainees table (filtered)", 200)


# A cold request finds the worker's cache empty (bench.middleware.ColdCacheMiddleware).
COLD = {"X-Bench-Cold-Cache": "1"}


def step_retention_overview(user, name="retention overview", headers=None):
    user.expect("GET", "/reports/", name, 200, headers=headers or {})


def step_retention_overview_cold(user):
    step_retention_overview(user, name="retention overview (cold)", headers=COLD)


def step_retention_table(user, name="retention table", headers=None):
    """The trainees table below the threshold or sorted on recall, cycling through filters."""
    filters = STATE["retention_filters"]
    user.state["i"] = user.state.get("i", user.number) + 1
    query = filters[user.state["i"] % len(filters)]
    user.expect("GET", f"/reports/trainees/?{query}", name, 200, headers=headers or {})


def step_retention_table_cold(user):
    step_retention_table(user, name="retention table (cold)", headers=COLD)


# An integration reads a few pages of a list, then starts again (another filter).
API_PAGES_PER_WALK = 4
# Public look-ups come from many addresses: each address verifies this many codes,
# under the per-address limit (30 in 10 minutes), so the limit is counted, never hit.
LOOKUPS_PER_ADDRESS = 20


def step_api_trainees(user):
    """GET a page of /api/v1/trainees; follow `next` for a few pages, then another filter."""
    following = user.state.get("next")
    if following is None or user.state.get("pages", 0) >= API_PAGES_PER_WALK:
        queries = STATE["api_trainee_queries"]
        user.state["walk"] = user.state.get("walk", user.number) + 1
        url = f"/api/v1/trainees?{queries[user.state['walk'] % len(queries)]}"
        name, user.state["pages"] = "api trainees (first page)", 0
    else:
        # `next` is absolute; the client keeps to its own host.
        parts = urlsplit(following)
        url, name = f"{parts.path}?{parts.query}", "api trainees (next page)"
    resp = user.expect("GET", url, name, 200, headers=user.state["headers"])
    user.state["next"] = json.loads(resp.text)["next"] if resp.status_code == 200 else None
    user.state["pages"] += 1


def next_code(user) -> str:
    codes = STATE["codes"]
    user.state["i"] = user.state.get("i", user.number * 7) + 1
    return codes[user.state["i"] % len(codes)]


def step_verify(user):
    """Anonymous: the public verification page of a real code (valid, expired or revoked)."""
    code = next_code(user)
    user.state["n"] = user.state.get("n", 0) + 1
    block = user.state["n"] // LOOKUPS_PER_ADDRESS
    address = f"10.{user.number % 256}.{(block >> 8) % 256}.{block % 256}"
    user.expect(
        "GET",
        f"/certificates/verify/{code}/",
        "certificate verification",
        200,
        headers={"X-Forwarded-For": address},
    )


def step_api_certificate(user):
    user.expect(
        "GET",
        f"/api/v1/certificates/{next_code(user)}",
        "api certificate",
        200,
        headers=user.state["headers"],
    )


STEPS = {
    "bare": step_bare,
    "floor": step_floor,
    "lessons_index": step_lessons_index,
    "lesson": step_lesson,
    "quiz_page": step_quiz_page,
    "attempt_page": step_attempt_page,
    "result": step_result,
    "autosave": step_autosave,
    "quiz_flow": step_quiz_flow,
    "whole_quiz": step_whole_quiz,
    "overview": step_overview,
    "trainees_table": step_trainees_table,
    "retention_overview": step_retention_overview,
    "retention_overview_cold": step_retention_overview_cold,
    "retention_table": step_retention_table,
    "retention_table_cold": step_retention_table_cold,
    "api_trainees": step_api_trainees,
    "verify": step_verify,
    "api_certificate": step_api_certificate,
}
