"""Builders for cohorts: managers, members, programs, invitations and join-code sign-ups."""

from datetime import timedelta
from itertools import count

from django.utils import timezone

from quizzes.cohorts.signup import cohort_join, signup_confirm
from quizzes.cohorts.tokens import join_code_new, link_token_new
from quizzes.models import Cohort, CohortMembership, CohortProgram
from quizzes.models.cohorts import CohortInvitation, SignupConfirmation

_numbers = count(1)


def make_cohort(*, name=None, managers=(), trainees=(), join_code=None) -> Cohort:
    n = next(_numbers)
    cohort = Cohort.objects.create(
        name=name or f"Cohort {n}", slug=f"cohort-{n}", join_code=join_code
    )
    cohort.managers.add(*managers)
    for trainee in trainees:
        CohortMembership.objects.create(cohort=cohort, user=trainee)
    return cohort


def assign_to_cohort(cohort, program, due_date=None) -> CohortProgram:
    return CohortProgram.objects.create(cohort=cohort, program=program, due_date=due_date)


def make_invitation(*, cohort, user, invited_by=None, email=None, expires_in_days=14, **fields):
    """An open invitation of `user` to `cohort`; returns (invitation, the link's token)."""
    token, digest = link_token_new()
    invitation = CohortInvitation.objects.create(
        cohort=cohort,
        user=user,
        email=email or user.email,
        invited_by=invited_by,
        token_digest=digest,
        expires_at=timezone.now() + timedelta(days=expires_in_days),
        **fields,
    )
    return invitation, token


def make_signup(*, email, cohort=None, confirmed=False, first_name="Sam", last_name="Signup"):
    """An account made through a join code (the real service); returns (user, link token)."""
    cohort = cohort or make_cohort(join_code=join_code_new())
    user = cohort_join(
        cohort=cohort,
        first_name=first_name,
        last_name=last_name,
        email=email,
        password="a-long-passphrase-2026",
        domain="testserver",
        use_https=False,
    )
    token, digest = link_token_new()
    SignupConfirmation.objects.filter(user=user).update(token_digest=digest)
    if confirmed:
        signup_confirm(token=token)
    return user, token
