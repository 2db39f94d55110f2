"""Reads about cohorts: effective program assignments, accounts by e-mail, join codes,
invitations and the e-mail confirmation of sign-ups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from quizzes.cohorts.tokens import join_code_normalise, link_token_digest
from quizzes.models import Cohort, CohortMembership, ProgramAssignment
from quizzes.models.cohorts import CohortInvitation, SignupConfirmation
from trainingsite.roles import Role

INVITATION_GONE = "This invitation is no longer open: it was answered, withdrawn or has expired."
CONFIRM_LINK_GONE = (
    "This confirmation link is not valid any more: it was used already, replaced by a "
    "newer one, or has expired. Sign in and ask for a new link."
)


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


def _unconfirmed_signups() -> QuerySet:
    return SignupConfirmation.objects.filter(confirmed_at__isnull=True).values("user_id")


def _email_rows(keys: list[str], *, confirmed: bool | None):
    """Yield (lower-cased e-mail, id) of the accounts using `keys`, 500 keys a query.

    `confirmed`: True for owners only, False for unconfirmed sign-ups only, None for all.
    """
    accounts = get_user_model().objects.annotate(email_key=Lower("email"))
    if confirmed is True:
        accounts = accounts.exclude(pk__in=_unconfirmed_signups())
    elif confirmed is False:
        accounts = accounts.filter(pk__in=_unconfirmed_signups())
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        yield from (
            accounts.filter(email_key__in=chunk).order_by("pk").values_list("email_key", "pk")
        )


def _keys(emails: Iterable[str]) -> list[str]:
    return sorted({e.casefold() for e in emails})


def users_by_email(emails: Iterable[str]) -> dict[str, list[int]]:
    """Map casefolded e-mails to the ids of the accounts that own them (case-insensitive).

    An account made with a join code owns its address only once the link sent
    to that address was followed; until then it is never matched here.
    """
    found: dict[str, list[int]] = {}
    for key, pk in _email_rows(_keys(emails), confirmed=True):
        found.setdefault(key.casefold(), []).append(pk)
    return found


def emails_unconfirmed(emails: Iterable[str]) -> set[str]:
    """Return the casefolded e-mails, among `emails`, used by a sign-up not yet confirmed."""
    return {key.casefold() for key, _ in _email_rows(_keys(emails), confirmed=False)}


def email_in_use(email: str) -> bool:
    """True if any account, confirmed or not, uses the address (sign-ups never duplicate)."""
    return any(True for _ in _email_rows(_keys([email]), confirmed=None))


def accounts_not_trainees(ids: Iterable[int]) -> set[int]:
    """Return the ids, among `ids`, of staff, superusers, managers and educators.

    Such accounts are never added to a cohort as trainees, nor invited.
    """
    id_list = sorted(set(ids))
    found: set[int] = set()
    User = get_user_model()
    for start in range(0, len(id_list), 500):
        found.update(
            User.objects.filter(pk__in=id_list[start : start + 500])
            .filter(
                Q(is_staff=True)
                | Q(is_superuser=True)
                | Q(groups__name__in=[Role.MANAGER, Role.EDUCATOR])
            )
            .values_list("pk", flat=True)
        )
    return found


def cohort_join_get_or_404(code: str) -> Cohort:
    """Return the cohort of a typed join code (any case, with or without dashes), or 404."""
    stored = join_code_normalise(code)
    cohort = Cohort.objects.filter(join_code=stored).first() if stored else None
    if cohort is None:
        raise Http404("No cohort uses this join code.")
    return cohort


# --- Invitations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationNotice:
    """What the invited trainee sees: the cohort and who asked, nothing else."""

    id: int
    cohort_name: str
    invited_by: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class PendingInvitation:
    """What the cohort's manager sees: the address they typed, never the account."""

    id: int
    email: str
    created_at: datetime
    expires_at: datetime


def _notice(invitation: CohortInvitation) -> InvitationNotice:
    inviter = invitation.invited_by
    return InvitationNotice(
        id=invitation.pk,
        cohort_name=invitation.cohort.name,
        invited_by=(inviter.get_full_name() or inviter.get_username()) if inviter else "",
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
    )


def invitations_open_for_user(*, user) -> list[InvitationNotice]:
    """Return the invitations waiting for the user's answer, newest first."""
    if not (user and user.is_authenticated):
        return []
    rows = CohortInvitation.objects.open().filter(user=user).select_related("cohort", "invited_by")
    return [_notice(invitation) for invitation in rows]


def invitation_by_link_or_404(*, user, token: str) -> InvitationNotice:
    """Return the open invitation of this link if it is the signed-in user's, else 404."""
    digest = link_token_digest(token)
    invitation = (
        CohortInvitation.objects.open()
        .filter(user=user, token_digest=digest)
        .select_related("cohort", "invited_by")
        .first()
        if digest
        else None
    )
    if invitation is None:
        raise Http404(INVITATION_GONE)
    return _notice(invitation)


def invitations_pending_for_cohort(*, cohort: Cohort) -> list[PendingInvitation]:
    """Return the cohort's invitations still waiting for an answer, oldest first."""
    rows = (
        CohortInvitation.objects.open()
        .filter(cohort=cohort)
        .order_by("created_at", "pk")
        .values_list("pk", "email", "created_at", "expires_at")
    )
    return [
        PendingInvitation(id=pk, email=email, created_at=created, expires_at=expires)
        for pk, email, created, expires in rows
    ]


# --- E-mail confirmation of sign-ups ---------------------------------------------------------


def signup_unconfirmed_email(*, user) -> str:
    """Return the address the user still has to confirm, or "" (confirmed, or not a sign-up)."""
    if not (user and user.is_authenticated):
        return ""
    found = (
        SignupConfirmation.objects.filter(user=user, confirmed_at__isnull=True)
        .values_list("email", flat=True)
        .first()
    )
    return found or ""


def signup_confirmation_by_link_or_404(*, token: str) -> SignupConfirmation:
    """Return the unused, unexpired confirmation of this link, or 404."""
    digest = link_token_digest(token)
    confirmation = (
        SignupConfirmation.objects.filter(
            token_digest=digest, confirmed_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("user")
        .first()
        if digest
        else None
    )
    if confirmation is None:
        raise Http404(CONFIRM_LINK_GONE)
    return confirmation


@dataclass(frozen=True)
class TraineeNotices:
    """What the trainee's start page says about cohorts: invitations, an unconfirmed address."""

    invitations: list[InvitationNotice]
    unconfirmed_email: str


def trainee_cohort_notices(*, user) -> TraineeNotices:
    """Return the notices for the trainee's start page (two queries)."""
    return TraineeNotices(
        invitations=invitations_open_for_user(user=user),
        unconfirmed_email=signup_unconfirmed_email(user=user),
    )
