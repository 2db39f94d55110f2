"""A real Learning Record Store on loopback: Ralph with its file-system backend.

Its users come from the auth file `ralph auth` writes; the server is Ralph's application
started by tests/xapi/ralph_lrs.py (which says why not `ralph runserver`).

Ralph lives in its own environment (`.venv-lrs`, made by `make test`; see
tests/xapi/requirements-lrs.txt). One server per test process, with its own data folder
and auth file; each test gets a site address of its own (XAPI_HOMEPAGE), so statement ids
and activity IRIs never meet another test's in the shared store.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quizzes.xapi import statements
from tests.hardening.realserver import require

ROOT = Path(__file__).resolve().parents[2]
RALPH = Path(os.environ.get("XAPI_TEST_RALPH", ROOT / ".venv-lrs" / "bin" / "ralph"))
USERNAME = "site"
PASSWORD = "lrs-test-password"
START_TIMEOUT_SECONDS = 60
LAUNCHER = Path(__file__).with_name("ralph_lrs.py")
AT = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Lrs:
    endpoint: str  # the xAPI base, ending in /xAPI/
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def get(self, path: str) -> dict:
        """GET `path` (under the server's root) through the LRS's own API."""
        credentials = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        request = urllib.request.Request(
            urllib.parse.urljoin(self.endpoint, path),
            headers={
                "Authorization": f"Basic {credentials}",
                "X-Experience-API-Version": "1.0.3",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def statement(self, statement_id: str) -> dict | None:
        """The stored statement with this id (Ralph answers with a list of it), or None."""
        found = self.get(f"statements?statementId={statement_id}")["statements"]
        assert len(found) <= 1
        return found[0] if found else None

    def statements_about(self, activity: str) -> list[dict]:
        """Every stored statement whose object is `activity`, following the `more` pages.

        Filtered here: Ralph 5.1.0's file-system backend compares the `activity` query
        parameter (parsed into an IRI object) with plain strings, so it matches nothing.
        """
        found, path = [], "statements?limit=100"
        while path:
            page = self.get(path)
            found += [s for s in page["statements"] if s["object"]["id"] == activity]
            path = page.get("more") if page["statements"] else None
        return found


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


@pytest.fixture(scope="session")
def lrs(tmp_path_factory):
    require(RALPH.exists(), f"Ralph is not installed at {RALPH} (run `make .venv-lrs/.installed`)")
    home = tmp_path_factory.mktemp("ralph")
    data = home / "data"
    data.mkdir()
    env = {
        **os.environ,
        "RALPH_APP_DIR": str(home / "app"),
        "RALPH_AUTH_FILE": str(home / "app" / "auth.json"),
        # `ralph auth -w` reads the server settings, whose default backend is Elasticsearch.
        "RALPH_RUNSERVER_BACKEND": "fs",
    }
    subprocess.run(
        [
            str(RALPH),
            "auth",
            "--username",
            USERNAME,
            "--password",
            PASSWORD,
            "--scope",
            "all",
            "--agent-ifi-account",
            USERNAME,
            "http://127.0.0.1/",
            "--write-to-disk",
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    port = free_port()
    log_path = home / "ralph.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(RALPH.parent / "python"), str(LAUNCHER), "127.0.0.1", str(port), str(data)],
            cwd=home,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Lrs(endpoint=f"http://127.0.0.1:{port}/xAPI/", process=process, log_path=log_path)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    try:
        while not _answers(f"http://127.0.0.1:{port}/__heartbeat__"):
            if process.poll() is not None:
                pytest.fail(f"Ralph exited at start-up:\n{server.log()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"Ralph did not answer within {START_TIMEOUT_SECONDS} s:\n{server.log()}"
                )
            time.sleep(0.1)  # polling interval, not a wait for an outcome
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def xapi_site(settings, lrs):
    """The site pointed at the LRS, under a site address of this test's own."""
    settings.XAPI_ENDPOINT = lrs.endpoint
    settings.XAPI_USERNAME = USERNAME
    settings.XAPI_PASSWORD = PASSWORD
    settings.XAPI_HOMEPAGE = f"http://site-{uuid.uuid4().hex[:12]}.test/"
    return settings


def attempt_statement(homepage: str, **overrides) -> dict:
    """A submitted attempt's statement under the test's site address."""
    fields = {
        "homepage": homepage,
        "person": statements.person_key(user_id=7, joined=AT - timedelta(days=30)),
        "attempt_uuid": "0b8f6a52-5f33-4f0e-9d55-3c1a7d6b2e10",
        "quiz_iri": f"{homepage}quizzes/final/",
        "quiz_title": "Final",
        "started_at": AT,
        "submitted_at": AT + timedelta(minutes=3),
        "points": 3.0,
        "max_points": 4.0,
        "passed": False,
    }
    return statements.attempt_submitted(**(fields | overrides))


class _Failing(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(503)
        self.end_headers()
        self.wfile.write(b"maintenance")

    def log_message(self, *args):
        pass


@pytest.fixture
def failing_lrs():
    """A real HTTP server on loopback that answers every PUT with 503."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/xAPI/"
    server.shutdown()
    server.server_close()
