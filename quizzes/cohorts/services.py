"""Cohort scoping, effective program assignments, and the cohort services.

Every manager-facing read goes through `cohorts_for_manager` (or the object
helpers built on it), so a manager never reaches a cohort, a trainee or an
attempt outside the cohorts they manage: those answer 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from quizzes.models import Cohort, CohortMembership, CohortProgram, ProgramAssignment
from trainingsite.audit import audit_record
from trainingsite.models import AuditEvent
from trainingsite.roles import Role

ERROR_ALREADY_MEMBER = "{name} is already in {cohort}."
ERROR_AMBIGUOUS_EMAIL = "Several accounts use {email}; ask an administrator to merge them first."
ERROR_EMAIL_TAKEN = "An account already uses this e-mail address; log in and ask your manager."
SET_PASSWORD_SUBJECT = "reports/emails/set_password_subject.txt"
SET_PASSWORD_BODY = "reports/emails/set_password_email.txt"


class CohortError(ValueError):
    """A cohort change was refused; the message says why."""


# --- Scoping -------------------------------------------------------------------


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


# --- Effective assignments ------------------------------------------------------


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


# --- Services -------------------------------------------------------------------


def _username_for(email: str, taken: set[str]) -> str:
    base = email.casefold()[:150]
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: 150 - len(suffix)] + suffix
    taken.add(candidate)
    return candidate


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


def cohort_join_get_or_404(code: str) -> Cohort:
    cohort = Cohort.objects.filter(join_code=code).first() if code else None
    if cohort is None:
        raise Http404("No cohort uses this join code.")
    return cohort


def cohort_program_due_dates(*, cohorts: QuerySet[Cohort]) -> QuerySet[CohortProgram]:
    return CohortProgram.objects.filter(cohort__in=cohorts).select_related("program", "cohort")
