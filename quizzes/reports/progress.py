"""Effective progress of each (trainee, program) assignment, and how reports order statuses.

The certification bulk selector (quizzes.certification.selectors) decides every
status; this module keys its answer by (user id, program id) for the trainees
table, its export and the trainee drill-down, in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet

from quizzes.certification.rules import ProgressStatus
from quizzes.certification.selectors import programs_progress_bulk
from quizzes.models import Certificate, CohortProgram, Program, ProgramAssignment

STATUS_ORDER = [
    ProgressStatus.OVERDUE,
    ProgressStatus.EXPIRED,
    ProgressStatus.EXPIRING_SOON,
    ProgressStatus.NOT_STARTED,
    ProgressStatus.IN_PROGRESS,
    ProgressStatus.CERTIFIED,
]


def display_name(first: str, last: str, email: str) -> str:
    """A trainee's name as the reports show it: the full name, else the e-mail."""
    return f"{first} {last}".strip() or email


@dataclass(frozen=True)
class PairProgress:
    """One trainee's progress in one assigned program, with the effective due date."""

    user_id: int
    program_id: int
    program: Program  # with required_lesson_list and required_quiz_list
    status: ProgressStatus
    due_date: date | None
    percent: int
    done: int
    required: int
    last_activity_at: datetime | None
    certificate: Certificate | None
    awaiting_sign_off: bool = False  # everything met but observed practice
    checklists_done: int = 0
    checklists_required: int = 0

    @property
    def status_label(self) -> str:
        return self.status.label


def ids_of(users: QuerySet | list[int]):
    """What `user__in` takes: a subquery for a QuerySet, else the list of ids as it is."""
    return users.values("pk") if isinstance(users, QuerySet) else users


def _assigned_programs(users: QuerySet | list[int]) -> QuerySet[Program]:
    """Programs assigned to any of the users, individually or through a cohort (a subquery)."""
    return Program.objects.filter(
        Q(pk__in=ProgramAssignment.objects.filter(user__in=ids_of(users)).values("program_id"))
        | Q(
            pk__in=CohortProgram.objects.filter(cohort__memberships__user__in=ids_of(users)).values(
                "program_id"
            )
        )
    )


def progress_for_assignments(
    *, users: QuerySet | list[int], programs=None, now: datetime | None = None
) -> dict[tuple[int, int], PairProgress]:
    """Return progress for every effective assignment of the users, keyed (user id, program id).

    The certification bulk selector is the one source of truth: it applies the
    effective due date (individual or cohort, earliest wins) and the status
    rules; pairs without an assignment are left out. A fixed number of queries.
    """
    program_qs = (
        _assigned_programs(users) if programs is None else Program.objects.filter(pk__in=programs)
    )
    bulk = programs_progress_bulk(users=users, programs=program_qs, now=now)
    result = {}
    for key, item in bulk.items():
        if item.assignment is None:
            continue
        progress = item.progress
        result[key] = PairProgress(
            user_id=key[0],
            program_id=key[1],
            program=item.program,
            status=progress.status,
            due_date=item.assignment.due_date,
            percent=progress.percent,
            done=progress.done,
            required=progress.required,
            last_activity_at=progress.last_activity_at,
            certificate=item.certificate,
            awaiting_sign_off=progress.awaiting_sign_off,
            checklists_done=progress.checklists_done,
            checklists_required=progress.checklists_required,
        )
    return result
