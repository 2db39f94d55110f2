"""Cohort writes: adding trainees (one by one or by file), inviting existing accounts,
join codes, and the e-mails that go with them (sign-up with a join code: signup.py).

A manager never gains sight of an existing account by typing its address: the
account is invited, and joins only when its owner accepts. A new address
becomes a new trainee at once (nobody else can see an account that did not
exist). Superusers may add an existing trainee directly.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from quizzes.cohorts.selectors import (
    INVITATION_GONE,
    accounts_not_trainees,
    emails_unconfirmed,
    users_by_email,
)
from quizzes.cohorts.tokens import join_code_new, link_token_new
from quizzes.models import Cohort, CohortMembership
from quizzes.models.cohorts import CohortInvitation
from trainingsite.audit import audit_record
from trainingsite.models import AuditEvent
from trainingsite.plurals import Plural
from trainingsite.roles import Role

INVITATION_VALID_DAYS = 14
JOIN_CODE_ATTEMPTS = 5

ERROR_ALREADY_MEMBER = "{name} is already in {cohort}."
ERROR_ALREADY_INVITED = (
    "{email} has already been invited to {cohort}; the invitation is waiting for an answer."
)
ERROR_AMBIGUOUS_EMAIL = "Several accounts use {email}; ask an administrator to merge them first."
ERROR_NOT_A_TRAINEE = (
    "{email} belongs to a staff, manager or educator account; such accounts are never "
    "added to a cohort as trainees."
)
ERROR_UNCONFIRMED_SIGNUP = (
    "Someone signed up with {email} but has not confirmed the address yet, so it cannot be "
    "added or invited. Try again once the address is confirmed."
)
ERROR_INVITEE_NOT_TRAINEE = (
    "Your account is a staff, manager or educator account; it cannot join a cohort as a trainee."
)
ERROR_JOIN_CODE_FAILED = "No new join code could be made; try again."
ERROR_INVITATION_GONE = INVITATION_GONE
INVITED_SUMMARY = Plural(
    "Invited {count} existing account to {cohort}", "Invited {count} existing accounts to {cohort}"
)

SET_PASSWORD_SUBJECT = "cohorts/emails/set_password_subject.txt"
SET_PASSWORD_BODY = "cohorts/emails/set_password_email.txt"
INVITATION_SUBJECT = "cohorts/emails/invitation_subject.txt"
INVITATION_BODY = "cohorts/emails/invitation_email.txt"


class CohortError(ValueError):
    """A cohort change was refused; the message says why."""


class LinkGone(CohortError):
    """The invitation or confirmation is not open (any more) to this person: a 404."""


class Added(enum.Enum):
    CREATED = "created"  # a new trainee, e-mailed a link to choose a password
    ADDED = "added"  # an existing trainee, added directly by a superuser
    INVITED = "invited"  # an existing account, invited: it joins when it accepts


@dataclass(frozen=True)
class AddResult:
    outcome: Added
    email: str


def mail_send(*, subject_template: str, body_template: str, context: dict, to: str) -> None:
    """Render a subject and a plain-text body from templates and send them to one address."""
    subject = "".join(render_to_string(subject_template, context).splitlines())
    send_mail(subject, render_to_string(body_template, context), None, [to])


def link_absolute(*, domain: str, use_https: bool, path: str) -> str:
    """Return the full address of a path on the site, for an e-mail."""
    return f"{'https' if use_https else 'http'}://{domain}{path}"


# --- New trainee accounts ------------------------------------------------------------------


def _username_for(email: str, taken: set[str]) -> str:
    base = email.casefold()[:150]
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: 150 - len(suffix)] + suffix
    taken.add(candidate)
    return candidate


def trainees_create(*, people: list[tuple[str, str, str]]) -> list:
    """Create Trainee accounts with unusable passwords from (first, last, e-mail) tuples."""
    User = get_user_model()
    wanted = [email.casefold()[:150] for _, _, email in people]
    taken = set(
        User.objects.filter(username__in=wanted).values_list("username", flat=True).iterator()
    )
    new_users = [
        User(
            username=_username_for(email, taken),
            first_name=first,
            last_name=last,
            email=email,
            password=make_password(None),
        )
        for first, last, email in people
    ]
    created = User.objects.bulk_create(new_users, batch_size=500)
    if not all(u.pk for u in created):
        # bulk_create sets primary keys on SQLite 3.35+ and PostgreSQL; fetch them otherwise.
        by_name = dict(
            User.objects.filter(username__in=[u.username for u in new_users]).values_list(
                "username", "pk"
            )
        )
        for user in created:
            user.pk = user.id = by_name[user.username]
    trainee_group = Group.objects.get(name=Role.TRAINEE)
    through = User.groups.through
    through.objects.bulk_create(
        [through(user_id=u.pk, group_id=trainee_group.pk) for u in created], batch_size=500
    )
    return created


def set_password_email_send(*, user, domain: str, use_https: bool, cohort: Cohort) -> None:
    """E-mail a new trainee a link to choose a password (Django's reset token machinery)."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "cohort": cohort,
        "domain": domain,
        "protocol": "https" if use_https else "http",
        "path": path,
    }
    mail_send(
        subject_template=SET_PASSWORD_SUBJECT,
        body_template=SET_PASSWORD_BODY,
        context=context,
        to=user.email,
    )


def send_after_commit(users, *, cohort: Cohort, domain: str, use_https: bool) -> None:
    def send():
        for user in users:
            set_password_email_send(user=user, domain=domain, use_https=use_https, cohort=cohort)

    transaction.on_commit(send)


# --- Invitations ---------------------------------------------------------------------------


@transaction.atomic
def invitations_create(
    *, cohort: Cohort, actor, people: Sequence[tuple[int, str]], domain: str, use_https: bool
) -> int:
    """Invite existing accounts, given as (user id, e-mail typed), to the cohort.

    Each is e-mailed a link once the transaction commits and sees the
    invitation on their start page. An open invitation for the same cohort
    and account refuses the whole call.
    Returns the number of invitations made.
    """
    now = timezone.now()
    ids = [pk for pk, _ in people]
    # A pending invitation past its date is over: mark it, so a new one may be made.
    CohortInvitation.objects.filter(
        cohort=cohort, user_id__in=ids, status=CohortInvitation.Status.PENDING, expires_at__lte=now
    ).update(status=CohortInvitation.Status.EXPIRED, closed_at=now)
    tokens, invitations = [], []
    for pk, email in people:
        token, digest = link_token_new()
        tokens.append(token)
        invitations.append(
            CohortInvitation(
                cohort=cohort,
                user_id=pk,
                email=email,
                invited_by=actor if getattr(actor, "is_authenticated", False) else None,
                token_digest=digest,
                expires_at=now + timedelta(days=INVITATION_VALID_DAYS),
            )
        )
    try:
        with transaction.atomic():
            CohortInvitation.objects.bulk_create(invitations, batch_size=500)
    except IntegrityError as exc:  # another invitation is open (two managers at once)
        email = people[0][1] if len(people) == 1 else "Someone in the list"
        raise CohortError(ERROR_ALREADY_INVITED.format(email=email, cohort=cohort.name)) from exc
    audit_record(
        actor=actor,
        action=AuditEvent.Action.COHORT_INVITATION_SENT,
        target=cohort,
        summary=INVITED_SUMMARY.format(count=len(people), cohort=cohort.name),
        details={"invited": ids},
    )
    users = get_user_model().objects.in_bulk(ids)
    inviter = (actor.get_full_name() or actor.get_username()) if actor else ""
    mails = [
        {
            "user": users[pk],
            "cohort": cohort,
            "invited_by": inviter,
            "link": link_absolute(
                domain=domain, use_https=use_https, path=reverse("cohorts:invitation", args=[t])
            ),
            "valid_days": INVITATION_VALID_DAYS,
        }
        for (pk, _), t in zip(people, tokens, strict=True)
    ]

    def send():
        for context in mails:
            mail_send(
                subject_template=INVITATION_SUBJECT,
                body_template=INVITATION_BODY,
                context=context,
                to=context["user"].email,
            )

    transaction.on_commit(send)
    return len(invitations)


def _invitation_open(*, user, invitation_id: int) -> CohortInvitation:
    invitation = (
        CohortInvitation.objects.open()
        .filter(pk=invitation_id, user=user)
        .select_related("cohort")
        .first()
    )
    if invitation is None:
        raise LinkGone(ERROR_INVITATION_GONE)
    return invitation


def _invitation_close(invitation: CohortInvitation, status: str, *, open_only: bool) -> None:
    """Move a pending invitation to `status` with a conditional update (answered once)."""
    now = timezone.now()
    rows = CohortInvitation.objects.filter(pk=invitation.pk, status=CohortInvitation.Status.PENDING)
    if open_only:
        rows = rows.filter(expires_at__gt=now)
    if rows.update(status=status, closed_at=now) != 1:
        raise LinkGone(ERROR_INVITATION_GONE)


@transaction.atomic
def invitation_accept(*, user, invitation_id: int) -> Cohort:
    """Join the cohort of the user's own open invitation; return the cohort."""
    invitation = _invitation_open(user=user, invitation_id=invitation_id)
    if accounts_not_trainees([user.pk]):
        raise CohortError(ERROR_INVITEE_NOT_TRAINEE)
    _invitation_close(invitation, CohortInvitation.Status.ACCEPTED, open_only=True)
    cohort = invitation.cohort
    _, created = CohortMembership.objects.get_or_create(cohort=cohort, user=user)
    audit_record(
        actor=user,
        action=AuditEvent.Action.COHORT_MEMBERSHIP_CHANGED,
        target=cohort,
        summary=f"{user.email} accepted the invitation to {cohort.name}",
        details={"added": [user.pk] if created else [], "invitation": invitation.pk},
    )
    return cohort


@transaction.atomic
def invitation_decline(*, user, invitation_id: int) -> Cohort:
    """Decline the user's own open invitation; return its cohort."""
    invitation = _invitation_open(user=user, invitation_id=invitation_id)
    _invitation_close(invitation, CohortInvitation.Status.DECLINED, open_only=True)
    audit_record(
        actor=user,
        action=AuditEvent.Action.COHORT_INVITATION_CLOSED,
        target=invitation.cohort,
        summary=f"{user.email} declined the invitation to {invitation.cohort.name}",
        details={"invitation": invitation.pk, "status": CohortInvitation.Status.DECLINED},
    )
    return invitation.cohort


@transaction.atomic
def invitation_withdraw(*, cohort: Cohort, actor, invitation_id: int) -> str:
    """Withdraw a pending invitation of the cohort; return the e-mail it was sent to."""
    invitation = CohortInvitation.objects.filter(
        pk=invitation_id, cohort=cohort, status=CohortInvitation.Status.PENDING
    ).first()
    if invitation is None:
        raise LinkGone(ERROR_INVITATION_GONE)
    _invitation_close(invitation, CohortInvitation.Status.WITHDRAWN, open_only=False)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.COHORT_INVITATION_CLOSED,
        target=cohort,
        summary=f"Withdrew the invitation of {invitation.email} to {cohort.name}",
        details={"invitation": invitation.pk, "status": CohortInvitation.Status.WITHDRAWN},
    )
    return invitation.email


# --- Adding one trainee ----------------------------------------------------------------------


def _membership_add(*, cohort: Cohort, actor, user, created: bool) -> None:
    CohortMembership.objects.create(cohort=cohort, user=user)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.COHORT_MEMBERSHIP_CHANGED,
        target=cohort,
        summary=f"Added {user.email} to {cohort.name}",
        details={"added": [user.pk], "created": [user.pk] if created else []},
    )


@transaction.atomic
def cohort_add_trainee(
    *,
    cohort: Cohort,
    actor,
    email: str,
    first_name: str = "",
    last_name: str = "",
    domain: str,
    use_https: bool,
) -> AddResult:
    """Add a new trainee with this e-mail, or invite the existing account that owns it.

    A new trainee is created in the cohort and receives a set-your-password
    e-mail once the transaction commits. An existing trainee is invited (a
    superuser adds them directly); staff, managers and educators are refused,
    and so is an address only an unconfirmed sign-up uses.
    """
    ids = users_by_email([email]).get(email.casefold(), [])
    if len(ids) > 1:
        raise CohortError(ERROR_AMBIGUOUS_EMAIL.format(email=email))
    if not ids:
        if emails_unconfirmed([email]):
            raise CohortError(ERROR_UNCONFIRMED_SIGNUP.format(email=email))
        (user,) = trainees_create(people=[(first_name, last_name, email)])
        _membership_add(cohort=cohort, actor=actor, user=user, created=True)
        send_after_commit([user], cohort=cohort, domain=domain, use_https=use_https)
        return AddResult(outcome=Added.CREATED, email=user.email)
    user = get_user_model().objects.get(pk=ids[0])
    if CohortMembership.objects.filter(cohort=cohort, user=user).exists():
        raise CohortError(
            ERROR_ALREADY_MEMBER.format(name=user.get_full_name() or email, cohort=cohort.name)
        )
    if accounts_not_trainees([user.pk]):
        raise CohortError(ERROR_NOT_A_TRAINEE.format(email=email))
    if actor.is_superuser:
        _membership_add(cohort=cohort, actor=actor, user=user, created=False)
        return AddResult(outcome=Added.ADDED, email=email)
    if CohortInvitation.objects.open().filter(cohort=cohort, user=user).exists():
        raise CohortError(ERROR_ALREADY_INVITED.format(email=email, cohort=cohort.name))
    invitations_create(
        cohort=cohort, actor=actor, people=[(user.pk, email)], domain=domain, use_https=use_https
    )
    return AddResult(outcome=Added.INVITED, email=email)


# --- Removing one trainee --------------------------------------------------------------------


@transaction.atomic
def cohort_remove_trainee(*, cohort: Cohort, actor, trainee_id: int) -> bool:
    """Take the trainee out of the cohort; False (and nothing recorded) if not a member.

    Removing twice is harmless: the delete is conditional, so of two concurrent removals
    only one deletes the row and records the change. Their attempts, certificates and
    CPD stay theirs; only the cohort's assignments and the managers' view of them end.
    """
    membership = (
        CohortMembership.objects.filter(cohort=cohort, user_id=trainee_id)
        .select_related("user")
        .first()
    )
    if membership is None:
        return False
    deleted, _ = CohortMembership.objects.filter(pk=membership.pk).delete()
    if not deleted:
        return False
    audit_record(
        actor=actor,
        action=AuditEvent.Action.COHORT_MEMBERSHIP_CHANGED,
        target=cohort,
        summary=f"Removed {membership.user.email} from {cohort.name}",
        details={"removed": [trainee_id]},
    )
    return True


# --- Join codes ----------------------------------------------------------------------------


@transaction.atomic
def cohort_join_code_new(*, cohort: Cohort, actor) -> str:
    """Give the cohort a new random join code (switching sign-up on); the old one dies at once."""
    had_code = Cohort.objects.filter(pk=cohort.pk, join_code__isnull=False).exists()
    for _ in range(JOIN_CODE_ATTEMPTS):
        code = join_code_new()
        try:
            with transaction.atomic():
                Cohort.objects.filter(pk=cohort.pk).update(join_code=code)
        except IntegrityError:  # 80 random bits: another cohort's code, practically never
            continue
        break
    else:
        raise CohortError(ERROR_JOIN_CODE_FAILED)
    cohort.join_code = code
    audit_record(
        actor=actor,
        action=AuditEvent.Action.JOIN_CODE_CHANGED,
        target=cohort,
        summary=f"{'New join code' if had_code else 'Join code switched on'} for {cohort.name}",
        details={"join_code": "replaced" if had_code else "on"},
    )
    return code


@transaction.atomic
def cohort_join_code_off(*, cohort: Cohort, actor) -> bool:
    """Switch sign-up with a code off for the cohort; False if it was off already."""
    if not Cohort.objects.filter(pk=cohort.pk, join_code__isnull=False).update(join_code=None):
        cohort.join_code = None
        return False
    cohort.join_code = None
    audit_record(
        actor=actor,
        action=AuditEvent.Action.JOIN_CODE_CHANGED,
        target=cohort,
        summary=f"Join code switched off for {cohort.name}",
        details={"join_code": "off"},
    )
    return True
