"""Sign-up with a join code, and the e-mail confirmation that makes the address the account's.

An account made here is matched by its e-mail address (by managers adding,
importing or inviting trainees: quizzes.cohorts.selectors.users_by_email)
only once its owner followed the link e-mailed to that address. Until then
whoever signed up has shown nothing but that they know the address.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from quizzes.cohorts.selectors import CONFIRM_LINK_GONE, email_in_use
from quizzes.cohorts.services import (
    CohortError,
    LinkGone,
    link_absolute,
    mail_send,
    trainees_create,
)
from quizzes.cohorts.tokens import link_token_digest, link_token_new
from quizzes.models import Cohort, CohortMembership
from quizzes.models.cohorts import SignupConfirmation
from trainingsite.audit import audit_record
from trainingsite.models import AuditEvent

SIGNUP_CONFIRM_VALID_HOURS = 72

ERROR_EMAIL_TAKEN = "An account already uses this e-mail address; log in and ask your manager."
ERROR_CONFIRM_LINK_GONE = CONFIRM_LINK_GONE

CONFIRM_SUBJECT = "cohorts/emails/confirm_email_subject.txt"
CONFIRM_BODY = "cohorts/emails/confirm_email.txt"


def _signup_confirmation_mail(*, user, token: str, domain: str, use_https: bool) -> None:
    context = {
        "user": user,
        "link": link_absolute(
            domain=domain, use_https=use_https, path=reverse("cohorts:signup_confirm", args=[token])
        ),
        "valid_hours": SIGNUP_CONFIRM_VALID_HOURS,
    }
    transaction.on_commit(
        lambda: mail_send(
            subject_template=CONFIRM_SUBJECT,
            body_template=CONFIRM_BODY,
            context=context,
            to=user.email,
        )
    )


@transaction.atomic
def cohort_join(
    *,
    cohort: Cohort,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    domain: str,
    use_https: bool,
):
    """Sign a new trainee up into the cohort through its join code.

    The account is matched by its e-mail (by managers adding or importing
    trainees) only once its owner followed the link e-mailed to the address.
    """
    if email_in_use(email):
        raise CohortError(ERROR_EMAIL_TAKEN)
    try:
        with transaction.atomic():
            (user,) = trainees_create(people=[(first_name, last_name, email)])
    except IntegrityError as exc:  # the same address signing up twice at once
        raise CohortError(ERROR_EMAIL_TAKEN) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    CohortMembership.objects.create(cohort=cohort, user=user)
    token, digest = link_token_new()
    now = timezone.now()
    SignupConfirmation.objects.create(
        user=user,
        email=user.email,
        token_digest=digest,
        sent_at=now,
        expires_at=now + timedelta(hours=SIGNUP_CONFIRM_VALID_HOURS),
    )
    audit_record(
        actor=user,
        action=AuditEvent.Action.COHORT_MEMBERSHIP_CHANGED,
        target=cohort,
        summary=f"{user.email} joined {cohort.name} with the join code",
        details={"added": [user.pk], "created": [user.pk], "join_code": True},
    )
    _signup_confirmation_mail(user=user, token=token, domain=domain, use_https=use_https)
    return user


@transaction.atomic
def signup_confirmation_resend(*, user, domain: str, use_https: bool) -> bool:
    """E-mail a new confirmation link (the old one stops working); False if none is due."""
    token, digest = link_token_new()
    now = timezone.now()
    updated = SignupConfirmation.objects.filter(user=user, confirmed_at__isnull=True).update(
        email=user.email,
        token_digest=digest,
        sent_at=now,
        expires_at=now + timedelta(hours=SIGNUP_CONFIRM_VALID_HOURS),
    )
    if not updated:
        return False
    _signup_confirmation_mail(user=user, token=token, domain=domain, use_https=use_https)
    return True


@transaction.atomic
def signup_confirm(*, token: str):
    """Confirm the address of the sign-up this link was sent for; return its account.

    The link works once and until it expires; then LinkGone.
    """
    digest = link_token_digest(token)
    now = timezone.now()
    confirmation = (
        SignupConfirmation.objects.filter(
            token_digest=digest, confirmed_at__isnull=True, expires_at__gt=now
        )
        .select_related("user")
        .first()
        if digest
        else None
    )
    if confirmation is None:
        raise LinkGone(ERROR_CONFIRM_LINK_GONE)
    used = SignupConfirmation.objects.filter(
        pk=confirmation.pk, token_digest=digest, confirmed_at__isnull=True
    ).update(confirmed_at=now, token_digest=None)
    if used != 1:
        raise LinkGone(ERROR_CONFIRM_LINK_GONE)
    user = confirmation.user
    audit_record(
        actor=user,
        action=AuditEvent.Action.EMAIL_CONFIRMED,
        target=user,
        summary=f"{confirmation.email} confirmed the address of the sign-up",
        details={"email": confirmation.email},
    )
    return user
