"""Reads about cohorts: effective program assignments, accounts by e-mail, join codes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import Http404

from quizzes.models import Cohort, CohortMembership, ProgramAssignment


@dataclass(frozen=True)
class EffectiveAssignment:
    user_id: int
    program_id: int
    due_date: date | None


def _earlier(a: date | None, b: date | None) -> date | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def assignments_effective(
    *, users: QuerySet | Iterable[int], programs: QuerySet | Iterable[int] | None = None
) -> dict[tuple[int, int], EffectiveAssignment]:
    """Return each (user id, program id) assigned individually or through a cohort.

    When both exist, or several cohorts assign the program, the earliest due
    date wins (a date beats no date). One query whatever the number of users;
    pass querysets to keep them as subqueries.
    """
    direct = ProgramAssignment.objects.filter(user__in=users)
    via_cohort = CohortMembership.objects.filter(user__in=users).filter(
        cohort__cohort_programs__isnull=False
    )
    if programs is not None:
        direct = direct.filter(program__in=programs)
        via_cohort = via_cohort.filter(cohort__cohort_programs__program__in=programs)
    found: dict[tuple[int, int], date | None] = {}
    rows = (
        direct.order_by()
        .values_list("user_id", "program_id", "due_date")
        .union(
            via_cohort.order_by().values_list(
                "user_id",
                "cohort__cohort_programs__program_id",
                "cohort__cohort_programs__due_date",
            ),
            all=True,
        )
    )
    for user_id, program_id, due in rows:
        key = (user_id, program_id)
        found[key] = _earlier(found[key], due) if key in found else due
    return {
        key: EffectiveAssignment(user_id=key[0], program_id=key[1], due_date=due)
        for key, due in found.items()
    }


def users_by_email(emails: Iterable[str]) -> dict[str, list[int]]:
    """Map casefolded e-mails to the ids of the accounts using them (case-insensitive)."""
    keys = sorted({e.casefold() for e in emails})
    found: dict[str, list[int]] = {}
    User = get_user_model()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = (
            User.objects.annotate(email_key=Lower("email"))
            .filter(email_key__in=chunk)
            .order_by("pk")
            .values_list("email_key", "pk")
        )
        for key, pk in rows:
            found.setdefault(key.casefold(), []).append(pk)
    return found


def cohort_join_get_or_404(code: str) -> Cohort:
    cohort = Cohort.objects.filter(join_code=code).first() if code else None
    if cohort is None:
        raise Http404("No cohort uses this join code.")
    return cohort
