"""The site under a real gunicorn on loopback, and trainees driving it over HTTP.

Used by the SQLite load proof and the fault proofs. The server's database is a
real, committed one (a SQLite file or a PostgreSQL database of its own), never
pytest's transaction-wrapped test database.
"""

from __future__ import annotations

import functools
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
import redis

from quizzes.credentials.keys import key_new, key_set_text
from tests.hardening.world_script import RESULT_MARKER

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET_KEY = "hardening-real-server-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
TRUE_WORDS = {"1", "true", "yes", "on"}

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SEQUENCE_INPUT = re.compile(r'name="sequence" value="(\d+)"')
CHOICE_INPUT = re.compile(r'type="(radio|checkbox)" name="q-(\d+)" value="(\d+)"[^>]*?(checked)?>')
# A request that never got an answer: the worker died or the socket was reset.
NO_ANSWER = (
    urllib.error.URLError,
    http.client.HTTPException,
    ConnectionError,
    TimeoutError,
    OSError,
)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in TRUE_WORDS


def require(condition: bool, reason: str) -> None:
    """Skip when a service or tool is missing locally; in CI (CI=true) fail instead."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI=true: this proof must run in CI)")
    pytest.skip(reason)


# The Redis that CI runs beside the suite (and the proofs that need a shared cache use).
REDIS_URL = os.environ.get("HARDENING_REDIS_URL", "redis://127.0.0.1:6379/0")


def require_redis(url: str = REDIS_URL) -> redis.Redis:
    """A client for the real Redis; skip (fail in CI) when it does not answer."""
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
    try:
        client.ping()
    except redis.RedisError as error:
        require(False, f"Redis is not reachable at {url} ({type(error).__name__})")
    return client


def redis_forget(client: redis.Redis, key_prefix: str) -> int:
    """Delete the keys Django's cache wrote under `key_prefix` (never FLUSHDB: it is shared)."""
    keys = list(client.scan_iter(match=f"{key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(*, database_url: str, var_dir: Path, static_root: Path) -> dict[str, str]:
    """Production settings (debug off) over plain http on loopback."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "trainingsite.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_VAR_DIR": str(var_dir),
            "DJANGO_STATIC_ROOT": str(static_root),
            "DJANGO_MEDIA_ROOT": str(var_dir / "media"),
            "DATABASE_URL": database_url,
            "PYTHONPATH": str(ROOT),
            # A throwaway signing key (generated, never committed): passes sign credentials.
            "DJANGO_CREDENTIAL_KEYS": _server_keys(),
        }
    )
    return env


@functools.cache
def _server_keys() -> str:
    return key_set_text([key_new()])


def run_python(env: dict, *args: str, timeout: float = 120) -> str:
    """Run `python <args>` in the project; return its output or fail the test with it."""
    result = subprocess.run(
        [str(BIN / "python"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        pytest.fail(f"python {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def manage(env: dict, *args: str) -> str:
    return run_python(env, "manage.py", *args)


def run_world_script(env: dict, *args: str) -> dict:
    """Run tests/hardening/world_script.py with the server's environment; return its result."""
    output = run_python(env, "-m", "tests.hardening.world_script", *args)
    for line in reversed(output.splitlines()):
        if line.startswith(RESULT_MARKER):
            return json.loads(line[len(RESULT_MARKER) :])
    pytest.fail(f"world_script printed no result:\n{output}")


def collect_static(static_root: Path) -> None:
    env = server_env(
        database_url=f"sqlite:///{static_root.parent / 'collect.sqlite3'}",
        var_dir=static_root.parent,
        static_root=static_root,
    )
    manage(env, "collectstatic", "--no-input", "-v0")


class Gunicorn:
    """gunicorn with sync workers on a free loopback port; its log goes to a file."""

    def __init__(self, env: dict, logfile: Path, workers: int = 2, extra_args: tuple = ()):
        require(shutil.which("gunicorn", path=str(BIN)) is not None, "gunicorn is not installed")
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logfile = logfile
        self._out = open(logfile, "a")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "trainingsite.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--no-control-socket",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                *extra_args,
            ],
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )
        self.wait_ready()

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited at start-up:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200 and len(self.worker_pids()) == self.workers:
                        return
            except NO_ANSWER:
                pass
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not answer within {timeout} s:\n{self.log()}")

    def kill_worker(self) -> int:
        """SIGKILL one worker (the master starts another); return its pid."""
        pid = random.choice(self.worker_pids())
        os.kill(pid, signal.SIGKILL)
        return pid

    def log(self) -> str:
        if not self._out.closed:
            self._out.flush()
        return self.logfile.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._out.close()


@dataclass
class Response:
    status: int
    location: str
    body: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Tally:
    """What the clients saw, across threads."""

    requests: int = 0
    server_errors: list[tuple[float, str]] = field(default_factory=list)
    no_answer: int = 0
    retries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


@dataclass
class SavedAttempt:
    """One attempt as its trainee knows it: every save the server confirmed, in order."""

    uuid: str
    confirmed_saves: int = 0
    last_answers: dict[str, list[int]] = field(default_factory=dict)
    submitted: bool = False
    result_location: str = ""


class TraineeClient:
    """A trainee in a browser-like client: cookies, CSRF, the site's real forms.

    With `retry` set, a request that got no answer (the worker died) or a 5xx
    is sent again, exactly as it was, the way a person presses the button again.
    """

    def __init__(self, base_url: str, username: str, password: str, tally: Tally, retry=False):
        self.base_url = base_url
        self.username = username
        self.password = password
        self.tally = tally
        self.retry = retry
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        self.attempts: dict[str, SavedAttempt] = {}
        self.rng = random.Random(username)
        # Tries that got no answer or a 5xx, and what the retries then found.
        self.failed_tries = 0
        self.saves_confirmed_from_page = 0
        self.retried_submits = 0
        # Certified by a pass: the site offers no new attempt of the final until renewal opens.
        self.certified_hold = False

    # -- transport -------------------------------------------------------

    def _once(self, method: str, path: str, fields=None, headers=None) -> Response:
        data = urllib.parse.urlencode(fields, doseq=True).encode() if fields is not None else None
        request = urllib.request.Request(
            self.base_url + path, data=data, method=method, headers=headers or {}
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return Response(response.status, "", response.read().decode())
        except urllib.error.HTTPError as error:
            body = error.read().decode(errors="replace")
            return Response(error.code, error.headers.get("Location", ""), body)

    def request(self, method: str, path: str, fields=None, headers=None) -> Response:
        for attempt in range(200 if self.retry else 1):
            if attempt:
                self.tally.add(retries=1)
                time.sleep(0.1)
            self.tally.add(requests=1)
            try:
                response = self._once(method, path, fields, headers)
            except NO_ANSWER:
                self.tally.add(no_answer=1)
                self.failed_tries += 1
                if self.retry:
                    continue
                raise
            if response.status >= 500:
                self.failed_tries += 1
                with self.tally.lock:
                    self.tally.server_errors.append(
                        (time.monotonic(), f"{response.status} {method} {path}")
                    )
                if self.retry:
                    continue
            return response
        raise AssertionError(f"{method} {path} never got an answer for {self.username}")

    def csrf_token(self) -> str:
        for cookie in self.jar:
            if cookie.name == "csrftoken":
                return cookie.value
        raise AssertionError("no csrftoken cookie")

    # -- the site --------------------------------------------------------

    def log_in(self) -> None:
        """Through the real login form, with its CSRF token."""
        page = self.request("GET", "/accounts/login/")
        token = CSRF_INPUT.search(page.body)
        assert page.status == 200 and token, f"login page: {page.status}"
        response = self.request(
            "POST",
            "/accounts/login/",
            {
                "username": self.username,
                "password": self.password,
                "csrfmiddlewaretoken": token.group(1),
            },
        )
        assert response.status == 302, f"{self.username} could not log in: {response.status}"
        assert any(cookie.name == "sessionid" for cookie in self.jar)

    def start(self, quiz_slug: str) -> SavedAttempt | None:
        """Start or resume; None once a pass certified the trainee (sent back to the quiz)."""
        response = self.request(
            "POST", f"/quizzes/{quiz_slug}/start/", {"csrfmiddlewaretoken": self.csrf_token()}
        )
        assert response.status == 302, f"start: {response.status}"
        if response.location == f"/quizzes/{quiz_slug}/":
            self.certified_hold = True
            return None
        match = re.search(r"/quizzes/attempts/([0-9a-f-]{36})/$", response.location)
        assert match, f"start redirected to {response.location}"
        uuid = match.group(1)
        return self.attempts.setdefault(uuid, SavedAttempt(uuid=uuid))

    def attempt_page(self, attempt: SavedAttempt) -> tuple[int, dict[str, int], dict]:
        """The attempt page: (sequence, choices per question, checked positions)."""
        response = self.request("GET", f"/quizzes/attempts/{attempt.uuid}/")
        assert response.status == 200, f"attempt page: {response.status}"
        sequence = int(SEQUENCE_INPUT.search(response.body).group(1))
        choices: dict[str, int] = {}
        checked: dict[str, list[int]] = {}
        for _kind, question, position, is_checked in CHOICE_INPUT.findall(response.body):
            choices[question] = choices.get(question, 0) + 1
            checked.setdefault(question, [])
            if is_checked:
                checked[question].append(int(position))
        return sequence, choices, checked

    def random_answers(self, choices: dict[str, int]) -> dict[str, list[int]]:
        """A position for most questions; some left unanswered."""
        return {
            question: [self.rng.randrange(count)] if self.rng.random() < 0.8 else []
            for question, count in choices.items()
        }

    def save(self, attempt: SavedAttempt, sequence: int, answers: dict[str, list[int]]) -> int:
        """Autosave as the page's script does; return the new sequence.

        A save whose first answer was lost and whose retry is refused as stale
        (409) is confirmed from the page: the earlier try was committed.
        """
        fields = [("sequence", str(sequence)), ("answers", "1")]
        fields += [(f"q-{q}", str(p)) for q, positions in answers.items() for p in positions]
        fields.append(("csrfmiddlewaretoken", self.csrf_token()))
        before = self.failed_tries
        response = self.request(
            "POST",
            f"/quizzes/attempts/{attempt.uuid}/save/",
            fields,
            {"Accept": "application/json"},
        )
        if response.status == 200:
            new_sequence = json.loads(response.body)["sequence"]
            assert new_sequence == sequence + 1
        else:
            retried = self.failed_tries > before
            assert response.status == 409 and retried, (
                f"save of {attempt.uuid}: {response.status} {response.body[:200]}"
            )
            new_sequence, _choices, checked = self.attempt_page(attempt)
            assert new_sequence == sequence + 1, "a stale retry but the save is not there"
            assert checked == answers, "the retried save's answers were not kept"
            self.saves_confirmed_from_page += 1
        attempt.confirmed_saves += 1
        attempt.last_answers = answers
        return new_sequence

    def submit(self, attempt: SavedAttempt) -> Response:
        fields = {"confirm": "1", "csrfmiddlewaretoken": self.csrf_token()}
        before = self.failed_tries
        response = self.request("POST", f"/quizzes/attempts/{attempt.uuid}/submit/", fields)
        self.retried_submits += self.failed_tries > before
        expected = f"/quizzes/attempts/{attempt.uuid}/result/"
        assert response.status == 302 and response.location == expected, (
            f"submit of {attempt.uuid}: {response.status} {response.location}"
        )
        attempt.submitted = True
        attempt.result_location = response.location
        return response

    def take_quiz(self, quiz_slug: str, *, saves: int, resubmit: bool) -> SavedAttempt | None:
        """Start (or resume), autosave `saves` times, submit, maybe submit again.

        None when the trainee is certified and the start is refused.
        """
        attempt = self.start(quiz_slug)
        if attempt is None:
            return None
        sequence, choices, _checked = self.attempt_page(attempt)
        assert sequence == attempt.confirmed_saves, "the page lost a confirmed save"
        for _ in range(saves):
            sequence = self.save(attempt, sequence, self.random_answers(choices))
        self.submit(attempt)
        if resubmit:
            again = self.submit(attempt)  # a double click: the same result, scored once
            assert again.location == attempt.result_location
        return attempt


def compare_with_database(clients: list[TraineeClient], report: dict) -> dict:
    """Every confirmed save and submission is in the database; return the counts."""
    problems, confirmed, submitted = [], 0, 0
    for client in clients:
        for uuid, attempt in client.attempts.items():
            stored = report["attempts"].get(uuid)
            if stored is None:
                problems.append(f"{uuid}: missing")
                continue
            confirmed += attempt.confirmed_saves
            if stored["sequence"] != attempt.confirmed_saves:
                problems.append(
                    f"{uuid}: {attempt.confirmed_saves} confirmed saves, "
                    f"{stored['sequence']} stored"
                )
            wanted = {q: attempt.last_answers.get(q, []) for q in stored["answers"]}
            if stored["answers"] != wanted:
                problems.append(f"{uuid}: stored {stored['answers']}, last saved {wanted}")
            if attempt.submitted:
                submitted += 1
                if stored["state"] != "submitted" or stored["closing_events"] != 1:
                    problems.append(f"{uuid}: submitted but stored as {stored}")
        certified = {c["user"] for c in report["certificates"] if not c["revoked"]}
        if client.certified_hold and client.username not in certified:
            problems.append(f"{client.username}: refused a new attempt but holds no certificate")
    return {"problems": problems, "confirmed_saves": confirmed, "submitted": submitted}


_STATIC_ROOT: list[Path] = []


def static_root_once(tmp_path_factory) -> Path:
    """Collected static files for production settings (the manifest), once per session."""
    if not _STATIC_ROOT:
        root = tmp_path_factory.mktemp("static") / "collected"
        collect_static(root)
        _STATIC_ROOT.append(root)
    return _STATIC_ROOT[0]


def prepare_database(env: dict, *, trainees: int, questions: int) -> dict:
    """Migrate the server's (empty) database and build the load world in it."""
    manage(env, "migrate", "--no-input", "-v0")
    return run_world_script(
        env, "build", "--trainees", str(trainees), "--questions", str(questions)
    )


def run_threads(target, arguments: list, timeout: float) -> list[str]:
    """Run target(*args) in one thread per entry; return the errors raised."""
    errors: list[str] = []

    def run(*args):
        try:
            target(*args)
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=run, args=args, daemon=True) for args in arguments]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    errors += [
        f"{thread.name} still running after {timeout} s" for thread in threads if thread.is_alive()
    ]
    return errors
