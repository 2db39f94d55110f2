"""Two app servers, one PostgreSQL database: a trainee moves between them mid-attempt.

Each server is its own gunicorn process on its own loopback port, as two
machines behind a load balancer would be. They share nothing but the database
(sessions included), so an attempt started through one must resume, save and
submit through the other without losing an answer.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.db import connection

from quizzes.models import Attempt, AttemptAnswer
from tests.builders import TEST_PASSWORD, make_quiz

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=(
            "scale-out needs a database server that several app processes share "
            "(PostgreSQL); SQLite is one file on one machine"
        ),
    ),
]

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SEQUENCE_INPUT = re.compile(r'name="sequence" value="(\d+)"')
CHOICE_INPUT = re.compile(r'name="q-(\d+)" value="(\d+)"[^>]*?( checked)?>')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _test_database_url() -> str:
    """The URL of pytest-django's test database, which the servers must use."""
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class AppServer:
    """One gunicorn process (1 worker) on its own loopback port."""

    def __init__(self, logfile: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": _test_database_url(),
            # No connection left open when the test database is flushed and dropped.
            "DJANGO_CONN_MAX_AGE": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        self.log = open(logfile, "w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "trainingsite.wsgi:application",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "gunicorn exited at start-up"
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:  # refused while starting, or slow on a busy machine
                time.sleep(0.2)
        raise AssertionError(f"the server on port {self.port} did not answer within 180 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture
def two_servers(tmp_path):
    servers = [AppServer(tmp_path / "server-a.log"), AppServer(tmp_path / "server-b.log")]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


class Browser:
    """A user agent with one cookie jar: cookies are per host, so both servers share them."""

    def __init__(self):
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def csrf(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")

    def get(self, url: str) -> tuple[int, str, dict]:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, fields: list[tuple[str, str]], **headers) -> tuple[int, str, dict]:
        data = urllib.parse.urlencode([*fields, ("csrfmiddlewaretoken", self.csrf())]).encode()
        return self._open(urllib.request.Request(url, data=data, headers=headers))

    def _open(self, request) -> tuple[int, str, dict]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _page_answers(html: str) -> dict[str, list[int]]:
    answers: dict[str, list[int]] = {}
    for question, position, checked in CHOICE_INPUT.findall(html):
        answers.setdefault(question, [])
        if checked:
            answers[question].append(int(position))
    return answers


def _fields(sequence: int, answers: dict[str, list[int]]) -> list[tuple[str, str]]:
    fields = [("sequence", str(sequence)), ("answers", "1")]
    for question, positions in answers.items():
        fields += [(f"q-{question}", str(position)) for position in positions]
    return fields


def test_attempt_started_on_one_server_is_resumed_and_submitted_on_the_other(two_servers, trainee):
    server_a, server_b = two_servers
    quiz = make_quiz(3, kinds=("single", "multiple"))
    browser = Browser()

    # Log in through server A with the real password.
    status, page, _ = browser.get(server_a.url + "/accounts/login/")
    assert status == 200
    token = CSRF_INPUT.search(page).group(1)
    status, _, headers = browser._open(
        urllib.request.Request(
            server_a.url + "/accounts/login/",
            data=urllib.parse.urlencode(
                {
                    "username": trainee.username,
                    "password": TEST_PASSWORD,
                    "csrfmiddlewaretoken": token,
                }
            ).encode(),
        )
    )
    assert status == 302

    # Start on A and autosave the first answers there.
    status, _, headers = browser.post(server_a.url + f"/quizzes/{quiz.slug}/start/", [])
    assert status == 302
    attempt_path = headers["Location"]
    attempt = Attempt.objects.get(user=trainee, quiz=quiz)
    assert attempt_path == f"/quizzes/attempts/{attempt.uuid}/"
    status, page, _ = browser.get(server_a.url + attempt_path)
    assert status == 200
    questions = list(_page_answers(page))
    first = {question: [0] for question in questions}
    status, body, _ = browser.post(
        server_a.url + attempt_path + "save/",
        _fields(int(SEQUENCE_INPUT.search(page).group(1)), first),
        Accept="application/json",
    )
    assert status == 200
    assert json.loads(body)["sequence"] == 1

    # Server B knows the session, resumes the same attempt and shows the saved answers.
    status, _, headers = browser.post(server_b.url + f"/quizzes/{quiz.slug}/start/", [])
    assert (status, headers["Location"]) == (302, attempt_path)
    status, page, _ = browser.get(server_b.url + attempt_path)
    assert status == 200
    assert _page_answers(page) == first
    assert SEQUENCE_INPUT.search(page).group(1) == "1"

    # Submit on B with changed answers; the result reads the same on A.
    final = {question: [1] for question in questions}
    status, _, headers = browser.post(
        server_b.url + attempt_path + "submit/", [*_fields(1, final), ("confirm", "1")]
    )
    assert (status, headers["Location"]) == (302, attempt_path + "result/")
    status, page, _ = browser.get(server_a.url + attempt_path + "result/")
    assert status == 200

    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    assert attempt.sequence == 2
    assert Attempt.objects.filter(user=trainee, quiz=quiz).count() == 1
    choice_ids = {str(q["id"]): [c["id"] for c in q["choices"]] for q in attempt.paper["questions"]}
    saved = {
        str(row.question_id): row.selected for row in AttemptAnswer.objects.filter(attempt=attempt)
    }
    assert saved == {question: [choice_ids[question][1]] for question in questions}
