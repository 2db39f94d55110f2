"""Who may see whom: the one scoping helper behind every manager-facing read.

Every report, export, drill-down, revocation and accommodation page reaches
cohorts and trainees through these functions, so a manager never reaches a
cohort, a trainee or an attempt outside the cohorts they manage: those answer
404. Superusers manage every cohort.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404

from quizzes.models import Cohort, CohortMembership


def cohorts_for_manager(user) -> QuerySet[Cohort]:
    """Return the cohorts the user may see and act on (all of them for superusers)."""
    if not (user and user.is_authenticated):
        return Cohort.objects.none()
    return Cohort.objects.managed_by(user)


def trainees_for_manager(user, *, cohorts: QuerySet[Cohort] | None = None) -> QuerySet:
    """Return the users who are members of the manager's cohorts (or of `cohorts`, if given)."""
    scope = cohorts if cohorts is not None else cohorts_for_manager(user)
    # An IN over the memberships of the cohorts reads only their rows (by the
    # (cohort, user) index), where EXISTS would probe every user.
    members = CohortMembership.objects.filter(cohort__in=scope).values("user_id")
    return get_user_model().objects.filter(pk__in=members)


def cohort_for_manager_or_404(user, slug: str) -> Cohort:
    cohort = cohorts_for_manager(user).filter(slug=slug).first()
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def trainee_for_manager_or_404(user, trainee_id: int):
    trainee = trainees_for_manager(user).filter(pk=trainee_id).first()
    if trainee is None:
        raise Http404("No such trainee.")
    return trainee
