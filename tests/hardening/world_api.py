"""API tokens in the hardening world (issue 20): the manager's token, for its revoke page,
and the token holders of the API's access matrix (test_access_matrix_api.py)."""

import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from quizzes.api.services import (
    PREFIX_LENGTH,
    TOKEN_SCHEME,
    api_token_create,
    api_token_revoke,
    token_digest,
)
from quizzes.cohorts.tokens import link_token_new
from quizzes.cpd.services import cpd_entry_create
from quizzes.models import ApiToken, CohortInvitation, CohortMembership
from tests.builders import make_manager, make_trainee
from trainingsite.roles import Role


def build_api_world(*, manager) -> dict:
    token, _ = api_token_create(owner=manager, name="HR system", expires_at=None)
    return {"api_token": token}


def _token(owner) -> str:
    return api_token_create(owner=owner, name="Matrix", expires_at=None)[1]


def _token_row(owner) -> str:
    """A token row made without the service, which refuses this owner: as if left behind."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    plaintext = f"{TOKEN_SCHEME}{prefix}{secrets.token_urlsafe(32)}"
    ApiToken.objects.create(
        owner=owner, name="Forged", prefix=prefix, digest=token_digest(plaintext)
    )
    return plaintext


def build_api_matrix_world(w) -> dict:
    """The holders' tokens (plaintext by holder) and the objects the API matrix reads.

    `shared`: a trainee in cohorts A and B. `other_invitation`: an open invitation into
    cohort B. `other_cpd_entry`: the other trainee's CPD entry. The demoted and the
    deactivated owner still manage cohort A, so only the token check can refuse them.
    """
    shared = make_trainee(username="sina", first_name="Sina", last_name="Shared")
    for cohort in (w.cohort_a, w.cohort_b):
        CohortMembership.objects.create(cohort=cohort, user=shared)
    invitee = make_trainee(username="ines", first_name="Ines", last_name="Invited")
    _, digest = link_token_new()
    other_invitation = CohortInvitation.objects.create(
        cohort=w.cohort_b,
        user=invitee,
        email=invitee.email,
        invited_by=w.other_manager,
        token_digest=digest,
        expires_at=timezone.now() + timedelta(days=14),
    )
    other_cpd_entry = cpd_entry_create(
        user=w.other_trainee,
        title="Tourniquet refresher",
        provider="Another academy",
        completed_on=datetime(2026, 4, 1, tzinfo=UTC).date(),
        hours=Decimal("1.0"),
    )
    lone = make_manager(username="lone", first_name="Lone", last_name="Manager")
    demoted = make_manager(username="dora", first_name="Dora", last_name="Demoted")
    deactivated = make_manager(username="dino", first_name="Dino", last_name="Deactivated")
    ex_superuser = make_trainee(username="sam", is_staff=True, is_superuser=True)
    w.cohort_a.managers.add(demoted, deactivated)
    tokens = {
        "manager": _token(w.manager),
        "other_manager": _token(w.other_manager),
        "superuser": _token(w.superuser),
        "lone_manager": _token(lone),
        "demoted": _token(demoted),
        "deactivated": _token(deactivated),
        "ex_superuser": _token(ex_superuser),
        "trainee_token": _token_row(w.trainee),
        "educator_token": _token_row(w.educator),
        "assessor_token": _token_row(w.assessor),
    }
    revoked, tokens["revoked"] = api_token_create(owner=w.manager, name="Old", expires_at=None)
    api_token_revoke(token=revoked, actor=w.manager)
    expiring, tokens["expired"] = api_token_create(
        owner=w.manager, name="Dated", expires_at=timezone.now() + timedelta(days=1)
    )
    ApiToken.objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    demoted.groups.remove(Group.objects.get(name=Role.MANAGER))
    deactivated.is_active = False
    deactivated.save(update_fields=["is_active"])
    ex_superuser.is_superuser = ex_superuser.is_staff = False
    ex_superuser.save(update_fields=["is_superuser", "is_staff"])
    return {
        "shared": shared,
        "other_invitation": other_invitation,
        "other_cpd_entry": other_cpd_entry,
        "tokens": tokens,
    }
