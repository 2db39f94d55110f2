"""README's "Integrating" and "Background jobs" sections: their examples work, their names exist.

The example listener verifies real signed deliveries from the site; the certify script takes
the demo trainee to a certificate whose `certificate.issued` arrives at that listener (and,
with Ralph installed, whose statements reach a real LRS); every management command and
option, address, API operation, environment variable, make target, file and event type the
sections name exists, so the README cannot drift from the code.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import ModuleType

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands, load_command_class
from django.urls import Resolver404, resolve

from quizzes.api.api import api
from quizzes.models import Certificate, WebhookDelivery, WebhookEvent
from quizzes.webhooks.services import endpoint_create, endpoint_send_test

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
EXAMPLES = ROOT / "docs" / "examples"
SECTIONS = ("Integrating", "Background jobs")
SITE = "http://127.0.0.1:8000"
# Commands of an app that joins INSTALLED_APPS only with its setting (DJANGO_TASKS_BACKEND=rq).
OPTIONAL_COMMANDS = {"rqworker": "django_rq"}
# The endpoint is registered before its listener starts (the listener needs its secret).
PLACEHOLDER_URL = "http://127.0.0.1:1/hook"


def _example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"docs_examples_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


listener_example = _example("webhook_listener")


def _section(title: str) -> str:
    text = README.read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _code() -> list[str]:
    """Each fenced block (continuation lines joined) and each inline code span of the sections."""
    spans = []
    for title in SECTIONS:
        text = _section(title)
        for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
            spans += block.replace("\\\n", " ").splitlines()
        prose = re.sub(r"```[a-z]*\n.*?```", "", text, flags=re.S)
        spans += re.findall(r"`([^`\n]+)`", prose)
        spans += re.findall(r"\*\*(/[^*\s]+)\*\*", prose)  # an address in bold
    return spans


class _Serving:
    """The example listener on a free loopback port, in a thread, printing into a buffer."""

    def __init__(self, secret: str):
        self.out = io.StringIO()
        self.server = listener_example.make_server(
            host="127.0.0.1", port=0, secret=secret, out=self.out
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.out.getvalue().splitlines()]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve_listener():
    running = []

    def start(secret: str) -> _Serving:
        running.append(_Serving(secret))
        return running[-1]

    yield start
    for serving in running:
        serving.stop()


def _post(url: str, *, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# The listener against the site's own deliveries.


@pytest.mark.django_db
def test_the_listener_verifies_the_sites_test_event_and_refuses_a_forged_one(
    settings, manager, serve_listener, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    endpoint = endpoint_create(
        owner=manager, url=PLACEHOLDER_URL, events=[WebhookEvent.CERTIFICATE_ISSUED]
    )
    listener = serve_listener(endpoint.secret)
    endpoint.url = listener.url
    endpoint.save(update_fields=["url"])

    with django_capture_on_commit_callbacks(execute=True):
        delivery = endpoint_send_test(endpoint=endpoint)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == ("succeeded", 200)
    (line,) = listener.lines()
    assert line["verified"] is True
    assert line["repeat"] is False
    assert line["type"] == WebhookEvent.TEST
    assert line["webhook-id"] == str(delivery.event_id)
    assert line["webhook-signature"].startswith("v1,")

    body = json.dumps({"id": "forged", "type": "certificate.issued"}).encode()
    forged = {
        "webhook-id": "forged",
        "webhook-timestamp": str(int(time.time())),
        "webhook-signature": "v1,AAAA",
        "Content-Type": "application/json",
    }
    assert _post(listener.url, body=body, headers=forged) == 401
    assert listener.lines()[-1] == {
        "path": "/hook",
        "webhook-id": "forged",
        "webhook-timestamp": forged["webhook-timestamp"],
        "webhook-signature": "v1,AAAA",
        "verified": False,
        "error": "signature does not match",
    }


def test_the_listeners_verify_refuses_a_stale_timestamp_and_a_changed_body():
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"id": "e1", "type": "webhook.test", "data": {}}'
    signature = listener_example.expected_signature(
        secret=secret, msg_id="e1", timestamp="1700000000", body=body
    )
    headers = {
        "Webhook-Id": "e1",
        "Webhook-Timestamp": "1700000000",
        "Webhook-Signature": f"v1,{signature}",
    }
    event = listener_example.verify(secret=secret, headers=headers, body=body, now=1700000100)
    assert event["id"] == "e1"
    with pytest.raises(listener_example.SignatureError, match="five minutes"):
        listener_example.verify(secret=secret, headers=headers, body=body, now=1700000400)
    with pytest.raises(listener_example.SignatureError, match="does not match"):
        listener_example.verify(secret=secret, headers=headers, body=body + b" ", now=1700000100)


# The certify script, as `manage.py shell < docs/examples/certify_demo_trainee.py` runs it.


def _run_certify_script(capture) -> str:
    source = (EXAMPLES / "certify_demo_trainee.py").read_text()
    printed = io.StringIO()
    with capture(execute=True):
        exec(  # noqa: S102 - the shell command runs the file the same way
            compile(source, str(EXAMPLES / "certify_demo_trainee.py"), "exec"),
            {"__name__": "__main__", "print": lambda *a: print(*a, file=printed)},
        )
    return printed.getvalue()


@pytest.fixture
def demo(db):
    call_command("setup_demo", stdout=io.StringIO())


def test_the_certify_script_issues_a_certificate_whose_signed_event_reaches_the_listener(
    settings, demo, serve_listener, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    # The demo's manager: their endpoint hears about the demo cohort's trainees.
    endpoint = endpoint_create(
        owner=get_user_model().objects.get(username="manager"),
        url=PLACEHOLDER_URL,
        events=[WebhookEvent.CERTIFICATE_ISSUED, WebhookEvent.ATTEMPT_SUBMITTED],
    )
    listener = serve_listener(endpoint.secret)
    endpoint.url = listener.url
    endpoint.save(update_fields=["url"])

    printed = _run_certify_script(django_capture_on_commit_callbacks)

    certificate = Certificate.objects.get(user__username="trainee")
    assert printed == (
        f"Tara Trainee is certified: {certificate.display_code} ({certificate.program})\n"
    )
    lines = listener.lines()
    assert [line["type"] for line in lines] == ["attempt.submitted"] * 5 + ["certificate.issued"]
    assert all(line["verified"] is True for line in lines)
    assert lines[-1]["data"]["certificate"]["code"] == certificate.display_code
    assert lines[-1]["data"]["trainee"]["username"] == "trainee"
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}

    # Run again: the trainee is certified, nothing more happens.
    assert _run_certify_script(django_capture_on_commit_callbacks) == printed
    assert Certificate.objects.filter(user__username="trainee").count() == 1
    assert len(listener.lines()) == 6


def test_the_certify_script_sends_the_statements_the_readme_lists_to_a_real_lrs(
    demo, xapi_site, lrs, django_capture_on_commit_callbacks
):
    _run_certify_script(django_capture_on_commit_callbacks)
    program = Certificate.objects.get(user__username="trainee").program

    home = xapi_site.XAPI_HOMEPAGE
    ours, path = [], "statements?limit=100"
    while path:
        page = lrs.get(path)
        ours += [s for s in page["statements"] if s["actor"]["account"]["homePage"] == home]
        path = page.get("more") if page["statements"] else None
    verbs = [s["verb"]["display"]["en-US"] for s in ours]
    assert sorted(verbs) == sorted(["completed"] * 3 + ["passed"] * 6 + ["certified"])
    (certified,) = [s for s in ours if s["verb"]["display"]["en-US"] == "certified"]
    assert certified["object"]["id"] == f"{home}certificates/programs/{program.slug}/"


# Every name the sections use exists.


def test_every_management_command_and_option_named_exists():
    commands = get_commands()
    named = []
    for span in _code():
        for match in re.finditer(r"manage\.py\s+([a-z_]+)([^|<>;`]*)", span):
            named.append((match.group(1), re.findall(r"(?<!\S)(--[a-z][a-z-]*)", match.group(2))))
    assert {name for name, _ in named} >= {
        "create_api_token",
        "db_worker",
        "recover_stale_jobs",
        "shell",
    }
    for name, options in named:
        app = commands.get(name) or OPTIONAL_COMMANDS.get(name)
        assert app, f"README names manage.py {name}, which no installed app provides"
        parser = load_command_class(app, name).create_parser("manage.py", name)
        for option in options:
            assert option in parser._option_string_actions, f"manage.py {name} has no {option}"


def _placeholders(path: str) -> str:
    return re.sub(r"\{[^}]+\}|<[^>]+>", "x", path)


def test_every_site_address_named_resolves_to_a_page():
    paths = set()
    for span in _code():
        paths |= {m.split("?")[0] for m in re.findall(rf"{re.escape(SITE)}(/[^\s'\"]*)", span)}
        if re.fullmatch(r"/[\w./<>{}-]*", span):
            paths.add(span)
    assert {"/api/v1/trainees", "/integrations/webhooks/", "/api/v1/openapi.json"} <= paths
    for path in sorted(paths):
        try:
            match = resolve(_placeholders(path))
        except Resolver404:
            pytest.fail(f"README names {path}, which no URL pattern serves")
        assert match.url_name != "not_found", f"README names {path}, which the API does not serve"


def _operation_key(method: str, path: str) -> tuple[str, str]:
    return method.lower(), re.sub(r"\{[^}]+\}|<[^>]+>", "{}", path.rstrip("/"))


def test_every_api_operation_named_is_in_the_openapi_document():
    schema = api.get_openapi_schema()
    prefix = "/api/v1"
    operations = {
        _operation_key(method, path) for path, item in schema["paths"].items() for method in item
    }
    named = set()
    for span in _code():
        for method, path in re.findall(r"\b(GET|POST|PUT|PATCH|DELETE) (/[^\s?`]+)", span):
            named.add(_operation_key(method, path if path.startswith(prefix) else prefix + path))
    assert len(named) >= 10
    assert named <= operations, f"not in the OpenAPI document: {sorted(named - operations)}"


def test_every_environment_variable_named_is_read_by_the_settings():
    source = (ROOT / "trainingsite" / "settings.py").read_text()
    text = "\n".join(_section(title) for title in SECTIONS)
    names = {name for name in re.findall(r"\bDJANGO_[A-Z0-9_]+", text) if not name.endswith("_")}
    assert {"DJANGO_XAPI_ENDPOINT", "DJANGO_TASKS_BACKEND", "DJANGO_DEBUG"} <= names
    missing = sorted(name for name in names if f'"{name}"' not in source)
    assert not missing, f"README names variables the settings never read: {missing}"


def _make_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text()
    variables = dict(re.findall(r"^([A-Z_]+)\s*[?:]?=\s*(\S+)\s*$", makefile, re.M))
    targets = set()
    for line in re.findall(r"^([^\s#=:][^:=]*):(?!=)", makefile, re.M):
        for target in line.split():
            targets.add(re.sub(r"\$\(([A-Z_]+)\)", lambda m: variables[m.group(1)], target))
    return targets


def test_every_make_target_named_exists():
    targets = _make_targets()
    named = {
        target for span in _code() for target in re.findall(r"(?:^|[\s;&])make\s+([\w./-]+)", span)
    }
    assert {"run", ".venv-lrs/.installed"} <= named
    assert named <= targets, f"no such make target: {sorted(named - targets)}"


def test_every_file_named_exists_and_the_listener_takes_the_options_shown():
    named = {
        path
        for span in _code()
        for path in re.findall(
            r"\b((?:docs|tests|quizzes|trainingsite|lessons)/[\w./-]+\.\w+)", span
        )
    }
    assert {"docs/examples/webhook_listener.py", "docs/examples/certify_demo_trainee.py"} <= named
    missing = sorted(path for path in named if not (ROOT / path).is_file())
    assert not missing, f"README names files that do not exist: {missing}"
    options = listener_example.make_parser()._option_string_actions
    for span in _code():
        if "webhook_listener.py" in span:
            for option in re.findall(r"(?<!\S)(--[a-z][a-z-]*)", span):
                assert option in options, f"webhook_listener.py has no {option}"


def test_every_webhook_event_named_exists():
    dotted = {
        span
        for span in _code()
        if re.fullmatch(r"(certificate|trainee|attempt|webhook)\.[a-z_]+", span)
    }
    assert {"certificate.issued", "attempt.submitted"} <= dotted
    assert dotted <= set(WebhookEvent.values), sorted(dotted - set(WebhookEvent.values))
