"""Loading the shipped attestation statements (fixtures/attestations/statements.json).

Keyed on slug and idempotent: loading the same file again changes nothing; a shipped
text that differs from the stored one is saved through `statement_save`, which raises
the version, so trainees are asked to sign the new wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from quizzes.attestations.services import statement_save
from quizzes.models import AttestationStatement, Program
from trainingsite.content_files import json_objects_read

SHIPPED_STATEMENTS = settings.BASE_DIR / "fixtures" / "attestations" / "statements.json"
STATEMENT_KEYS = {"slug", "title", "text"}
STATEMENT_OPTIONAL_KEYS = {"programs"}


class StatementContentError(ValueError):
    """The shipped statements cannot be loaded; the message names the entry."""


@dataclass
class StatementsLoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def _read(path: Path) -> list[dict]:
    entries = json_objects_read(path, error=StatementContentError)
    for index, entry in enumerate(entries):
        where = f"{path.name} entry {index + 1}"
        missing = STATEMENT_KEYS - entry.keys()
        unknown = entry.keys() - STATEMENT_KEYS - STATEMENT_OPTIONAL_KEYS
        if missing:
            raise StatementContentError(f"{where}: missing {', '.join(sorted(missing))}.")
        if unknown:
            raise StatementContentError(f"{where}: unknown {', '.join(sorted(unknown))}.")
        if not all(isinstance(entry[key], str) and entry[key].strip() for key in STATEMENT_KEYS):
            raise StatementContentError(f"{where}: slug, title and text must be text.")
    return entries


def _programs(entry: dict, *, where: str) -> list[Program]:
    slugs = entry.get("programs", [])
    programs = list(Program.objects.filter(slug__in=slugs))
    missing = set(slugs) - {p.slug for p in programs}
    if missing:
        raise StatementContentError(f"{where}: unknown program {', '.join(sorted(missing))}.")
    return programs


@transaction.atomic
def statements_load(*, path: Path = SHIPPED_STATEMENTS) -> StatementsLoadResult:
    """Create or update the shipped statements; a changed text raises the version."""
    result = StatementsLoadResult()
    for entry in _read(path):
        slug = entry["slug"]
        programs = _programs(entry, where=f"{path.name} {slug}")
        statement = AttestationStatement.objects.filter(slug=slug).first()
        if statement is None:
            statement = statement_save(
                statement=AttestationStatement(slug=slug), text=entry["text"], title=entry["title"]
            )
            result.created.append(slug)
        elif statement.text != entry["text"] or statement.title != entry["title"]:
            statement_save(statement=statement, text=entry["text"], title=entry["title"])
            result.updated.append(slug)
        else:
            result.kept.append(slug)
        statement.programs.add(*programs)
    return result
