"""Who may see whom: the one scoping helper behind every manager-facing read.

Every report, export, drill-down, revocation and accommodation page reaches
cohorts, memberships, trainees and their attempts through these functions, so a
manager never reaches a cohort, a trainee or an attempt outside the cohorts
they manage: those answer 404. Superusers manage every cohort; educators who
manage no cohort analyse every attempt (attempts_for_viewer). Assessors reach the trainees of
the cohorts they are assigned to as assessors (trainees_for_assessor), never themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from quizzes.models import Attempt, Cohort, CohortMembership
from trainingsite.roles import Role, user_is_assessor, user_is_educator, user_is_manager

TRAINEE_NOT_FOUND = "No such trainee."


def cohorts_for_manager(user) -> QuerySet[Cohort]:
    """Return the cohorts the user may see and act on (all of them for superusers)."""
    if not (user and user.is_authenticated):
        return Cohort.objects.none()
    return Cohort.objects.managed_by(user)


def memberships_for_manager(
    user, *, cohorts: QuerySet[Cohort] | None = None
) -> QuerySet[CohortMembership]:
    """Return the memberships of the manager's cohorts (or of `cohorts`, if given)."""
    scope = cohorts if cohorts is not None else cohorts_for_manager(user)
    return CohortMembership.objects.filter(cohort__in=scope)


def trainees_for_manager(user, *, cohorts: QuerySet[Cohort] | None = None) -> QuerySet:
    """Return the users who are members of the manager's cohorts (or of `cohorts`, if given)."""
    # An IN over the memberships of the cohorts reads only their rows (by the
    # (cohort, user) index), where EXISTS would probe every user.
    members = memberships_for_manager(user, cohorts=cohorts).values("user_id")
    return get_user_model().objects.filter(pk__in=members)


def manager_sees_trainee(*, user, trainee_id: int | None) -> bool:
    """Whether the user is an active manager of a cohort holding the trainee.

    Superusers manage every cohort, so they see every trainee who is in one: the same
    answer as trainee_for_manager_or_404, so a link built on it never leads to a 404.
    """
    if trainee_id is None or not user_is_manager(user) or not user.is_active:
        return False
    return trainees_for_manager(user).filter(pk=trainee_id).exists()


def managers_seeing_trainee(*, user_ids: Iterable[int], trainee_id: int | None) -> set[int]:
    """Those of `user_ids` for whom manager_sees_trainee holds, in one query."""
    user_ids = set(user_ids)
    if trainee_id is None or not user_ids:
        return set()
    user_model = get_user_model()
    trainee_cohorts = CohortMembership.objects.filter(user_id=trainee_id).values("cohort_id")
    has_manager_role = user_model.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name=Role.MANAGER
    )
    manages_one = Cohort.managers.through.objects.filter(
        user_id=OuterRef("pk"), cohort_id__in=trainee_cohorts
    )
    in_any_cohort = CohortMembership.objects.filter(user_id=trainee_id)
    seeing = (
        user_model.objects.filter(pk__in=user_ids, is_active=True)
        .alias(
            trainee_in_a_cohort=Exists(in_any_cohort),
            has_manager_role=Exists(has_manager_role),
            manages_the_trainee=Exists(manages_one),
        )
        .filter(
            Q(is_superuser=True, trainee_in_a_cohort=True)
            | Q(has_manager_role=True, manages_the_trainee=True)
        )
    )
    return set(seeing.values_list("pk", flat=True))


def trainee_cohorts_for_manager(user, trainee) -> QuerySet[Cohort]:
    """Return the manager's cohorts that the trainee belongs to."""
    return cohorts_for_manager(user).filter(memberships__user=trainee)


def attempts_for_viewer(
    user, attempts: QuerySet[Attempt], *, cohort: Cohort | None = None
) -> QuerySet[Attempt]:
    """Narrow `attempts` to those the user may analyse.

    Given `cohort` (already one of the user's, see cohort_for_manager_or_404),
    only its trainees' attempts. Otherwise superusers and educators who manage
    no cohort see every attempt; a manager only their cohorts' trainees'.
    """
    if cohort is not None:
        members = trainees_for_manager(user, cohorts=Cohort.objects.filter(pk=cohort.pk))
        return attempts.filter(user__in=members.values("pk"))
    if user.is_superuser or (user_is_educator(user) and not user_is_manager(user)):
        return attempts
    return attempts.filter(user__in=trainees_for_manager(user).values("pk"))


def cohort_for_manager_or_404(user, slug: str) -> Cohort:
    cohort = cohorts_for_manager(user).filter(slug=slug).first()
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def trainee_for_manager_or_404(user, trainee_id: int):
    trainee = trainees_for_manager(user).filter(pk=trainee_id).first()
    if trainee is None:
        raise Http404(TRAINEE_NOT_FOUND)
    return trainee


def cohorts_for_assessor(user) -> QuerySet[Cohort]:
    """Return the cohorts whose trainees the user assesses (every cohort for superusers)."""
    if not user_is_assessor(user):
        return Cohort.objects.none()
    if user.is_superuser:
        return Cohort.objects.all()
    return Cohort.objects.filter(assessors=user)


def trainees_for_assessor(user, *, cohorts: QuerySet[Cohort] | None = None) -> QuerySet:
    """Return the trainees the user may observe and mark: their cohorts' members, never themselves.

    Assessment is given only through a cohort the assessor is assigned to; typing an
    address or an id brings nobody into it.
    """
    scope = cohorts if cohorts is not None else cohorts_for_assessor(user)
    members = CohortMembership.objects.filter(cohort__in=scope).values("user_id")
    return get_user_model().objects.filter(pk__in=members).exclude(pk=user.pk)


def trainee_for_assessor_or_404(user, trainee_id: int):
    trainee = trainees_for_assessor(user).filter(pk=trainee_id).first()
    if trainee is None:
        raise Http404(TRAINEE_NOT_FOUND)
    return trainee
