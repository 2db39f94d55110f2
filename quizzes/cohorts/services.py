"""Cohort writes: adding trainees (one by one, by file, by join code) and their e-mails."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from quizzes.cohorts.selectors import users_by_email
from quizzes.models import Cohort, CohortMembership
from trainingsite.audit import audit_record
from trainingsite.models import AuditEvent
from trainingsite.roles import Role

ERROR_ALREADY_MEMBER = "{name} is already in {cohort}."
ERROR_AMBIGUOUS_EMAIL = "Several accounts use {email}; ask an administrator to merge them first."
ERROR_EMAIL_TAKEN = "An account already uses this e-mail address; log in and ask your manager."
SET_PASSWORD_SUBJECT = "cohorts/emails/set_password_subject.txt"
SET_PASSWORD_BODY = "cohorts/emails/set_password_email.txt"


class CohortError(ValueError):
    """A cohort change was refused; the message says why."""


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
    context = {
        "user": user,
        "cohort": cohort,
        "domain": domain,
        "protocol": "https" if use_https else "http",
        "path": reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        ),
    }
    PasswordResetForm().send_mail(
        SET_PASSWORD_SUBJECT, SET_PASSWORD_BODY, context, None, user.email
    )


def send_after_commit(users, *, cohort: Cohort, domain: str, use_https: bool) -> None:
    def send():
        for user in users:
            set_password_email_send(user=user, domain=domain, use_https=use_https, cohort=cohort)

    transaction.on_commit(send)


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
) -> tuple[object, bool]:
    """Add the account with this e-mail to the cohort, creating a trainee if none exists.

    Returns (user, created). A new trainee receives a set-your-password e-mail
    once the transaction commits.
    """
    ids = users_by_email([email]).get(email.casefold(), [])
    if len(ids) > 1:
        raise CohortError(ERROR_AMBIGUOUS_EMAIL.format(email=email))
    User = get_user_model()
    created = not ids
    if created:
        (user,) = trainees_create(people=[(first_name, last_name, email)])
    else:
        user = User.objects.get(pk=ids[0])
        if CohortMembership.objects.filter(cohort=cohort, user=user).exists():
            raise CohortError(
                ERROR_ALREADY_MEMBER.format(
                    name=user.get_full_name() or user.email, cohort=cohort.name
                )
            )
    CohortMembership.objects.create(cohort=cohort, user=user)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.COHORT_MEMBERSHIP_CHANGED,
        target=cohort,
        summary=f"Added {user.email} to {cohort.name}",
        details={"added": [user.pk], "created": [user.pk] if created else []},
    )
    if created:
        send_after_commit([user], cohort=cohort, domain=domain, use_https=use_https)
    return user, created


@transaction.atomic
def cohort_join(*, cohort: Cohort, first_name: str, last_name: str, email: str, password: str):
    """Sign a new trainee up into the cohort through its join code."""
    if users_by_email([email]):
        raise CohortError(ERROR_EMAIL_TAKEN)
    (user,) = trainees_create(people=[(first_name, last_name, email)])
    user.set_password(password)
    user.save(update_fields=["password"])
    CohortMembership.objects.create(cohort=cohort, user=user)
    audit_record(
        actor=user,
        action=AuditEvent.Action.COHORT_MEMBERSHIP_CHANGED,
        target=cohort,
        summary=f"{user.email} joined {cohort.name} with the join code",
        details={"added": [user.pk], "created": [user.pk], "join_code": True},
    )
    return user
