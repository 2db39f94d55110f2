"""What the API reads: tokens for their pages, and the resources in a token's scope.

Every resource is reached through quizzes/cohorts/scope.py with the token owner's
scope, exactly as the reports are: a manager sees the trainees of the cohorts they
manage, a superuser every cohort's. Statuses come from the reports' reader
(quizzes/reports/progress.py, over certification's bulk selector): no rule of its own.
Lists are keyset pages over the id (a fixed number of queries whatever the page size).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from quizzes.certification.codes import code_normalise
from quizzes.certification.rules import VerificationStatus, verification_status
from quizzes.cohorts.scope import (
    cohort_for_manager_or_404,
    cohorts_for_manager,
    memberships_for_manager,
    trainees_for_manager,
)
from quizzes.cohorts.selectors import assignments_effective
from quizzes.cpd.selectors import cpd_entries_visible_to
from quizzes.models import (
    ApiToken,
    Attempt,
    Certificate,
    Cohort,
    CohortMembership,
    CpdEntry,
    Credential,
    Program,
    ProgramAssignment,
)
from quizzes.reports.progress import display_name, progress_for_assignments
from trainingsite.links import public_url

TOKEN_NOT_FOUND = "No such API token."
TRAINEE_NOT_FOUND = "No such trainee, or not in your token's scope."
CERTIFICATE_NOT_FOUND = "No such certificate, or not in your token's scope."
COHORT_NOT_FOUND = "No such cohort, or not in your token's scope."


# --- Tokens (the site's pages) ----------------------------------------------------------


def api_tokens_for_owner(*, user) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first; a superuser's list shows everyone's."""
    tokens = ApiToken.objects.select_related("owner")
    return tokens if user.is_superuser else tokens.filter(owner=user)


def api_token_for_owner_or_404(*, user, token_id: int) -> ApiToken:
    """The user's own token (any token for a superuser), or 404."""
    token = api_tokens_for_owner(user=user).filter(pk=token_id).first()
    if token is None:
        raise Http404(TOKEN_NOT_FOUND)
    return token


# --- Pages of a list --------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    items: list[dict]
    next_after: int | tuple[int, int] | None  # the last key shown, when there is more
    last_modified: datetime | None = None


def _page(rows: list, limit: int) -> tuple[list, int | None]:
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1][0] if more and rows else None)


# --- Trainees ----------------------------------------------------------------------------


def _scope_cohorts(user, cohort_slug: str | None) -> QuerySet[Cohort]:
    if not cohort_slug:
        return cohorts_for_manager(user)
    try:
        cohort = cohort_for_manager_or_404(user, cohort_slug)
    except Http404 as exc:
        raise Http404(COHORT_NOT_FOUND) from exc
    return Cohort.objects.filter(pk=cohort.pk)


def _trainee_items(*, user, people: list[tuple], now: datetime) -> list[dict]:
    ids = [row[0] for row in people]
    if not ids:
        return []
    progress = progress_for_assignments(users=ids, now=now)
    cohorts: dict[int, list[str]] = {pk: [] for pk in ids}
    for user_id, slug in (
        memberships_for_manager(user)
        .filter(user__in=ids)
        .order_by("cohort__slug")
        .values_list("user_id", "cohort__slug")
    ):
        cohorts[user_id].append(slug)
    programs: dict[int, list] = {pk: [] for pk in ids}
    for (user_id, _), item in sorted(
        progress.items(), key=lambda kv: (kv[0][0], kv[1].program.name.casefold())
    ):
        programs[user_id].append(item)
    items = []
    for pk, username, first, last, email in people:
        mine = programs[pk]
        activity = [p.last_activity_at for p in mine if p.last_activity_at is not None]
        items.append(
            {
                "id": pk,
                "username": username,
                "name": display_name(first, last, email),
                "email": email,
                "cohorts": cohorts[pk],
                "last_activity_at": max(activity) if activity else None,
                "programs": [
                    {
                        "program": p.program.slug,
                        "program_name": p.program.name,
                        "status": p.status.value,
                        "due_date": p.due_date,
                        "percent": p.percent,
                        "done": p.done,
                        "required": p.required,
                        "awaiting_sign_off": p.awaiting_sign_off,
                        "last_activity_at": p.last_activity_at,
                        "certificate_code": (
                            p.certificate.display_code if p.certificate is not None else None
                        ),
                    }
                    for p in mine
                ],
            }
        )
    return items


PERSON_FIELDS = ("pk", "username", "first_name", "last_name", "email")


def api_trainees_page(
    *, user, after: int | None, limit: int, cohort: str | None, q: str | None, now: datetime
) -> Page:
    """A page of the trainees in scope by id, with their status in each assigned program."""
    users = trainees_for_manager(user, cohorts=_scope_cohorts(user, cohort))
    if after is not None:
        users = users.filter(pk__gt=after)
    for word in (q or "").split()[:5]:
        users = users.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(username__icontains=word)
        )
    rows, next_after = _page(
        list(users.order_by("pk").values_list(*PERSON_FIELDS)[: limit + 1]), limit
    )
    return Page(items=_trainee_items(user=user, people=rows, now=now), next_after=next_after)


def api_trainee_or_404(*, user, trainee_id: int, now: datetime) -> dict:
    people = list(trainees_for_manager(user).filter(pk=trainee_id).values_list(*PERSON_FIELDS))
    if not people:
        raise Http404(TRAINEE_NOT_FOUND)
    return _trainee_items(user=user, people=people, now=now)[0]


# --- Certificates ----------------------------------------------------------------------


def _certificates_in_scope(user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(user__in=trainees_for_manager(user).values("pk"))


def _certificate_item(certificate: Certificate, *, now: datetime, with_jwt: bool) -> dict:
    code = certificate.display_code
    credential: Credential | None = getattr(certificate, "credential", None)
    item = {
        "code": code,
        "program": certificate.program.slug,
        "program_name": certificate.program.name,
        "holder_id": certificate.user_id,
        "holder_name": certificate.holder_name,
        "issued_at": certificate.issued_at,
        "expires_at": certificate.expires_at,
        "revoked_at": certificate.revoked_at,
        "status": verification_status(
            expires_at=certificate.expires_at, revoked=certificate.is_revoked, now=now
        ).value,
        "superseded": certificate.superseded_by_id is not None,
        "cpd_hours": certificate.cpd_hours,
        "verification_url": public_url(reverse("certificates:verify", kwargs={"code": code})),
        "credential_url": (
            public_url(reverse("credentials:jwt", kwargs={"code": code}))
            if credential is not None
            else None
        ),
    }
    if with_jwt:
        item["credential_jwt"] = credential.jwt if credential is not None else None
    return item


def _changed_at(certificate: Certificate, now: datetime) -> datetime:
    """The last moment the certificate's item changed: issue, revocation, expiry, credential."""
    moments = [certificate.issued_at]
    if certificate.revoked_at is not None:
        moments.append(certificate.revoked_at)
    if certificate.expires_at is not None and certificate.expires_at <= now:
        moments.append(certificate.expires_at)
    credential = getattr(certificate, "credential", None)
    if credential is not None:
        moments.append(credential.created_at)
    return max(moments)


CERTIFICATE_STATUSES = tuple(status.value for status in VerificationStatus)


def api_certificates_page(
    *,
    user,
    after: int | None,
    limit: int,
    program: str | None,
    status: str | None,
    trainee: int | None,
    now: datetime,
) -> Page:
    """A page of the certificates of trainees in scope, by id."""
    certificates = _certificates_in_scope(user).select_related("program", "credential")
    if after is not None:
        certificates = certificates.filter(pk__gt=after)
    if program:
        certificates = certificates.filter(program__slug=program)
    if trainee is not None:
        certificates = certificates.filter(user_id=trainee)
    if status == VerificationStatus.REVOKED:
        certificates = certificates.filter(revoked_at__isnull=False)
    elif status == VerificationStatus.EXPIRED:
        certificates = certificates.filter(revoked_at__isnull=True, expires_at__lte=now)
    elif status == VerificationStatus.VALID:
        certificates = certificates.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )
    rows = list(certificates.order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[_certificate_item(c, now=now, with_jwt=False) for c in rows],
        next_after=rows[-1].pk if more and rows else None,
        last_modified=max((_changed_at(c, now) for c in rows), default=None),
    )


def api_certificate_or_404(*, user, code: str, now: datetime) -> tuple[dict, datetime]:
    """The certificate with this code if its holder is in scope, with its change time; or 404."""
    normalised = code_normalise(code) if len(code) <= 40 else None
    # One row by the unique code, its holder checked by a correlated EXISTS: the IN of
    # _certificates_in_scope would first list every trainee in scope (10,000 for a
    # manager of every cohort) to answer for one certificate.
    holder_in_scope = Exists(memberships_for_manager(user).filter(user_id=OuterRef("user_id")))
    certificate = (
        Certificate.objects.select_related("program", "credential")
        .filter(holder_in_scope, code=normalised)
        .first()
        if normalised
        else None
    )
    if certificate is None:
        raise Http404(CERTIFICATE_NOT_FOUND)
    return _certificate_item(certificate, now=now, with_jwt=True), _changed_at(certificate, now)


# --- Cohorts -----------------------------------------------------------------------------


def api_cohorts_page(*, user, after: int | None, limit: int) -> Page:
    cohorts = cohorts_for_manager(user).annotate(member_count=Count("memberships"))
    if after is not None:
        cohorts = cohorts.filter(pk__gt=after)
    rows = list(cohorts.order_by("pk").prefetch_related("cohort_programs__program")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        {
            "slug": cohort.slug,
            "name": cohort.name,
            "member_count": cohort.member_count,
            "created_at": cohort.created_at,
            "programs": [
                {"program": cp.program.slug, "due_date": cp.due_date}
                for cp in sorted(cohort.cohort_programs.all(), key=lambda cp: cp.program.slug)
            ],
        }
        for cohort in rows
    ]
    return Page(items=items, next_after=rows[-1].pk if more and rows else None)


def api_cohort_or_404(*, user, slug: str) -> Cohort:
    try:
        return cohort_for_manager_or_404(user, slug)
    except Http404 as exc:
        raise Http404(COHORT_NOT_FOUND) from exc


def api_cohort_members_page(*, user, cohort: Cohort, after: int | None, limit: int) -> Page:
    members = memberships_for_manager(user, cohorts=Cohort.objects.filter(pk=cohort.pk))
    if after is not None:
        members = members.filter(user_id__gt=after)
    rows, next_after = _page(
        list(
            members.order_by("user_id").values_list(
                "user_id",
                "user__username",
                "user__first_name",
                "user__last_name",
                "user__email",
                "joined_at",
            )[: limit + 1]
        ),
        limit,
    )
    items = [
        {
            "id": pk,
            "username": username,
            "name": display_name(first, last, email),
            "email": email,
            "joined_at": joined_at,
        }
        for pk, username, first, last, email, joined_at in rows
    ]
    return Page(items=items, next_after=next_after)


# --- Assignments -------------------------------------------------------------------------


def api_assignments_page(
    *,
    user,
    after: tuple[int, int] | None,
    limit: int,
    program: str | None,
    trainee: int | None,
) -> Page:
    """A page of the (trainee, program) assignments in scope, by trainee id then program id.

    An assignment is individual or through a cohort; its due date is the effective one
    (quizzes/cohorts/selectors.py: the earliest wins); `cohorts` names only the cohorts in
    scope. Five queries whatever the page size.
    """
    people = trainees_for_manager(user)
    if trainee is not None:
        people = people.filter(pk=trainee)
    direct = Q(user__in=people.values("pk"))
    # Every assignment of a trainee in scope, as /trainees shows, whichever cohort gives it.
    via = Q(user__in=people.values("pk"))
    if program:
        direct &= Q(program__slug=program)
        via &= Q(cohort__cohort_programs__program__slug=program)
    else:
        via &= Q(cohort__cohort_programs__isnull=False)
    if after is not None:
        last_user, last_program = after
        direct &= Q(user_id__gt=last_user) | Q(user_id=last_user, program_id__gt=last_program)
        via &= Q(user_id__gt=last_user) | Q(
            user_id=last_user, cohort__cohort_programs__program_id__gt=last_program
        )
    # One filter() call per side, so the cohort's programs are joined once (values reuse it).
    pairs = (
        ProgramAssignment.objects.filter(direct)
        .order_by()
        .values_list("user_id", "program_id")
        .union(
            CohortMembership.objects.filter(via)
            .order_by()
            .values_list("user_id", "cohort__cohort_programs__program_id")
        )
        .order_by("user_id", "program_id")
    )
    rows = [tuple(row) for row in pairs[: limit + 1]]
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=_assignment_items(user=user, pairs=rows),
        next_after=rows[-1] if more and rows else None,
    )


def _assignment_items(*, user, pairs: list[tuple[int, int]]) -> list[dict]:
    if not pairs:
        return []
    user_ids = sorted({u for u, _ in pairs})
    program_ids = sorted({p for _, p in pairs})
    effective = assignments_effective(users=user_ids, programs=program_ids)
    programs = {
        pk: (slug, name)
        for pk, slug, name in Program.objects.filter(pk__in=program_ids).values_list(
            "pk", "slug", "name"
        )
    }
    individual = set(
        ProgramAssignment.objects.filter(user__in=user_ids, program__in=program_ids).values_list(
            "user_id", "program_id"
        )
    )
    cohorts: dict[tuple[int, int], list[str]] = {}
    for user_id, program_id, slug in (
        memberships_for_manager(user)
        .filter(user__in=user_ids, cohort__cohort_programs__program__in=program_ids)
        .order_by("cohort__slug")
        .values_list("user_id", "cohort__cohort_programs__program_id", "cohort__slug")
    ):
        cohorts.setdefault((user_id, program_id), []).append(slug)
    return [
        {
            "trainee": user_id,
            "program": programs[program_id][0],
            "program_name": programs[program_id][1],
            "due_date": effective[(user_id, program_id)].due_date,
            "individual": (user_id, program_id) in individual,
            "cohorts": cohorts.get((user_id, program_id), []),
        }
        for user_id, program_id in pairs
    ]


# --- Attempts ----------------------------------------------------------------------------

# (column, the item's key): summaries only, never the paper or the answers.
ATTEMPT_COLUMNS = (
    ("pk", "id"),
    ("uuid", "uuid"),
    ("quiz__slug", "quiz"),
    ("quiz__title", "quiz_title"),
    ("user_id", "trainee"),
    ("kind", "kind"),
    ("state", "state"),
    ("percent", "percent"),
    ("passed", "passed"),
    ("started_at", "started_at"),
    ("submitted_at", "submitted_at"),
)


def _rows_as_items(rows: list[tuple], columns: tuple) -> list[dict]:
    keys = [key for _, key in columns]
    return [dict(zip(keys, row, strict=True)) for row in rows]


def api_attempts_page(
    *,
    user,
    after: int | None,
    limit: int,
    trainee: int | None,
    quiz: str | None,
    since: datetime | None,
) -> Page:
    """A page of attempt summaries of trainees in scope, by id."""
    attempts = Attempt.objects.filter(user__in=trainees_for_manager(user).values("pk"))
    if after is not None:
        attempts = attempts.filter(pk__gt=after)
    if trainee is not None:
        attempts = attempts.filter(user_id=trainee)
    if quiz:
        attempts = attempts.filter(quiz__slug=quiz)
    if since is not None:
        attempts = attempts.filter(submitted_at__gt=since)
    columns = [column for column, _ in ATTEMPT_COLUMNS]
    rows, next_after = _page(
        list(attempts.order_by("pk").values_list(*columns)[: limit + 1]), limit
    )
    items = _rows_as_items(rows, ATTEMPT_COLUMNS)
    for item in items:
        item["uuid"] = str(item["uuid"])
    return Page(items=items, next_after=next_after)


# --- CPD ---------------------------------------------------------------------------------

CPD_STATUSES = tuple(CpdEntry.Status.values)
CPD_COLUMNS = (
    ("pk", "id"),
    ("user_id", "trainee"),
    ("title", "title"),
    ("provider", "provider"),
    ("completed_on", "completed_on"),
    ("hours", "hours"),
    ("status", "status"),
    ("reviewed_at", "reviewed_at"),
    ("evidence", "has_evidence"),
    ("created_at", "created_at"),
)


def api_cpd_page(
    *, user, after: int | None, limit: int, trainee: int | None, status: str | None
) -> Page:
    """A page of the CPD entries of trainees in scope (quizzes/cpd/selectors.py), by id.

    ETag only, no Last-Modified: a deleted entry leaves no change time behind.
    """
    entries = cpd_entries_visible_to(user).filter(user__in=trainees_for_manager(user).values("pk"))
    if after is not None:
        entries = entries.filter(pk__gt=after)
    if trainee is not None:
        entries = entries.filter(user_id=trainee)
    if status:
        entries = entries.filter(status=status)
    columns = [column for column, _ in CPD_COLUMNS]
    rows, next_after = _page(list(entries.order_by("pk").values_list(*columns)[: limit + 1]), limit)
    items = _rows_as_items(rows, CPD_COLUMNS)
    for item in items:
        item["has_evidence"] = bool(item["has_evidence"])
    return Page(items=items, next_after=next_after)
