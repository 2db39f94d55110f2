"""The shipped statement loads once, for the foundation program; a text change is a version."""

import io
import json

import pytest
from django.core.management import call_command

from quizzes.attestations.content import (
    SHIPPED_STATEMENTS,
    StatementContentError,
    statements_load,
)
from quizzes.models import AttestationStatement
from tests.builders import make_program

pytestmark = pytest.mark.django_db

SLUG = "bleeding-management-protocol"


@pytest.fixture
def foundation(db):
    return make_program(slug="bleeding-management-foundation", lessons=0, quizzes=0)


def test_the_shipped_statement_loads_for_the_foundation_program(foundation):
    assert statements_load(path=SHIPPED_STATEMENTS).created == [SLUG]
    statement = AttestationStatement.objects.get(slug=SLUG)
    assert list(statement.programs.all()) == [foundation]
    assert statement.version == 1
    assert "bleeding management protocol" in statement.text


def test_loading_again_changes_nothing(foundation):
    statements_load(path=SHIPPED_STATEMENTS)
    result = statements_load(path=SHIPPED_STATEMENTS)
    assert (result.created, result.updated, result.kept) == ([], [], [SLUG])
    assert AttestationStatement.objects.get(slug=SLUG).version == 1


def test_a_shipped_text_change_raises_the_version(foundation, tmp_path):
    statements_load(path=SHIPPED_STATEMENTS)
    entries = json.loads(SHIPPED_STATEMENTS.read_text(encoding="utf-8"))
    entries[0]["text"] += " Updated."
    path = tmp_path / "statements.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    assert statements_load(path=path).updated == [SLUG]
    assert AttestationStatement.objects.get(slug=SLUG).version == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON"),
        ("{}", "expected a list of objects"),
        ('[{"slug": "x", "title": "X"}]', "missing text"),
        ('[{"slug": "x", "title": "X", "text": "T", "colour": 1}]', "unknown colour"),
        ('[{"slug": "x", "title": "X", "text": "T", "programs": ["nope"]}]', "unknown program"),
    ],
)
def test_bad_content_names_the_problem(tmp_path, content, message):
    path = tmp_path / "statements.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(StatementContentError, match=message):
        statements_load(path=path)
    assert AttestationStatement.objects.count() == 0


def test_setup_demo_asks_the_foundation_program_for_the_statement():
    call_command("setup_demo", stdout=io.StringIO())
    statement = AttestationStatement.objects.get(slug=SLUG)
    assert statement.programs.filter(slug="bleeding-management-foundation").exists()
    call_command("setup_demo", stdout=io.StringIO())
    assert AttestationStatement.objects.get(slug=SLUG).version == 1
