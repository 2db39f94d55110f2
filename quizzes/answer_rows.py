"""An attempt's stored answers, read and first written in one plain statement each.

Every attempt page, autosave and submit reads these few rows. Through the ORM
the read cost ten times more in Python (compiling the query, building an
instance per row) than the database took to answer it; here it is one
parameterised SELECT of six columns into small mutable rows, which
`quizzes.saving` writes back with one UPDATE per changed row. A new attempt's
empty rows are one multi-row INSERT (bulk_create prepared each field of each row
in Python).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connections, router

from quizzes.models import AttemptAnswer

ROWS_PER_INSERT = 150


@dataclass
class AnswerRow:
    """One stored answer: the choice ids selected, or a written answer's text."""

    pk: int
    question_id: int
    selected: list[int]
    text: str
    # Set by whoever writes them back (quizzes.saving: saved_at; scoring: the marks).
    saved_at: datetime | None = None
    awarded: float | None = None
    is_correct: bool | None = None


def _selected(value) -> list[int]:
    # jsonb and SQLite's JSON text both arrive as text through Django's connections.
    return json.loads(value) if isinstance(value, str | bytes) else list(value or [])


def answer_rows(*, attempt_id: int) -> list[AnswerRow]:
    """The attempt's stored answers, in no particular order."""
    meta = AttemptAnswer._meta
    connection = connections[router.db_for_read(AttemptAnswer)]
    quote = connection.ops.quote_name
    names = ("id", "question", "selected", "text", "awarded", "is_correct")
    columns = ", ".join(quote(meta.get_field(name).column) for name in names)
    sql = (
        f"SELECT {columns} FROM {quote(meta.db_table)}"
        f" WHERE {quote(meta.get_field('attempt').column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [attempt_id])
        rows = cursor.fetchall()
    return [
        AnswerRow(
            pk=pk,
            question_id=question_id,
            selected=_selected(selected),
            text=text,
            awarded=awarded,
            is_correct=None if is_correct is None else bool(is_correct),  # SQLite: 0 or 1
        )
        for pk, question_id, selected, text, awarded, is_correct in rows
    ]


def blank_answers_create(*, attempt_id: int, question_ids: Sequence[int]) -> None:
    """One empty answer row per question of a new attempt's paper."""
    if not question_ids:
        return
    meta = AttemptAnswer._meta
    connection = connections[router.db_for_write(AttemptAnswer)]
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in ("attempt", "question", "selected", "text", "tries")]
    columns = ", ".join(quote(field.column) for field in fields)
    nothing = meta.get_field("selected").get_db_prep_save([], connection)
    with connection.cursor() as cursor:
        # In chunks: older SQLite builds allow 999 parameters a statement.
        for start in range(0, len(question_ids), ROWS_PER_INSERT):
            chunk = question_ids[start : start + ROWS_PER_INSERT]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            params = []
            for question_id in chunk:
                params += [attempt_id, question_id, nothing, "", 0]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {values}", params
            )
