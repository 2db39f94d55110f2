"""Data safety: the backup and restore routes of the README bring every record back.

Each test dumps a small committed world (certified, failed, in-progress and
practised attempts, a revoked certificate, the audit trail), restores it into
an empty database, and compares what a fresh process reads there with the
original: every attempt with its answers and score, every certificate.
"""

import io
import json
import shutil
import sqlite3
import subprocess
import urllib.parse
from datetime import datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from lessons.services import lesson_complete
from quizzes import services
from quizzes.certification.services import certificate_revoke
from quizzes.models import Attempt, Certificate, Cohort, Question
from tests.builders import correct_ids, make_program, make_trainee, wrong_ids
from tests.hardening.realserver import manage, require, run_world_script, server_env
from tests.hardening.world_script import report
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

# A backup of the demo (`make run`'s content, accounts, cohort and history) made by the
# README's portable route at commit 37b6b2d (2026-11-26), before the quizzes app was split
# into packages: the models' app label, tables, permissions and stored audit targets must
# still take it.
BEFORE_LAYOUT = Path(__file__).parent / "dumps" / "before-layout"

# The portable route (README, "Backup and restore"). Groups go by name, as the
# empty database already has the role groups (made by migrate, with keys of its
# own); everything else keeps its primary key (papers name question and choice
# ids), with references to groups, content types and permissions by name.
GROUPS_DUMP_ARGS = ["auth.group", "--natural-foreign", "--natural-primary"]
DATA_DUMP_ARGS = [
    "--natural-foreign",
    "--exclude=contenttypes",
    "--exclude=auth.permission",
    "--exclude=auth.group",
    "--exclude=sessions",
]


def _answer(attempt, pick) -> None:
    answers = {q["id"]: pick(q) for q in attempt.paper["questions"]}
    services.attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence)


def _build_world(superuser) -> dict:
    """Attempts in every state and certificates, made by the real services."""
    program = make_program(slug="safety", lessons=1, quizzes=1)
    lesson, quiz = program.required_lessons.get(), program.required_quizzes.get()
    certified, revoked, failing, halfway = (
        make_trainee(username=name) for name in ("certified", "revoked", "failing", "halfway")
    )
    for trainee in (certified, revoked):
        lesson_complete(user=trainee, lesson=lesson)
        attempt = services.attempt_start(user=trainee, quiz=quiz)
        _answer(attempt, correct_ids)
        services.attempt_submit(attempt=attempt)
    failed = services.attempt_start(user=failing, quiz=quiz)
    _answer(failed, wrong_ids)
    services.attempt_submit(attempt=failed)
    services.practice_start_from_mistakes(user=failing, quiz=quiz)
    _answer(services.attempt_start(user=halfway, quiz=quiz), correct_ids)
    superuser.user_permissions.add(Permission.objects.get(codename="revoke_certificate"))
    superuser = type(superuser).objects.get(pk=superuser.pk)
    certificate_revoke(
        certificate=revoked.certificates.get(), by=superuser, reason="Issued in error."
    )
    original = report()
    assert original["violations"] == []
    states = sorted(a["state"] for a in original["attempts"].values())
    assert states == ["in_progress", "in_progress", "submitted", "submitted", "submitted"]
    assert sorted(c["revoked"] for c in original["certificates"]) == [False, True]
    return original


def _to_the_millisecond(found: dict) -> dict:
    """Django's JSON serializer keeps times to the millisecond (ECMA-262), no finer."""
    for certificate in found["certificates"]:
        issued = datetime.fromisoformat(certificate["issued_at"])
        certificate["issued_at"] = issued.replace(microsecond=issued.microsecond // 1000 * 1000)
    return found


def _sqlite_url(path) -> str:
    return f"sqlite:///{path}"


def _restored_report(tmp_path, database_url: str) -> dict:
    env = server_env(database_url=database_url, var_dir=tmp_path, static_root=tmp_path)
    return run_world_script(env, "report")


def _pg_url(name: str) -> str:
    settings = connection.settings_dict
    auth = urllib.parse.quote(settings["USER"] or "")
    if settings["PASSWORD"]:
        auth += ":" + urllib.parse.quote(settings["PASSWORD"])
    host = settings["HOST"] or "localhost"
    return f"postgres://{auth}@{host}:{settings['PORT'] or 5432}/{name}"


def _pg_env() -> dict:
    import os

    env = dict(os.environ)
    if connection.settings_dict["PASSWORD"]:
        env["PGPASSWORD"] = connection.settings_dict["PASSWORD"]
    return env


def _pg_args() -> list[str]:
    settings = connection.settings_dict
    return [
        "-h",
        settings["HOST"] or "localhost",
        "-p",
        str(settings["PORT"] or 5432),
        "-U",
        settings["USER"] or "postgres",
    ]


class EmptyPostgresDatabase:
    """A fresh, empty PostgreSQL database of this process, dropped afterwards."""

    def __init__(self, purpose: str):
        import os

        self.name = f"trainingsite_{purpose}_{os.getpid()}"

    def __enter__(self) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{self.name}"')
        return self.name

    def __exit__(self, *exc) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def test_dumpdata_then_loaddata_into_an_empty_database_finds_everything(tmp_path, superuser):
    original = _build_world(superuser)
    groups, data = tmp_path / "groups.json", tmp_path / "data.json"
    call_command("dumpdata", *GROUPS_DUMP_ARGS, output=str(groups), verbosity=0)
    call_command("dumpdata", *DATA_DUMP_ARGS, output=str(data), verbosity=0)

    def restore(env) -> None:
        manage(env, "migrate", "--no-input", "-v0")  # the empty database: schema, no data
        manage(env, "loaddata", str(groups), str(data), "-v0")

    if connection.vendor == "postgresql":
        with EmptyPostgresDatabase("loaddata") as name:
            env = server_env(database_url=_pg_url(name), var_dir=tmp_path, static_root=tmp_path)
            restore(env)
            restored = run_world_script(env, "report")
    else:
        env = server_env(
            database_url=_sqlite_url(tmp_path / "restored.sqlite3"),
            var_dir=tmp_path,
            static_root=tmp_path,
        )
        restore(env)
        restored = run_world_script(env, "report")

    assert _to_the_millisecond(restored) == _to_the_millisecond(original)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup route")
def test_sqlite_backup_then_restore_into_an_empty_file_finds_everything(tmp_path, superuser):
    original = _build_world(superuser)
    backup, restored_file = tmp_path / "backup.sqlite3", tmp_path / "restored.sqlite3"
    connection.ensure_connection()
    # What `sqlite3 var/db.sqlite3 ".backup 'backup.sqlite3'"` does: an online, consistent copy.
    with sqlite3.connect(backup) as target:
        connection.connection.backup(target)
    # Restoring: into a new, empty file (`sqlite3 restored.sqlite3 ".restore 'backup.sqlite3'"`).
    assert not restored_file.exists()
    with sqlite3.connect(backup) as source, sqlite3.connect(restored_file) as target:
        source.backup(target)

    restored = _restored_report(tmp_path, _sqlite_url(restored_file))

    assert restored == original


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backup route")
def test_pg_dump_then_pg_restore_into_an_empty_database_finds_everything(tmp_path, superuser):
    require(
        shutil.which("pg_dump") is not None and shutil.which("pg_restore") is not None,
        "pg_dump and pg_restore are not installed (apt-get install postgresql-client)",
    )
    original = _build_world(superuser)
    dump = tmp_path / "backup.dump"
    subprocess.run(
        ["pg_dump", "-Fc", *_pg_args(), "-f", str(dump), connection.settings_dict["NAME"]],
        check=True,
        env=_pg_env(),
        timeout=120,
    )
    with EmptyPostgresDatabase("restore") as name:
        subprocess.run(
            ["pg_restore", "--no-owner", *_pg_args(), "-d", name, str(dump)],
            check=True,
            env=_pg_env(),
            timeout=120,
        )
        restored = _restored_report(tmp_path, _pg_url(name))

    assert restored == original


def test_loading_a_backup_does_not_audit_its_role_memberships_again(tmp_path):
    """The dump brings its own audit trail; loading users into their groups adds nothing."""
    fixture = tmp_path / "users.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "auth.user",
                    "pk": 9001,
                    "fields": {"username": "restored", "password": "!", "groups": [["Trainee"]]},
                }
            ]
        )
    )

    call_command("loaddata", str(fixture), verbosity=0)

    assert get_user_model().objects.get(pk=9001).groups.get().name == "Trainee"
    assert AuditEvent.objects.count() == 0


def _dumped(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("dumpdata", *args, stdout=out, verbosity=0)
    return sorted(json.loads(out.getvalue()), key=_record_key)


def _record_key(record: dict) -> tuple:
    return record["model"], json.dumps(record["pk"])


# Fields added after the backup was made, and the default each holds in every record.
FIELDS_ADDED_SINCE = {
    "quizzes.question": {
        "image_original_name": "",
        "needs_review": False,
        "variant_group": "",
        "bank": "practice",
        "model_answer": "",
        "marking_guide": "",
    },
    "quizzes.choice": {"image_original_name": ""},
    "quizzes.quiz": {
        "min_critical_per_paper": 0,
        "bank": "practice",
        "hand_marked": False,
        "blind_marking": True,
        "practice_behaviour": "deferred",
        "practice_tries": 1,
    },
    "quizzes.program": {
        "cpd_hours": None,
        "cpd_awarding_body": "",
        "renewal_supersedes": False,
        "update_window_days": 60,
        "update_quiz_questions": 5,
        "update_pass_mark": 80,
        "renewal_by_review": False,
        "renewal_quiz": None,
    },
    "quizzes.certificate": {
        "cpd_hours": None,
        "cpd_awarding_body": "",
        "superseded_by": None,
        "lessons_completed": [],
        "observations": [],
        "attestations": [],
    },
    "quizzes.attemptanswer": {"text": "", "checked_at": None, "tries": 0},
    "quizzes.cohort": {"assessors": []},
}


def test_a_backup_made_before_the_layout_change_restores_every_record(client):
    groups, data = BEFORE_LAYOUT / "groups.json", BEFORE_LAYOUT / "data.json"
    call_command("loaddata", str(groups), str(data), verbosity=0)

    # Dumped again by today's code, the database holds exactly what the old backup held;
    # fields added since then hold their defaults.
    original = json.loads(data.read_text())
    dumped = _dumped(*DATA_DUMP_ARGS)
    added = {}
    for record, old in zip(dumped, sorted(original, key=_record_key), strict=True):
        for name in set(record["fields"]) - set(old["fields"]):
            values = added.setdefault(record["model"], {}).setdefault(name, set())
            values.add(json.dumps(record["fields"].pop(name)))  # lists and dicts too
    assert dumped == sorted(original, key=_record_key)
    assert added == {
        model: {name: {json.dumps(default)} for name, default in fields.items()}
        for model, fields in FIELDS_ADDED_SINCE.items()
    }
    assert {o["model"] for o in original} >= {
        "quizzes.attempt",
        "quizzes.certificate",
        "quizzes.cohortmembership",
        "trainingsite.auditevent",
    }
    # Audit events still name their targets by the quizzes label.
    target_types = set(AuditEvent.objects.values_list("target_type", flat=True))
    assert target_types and all(label.count(".") == 1 for label in target_types)

    # The people of the backup use the site as before.
    users = get_user_model().objects
    certificate = Certificate.objects.select_related("user").order_by("pk").first()
    client.force_login(certificate.user)
    assert client.get(reverse("trainee_home")).status_code == 200
    assert client.get(certificate.get_absolute_url()).status_code == 200
    verified = client.get(certificate.verify_path())
    assert verified.status_code == 200
    assert certificate.holder_name in verified.content.decode()
    attempt = Attempt.objects.filter(state=Attempt.State.SUBMITTED).select_related("user").first()
    client.force_login(attempt.user)
    assert client.get(attempt.get_absolute_url()).status_code == 200

    # Permissions and admin URL names keep the quizzes prefix.
    manager = users.get(username="manager")
    assert manager.has_perm("quizzes.revoke_certificate") is True
    client.force_login(users.get(username="admin"))
    for name, pk in [
        ("admin:quizzes_certificate_change", certificate.pk),
        ("admin:quizzes_cohort_change", Cohort.objects.get().pk),
        ("admin:quizzes_question_change", Question.objects.order_by("pk").first().pk),
        ("admin:quizzes_attempt_change", attempt.pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 200, name
