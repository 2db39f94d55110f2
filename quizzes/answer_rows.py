"""An attempt's stored answers, read in one plain statement.

Every attempt page, autosave and submit reads these few rows. Through the ORM
the read cost ten times more in Python (compiling the query, building an
instance per row) than the database took to answer it; here it is one
parameterised SELECT of four columns into small mutable rows, which
`quizzes.saving` writes back with one UPDATE per changed row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.db import connections, router

from quizzes.models import AttemptAnswer


@dataclass
class AnswerRow:
    """One stored answer: the choice ids selected, or a written answer's text."""

    pk: int
    question_id: int
    selected: list[int]
    text: str
    saved_at: datetime | None = None


def _selected(value) -> list[int]:
    # jsonb and SQLite's JSON text both arrive as text through Django's connections.
    return json.loads(value) if isinstance(value, str | bytes) else list(value or [])


def answer_rows(*, attempt_id: int) -> list[AnswerRow]:
    """The attempt's stored answers, in no particular order."""
    meta = AttemptAnswer._meta
    connection = connections[router.db_for_read(AttemptAnswer)]
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column) for name in ("id", "question", "selected", "text")
    )
    sql = (
        f"SELECT {columns} FROM {quote(meta.db_table)}"
        f" WHERE {quote(meta.get_field('attempt').column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [attempt_id])
        rows = cursor.fetchall()
    return [
        AnswerRow(pk=pk, question_id=question_id, selected=_selected(selected), text=text)
        for pk, question_id, selected, text in rows
    ]
