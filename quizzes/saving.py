"""Write a page of answers, merged per question, so two tabs on one attempt never lose work.

A page posts, beside each answer, its base: the answer it last knew the server
held for that question. A question is written when the stored answer still
equals the base (the other tab did not touch it), kept when the page did not
change it, and is a conflict only when both the page and another tab changed
it. The attempt's sequence still orders the saves and makes a repeated post
harmless. `quizzes.services.attempt_save_answers` validates, closes an
expired attempt, then calls `answers_write`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connections, router, transaction
from django.db.models import F, Q

from quizzes.answer_rows import AnswerRow, answer_rows
from quizzes.models import Attempt, AttemptAnswer, Question

# Saves arriving this long after the deadline are still accepted (network delay).
GRACE = timedelta(seconds=30)

ATTEMPT_CLOSED = "This attempt is closed; its answers can no longer be changed."
SAVE_STALE = (
    "These answers are out of date: newer answers were saved from another tab or window. "
    "Reload the page to see the latest saved answers."
)
SAVE_CONFLICT_ONE = (
    "Question {numbers} was changed in another tab or window after this page loaded, "
    "so the answer given here was not saved. The page now shows the saved answer: "
    "check it and answer again if needed."
)
SAVE_CONFLICT_MANY = (
    "Questions {numbers} were changed in another tab or window after this page loaded, "
    "so the answers given here were not saved. The page now shows the saved answers: "
    "check them and answer again if needed."
)
SAVE_CONFLICT_OTHERS_SAVED = "Your other answers on this page are saved."

# What the page did with one question.
WRITE = "write"
KEEP = "keep"
CONFLICT = "conflict"


class StaleSequence(Exception):
    """The answers came from an older page than the last save."""

    message = SAVE_STALE


class AttemptClosed(Exception):
    """The attempt is submitted or past its time limit."""

    message = ATTEMPT_CLOSED


@dataclass(frozen=True)
class StoredAnswer:
    """What the server holds for one question, by question id and position on the paper."""

    question_id: int
    number: int
    positions: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class SaveOutcome:
    """The result of one save: the new sequence and what happened per question."""

    sequence: int
    written: tuple[int, ...] = ()
    conflicts: tuple[StoredAnswer, ...] = ()
    # Questions another tab changed that this page had left alone: kept as stored.
    changed_elsewhere: tuple[StoredAnswer, ...] = ()


def conflict_message(conflicts: Sequence[StoredAnswer]) -> str:
    """The message naming the conflicting questions by number ("Questions 2 and 5 were …")."""
    numbers = [str(answer.number) for answer in conflicts]
    if len(numbers) == 1:
        return SAVE_CONFLICT_ONE.format(numbers=numbers[0])
    return SAVE_CONFLICT_MANY.format(numbers=", ".join(numbers[:-1]) + " and " + numbers[-1])


class SaveConflict(StaleSequence):
    """Some questions were changed in both this page and another tab; the rest are saved."""

    def __init__(self, outcome: SaveOutcome):
        self.outcome = outcome
        self.message = conflict_message(outcome.conflicts)
        super().__init__(self.message)


_NO_BASE = object()


def merge_decision(*, stored: Any, posted: Any, base: Any = _NO_BASE, fresh: bool) -> str:
    """WRITE, KEEP or CONFLICT for one question (answers as sorted id lists or texts).

    Without a base (an older page, a hand-made post) the page's answer is
    written only when its sequence is current.
    """
    if posted == stored:
        return KEEP
    if base is _NO_BASE:
        return WRITE if fresh else CONFLICT
    if posted == base:
        return KEEP
    if stored == base:
        return WRITE
    return CONFLICT


def _rows_update(rows: Sequence[AnswerRow], fields: list[str]) -> None:
    """Write `fields` of each row: one statement run once per row (executemany).

    QuerySet.bulk_update builds a CASE expression per row and field, which
    costs more in Python than the database takes to run these few updates.
    """
    if not rows:
        return
    meta = AttemptAnswer._meta
    connection = connections[router.db_for_write(AttemptAnswer)]
    quote = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in columns]
        + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _stored(question: Mapping[str, Any], number: int, row: AnswerRow) -> StoredAnswer:
    position = {c["id"]: i for i, c in enumerate(question["choices"])}
    return StoredAnswer(
        question_id=question["id"],
        number=number,
        positions=tuple(sorted(position[c] for c in row.selected if c in position)),
        text=row.text if question["kind"] == Question.Kind.WRITTEN else "",
    )


@transaction.atomic
def answers_write(
    *,
    attempt: Attempt,
    clean: dict[int, list[int]],
    sequence: int,
    now: datetime,
    scope: frozenset[int] | None = None,
    texts: dict[int, str] | None = None,
    bases: Mapping[int, list[int] | str] | None = None,
) -> SaveOutcome:
    """Merge the page's answers into the stored ones (see the module docstring).

    The first UPDATE takes the attempt's row lock, on PostgreSQL as on SQLite,
    so two saves of one attempt merge one after the other.
    """
    bases = bases or {}
    in_time = Q(deadline__isnull=True) | Q(deadline__gte=now - GRACE)
    open_attempt = Attempt.objects.filter(in_time, pk=attempt.pk, state=Attempt.State.IN_PROGRESS)
    fresh = bool(open_attempt.filter(sequence=sequence).update(sequence=F("sequence") + 1))
    if not fresh and not open_attempt.update(sequence=F("sequence")):
        raise AttemptClosed
    questions = attempt.paper.get("questions", [])
    by_id = {q["id"]: (number, q) for number, q in enumerate(questions, start=1)}
    written_kind = {qid for qid, (_, q) in by_id.items() if q["kind"] == Question.Kind.WRITTEN}
    fields = ["selected", "saved_at", *(["text"] if written_kind else [])]
    changed, conflicts, elsewhere = [], [], []
    rows = answer_rows(attempt_id=attempt.pk)
    for row in sorted(rows, key=lambda r: by_id.get(r.question_id, (0,))[0]):
        if row.question_id not in by_id or (scope is not None and row.question_id not in scope):
            continue
        if row.question_id in written_kind:
            if texts is None:
                continue
            stored, posted = row.text, texts.get(row.question_id, "")
        else:
            stored, posted = sorted(row.selected), clean.get(row.question_id, [])
        base = bases.get(row.question_id, _NO_BASE)
        if base is not _NO_BASE and row.question_id not in written_kind:
            base = sorted(base)
        decision = merge_decision(stored=stored, posted=posted, base=base, fresh=fresh)
        number, question = by_id[row.question_id]
        if decision == WRITE:
            if row.question_id in written_kind:
                row.text = posted
            else:
                row.selected = posted
            row.saved_at = now
            changed.append(row)
        elif decision == CONFLICT:
            conflicts.append(_stored(question, number, row))
        elif stored != posted:
            elsewhere.append(_stored(question, number, row))
    _rows_update(changed, fields)
    if fresh:
        current = sequence + 1
    else:
        if changed:
            open_attempt.update(sequence=F("sequence") + 1)
        current = Attempt.objects.filter(pk=attempt.pk).values_list("sequence", flat=True).get()
    attempt.sequence = current
    return SaveOutcome(
        sequence=current,
        written=tuple(row.question_id for row in changed),
        conflicts=tuple(conflicts),
        changed_elsewhere=tuple(elsewhere),
    )
