"""Importing trainees into a cohort from a CSV of names and e-mails.

Two steps. `parse_trainee_csv` and `build_preview` are pure: bytes in, rows
and per-line errors out, nothing saved. The manager sees the preview; the
confirm step calls `cohort_import_trainees`, which parses again, refuses
anything with errors, and saves everything or nothing. New addresses become
trainees of the cohort; existing accounts are invited and join only when they
accept (quizzes.cohorts.services.invitations_create).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from quizzes.cohorts.selectors import accounts_not_trainees, emails_unconfirmed, users_by_email
from quizzes.cohorts.services import invitations_create, send_after_commit, trainees_create
from quizzes.models import CohortMembership
from quizzes.models.cohorts import CohortInvitation
from trainingsite.audit import audit_record
from trainingsite.models import AuditEvent
from trainingsite.plurals import Plural

MAX_BYTES = 1_000_000
MAX_ROWS = 5_000

ERROR_EMPTY = "The file is empty."
ERROR_TOO_LARGE = (
    f"The file is larger than {MAX_BYTES // 1_000_000} MB; split it and upload the parts."
)
ERROR_TOO_MANY_ROWS = (
    f"The file has more than {MAX_ROWS:,} trainees; split it and upload the parts."
)
ERROR_ENCODING = (
    "The file is not UTF-8 text. Save it as 'CSV UTF-8 (comma delimited)' "
    "(Excel: File > Save As) and upload it again."
)
ERROR_NOT_CSV = "The file could not be read as CSV: {detail}."
ERROR_HEADER = (
    "The first line must name the columns: 'email' and either 'name' or "
    "'first_name' and 'last_name' (found: {found})."
)
ERROR_NO_ROWS = "The file has a header but no trainees."
ROW_ERROR_EMAIL_MISSING = "The e-mail address is missing."
ROW_ERROR_EMAIL_INVALID = "'{email}' is not a valid e-mail address."
ROW_ERROR_NAME_MISSING = "The name is missing."
ROW_ERROR_DUPLICATE = "{email} is already on line {line}."
ROW_ERROR_AMBIGUOUS = "Several accounts use {email}; add this trainee from the cohort page instead."
ROW_ERROR_TOO_LONG = "The {field} is longer than {limit} characters."
ROW_ERROR_NOT_TRAINEE = (
    "{email} belongs to a staff, manager or educator account; such accounts are never "
    "added to a cohort as trainees."
)
ROW_ERROR_UNCONFIRMED = (
    "Someone signed up with {email} but has not confirmed the address yet; leave this row "
    "out and add it once the address is confirmed."
)

NAME_HEADERS = {"name", "full_name", "full name"}
FIRST_HEADERS = {"first_name", "first name", "firstname", "given_name"}
LAST_HEADERS = {"last_name", "last name", "lastname", "surname", "family_name"}
EMAIL_HEADERS = {"email", "e-mail", "email address", "e-mail address"}
FIRST_NAME_MAX = 150
LAST_NAME_MAX = 150
EMAIL_MAX = 254


class CsvImportError(ValueError):
    """The file as a whole cannot be used; the message says why."""


@dataclass(frozen=True)
class CsvRow:
    line: int
    first_name: str
    last_name: str
    email: str

    @property
    def email_key(self) -> str:
        return self.email.casefold()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class RowError:
    line: int
    message: str
    email: str = ""


@dataclass(frozen=True)
class ParsedCsv:
    rows: tuple[CsvRow, ...]
    errors: tuple[RowError, ...]


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise CsvImportError(ERROR_TOO_LARGE)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvImportError(ERROR_ENCODING) from exc
    if "\x00" in text:
        # UTF-16 without a BOM decodes as UTF-8 with NULs between the letters.
        raise CsvImportError(ERROR_ENCODING)
    if not text.strip():
        raise CsvImportError(ERROR_EMPTY)
    return text


def _columns(header: list[str]) -> dict[str, int]:
    names = [h.strip().casefold() for h in header]
    found: dict[str, int] = {}
    for index, name in enumerate(names):
        for key, options in (
            ("name", NAME_HEADERS),
            ("first_name", FIRST_HEADERS),
            ("last_name", LAST_HEADERS),
            ("email", EMAIL_HEADERS),
        ):
            if name in options and key not in found:
                found[key] = index
    if "email" not in found or not ({"name", "first_name"} & found.keys()):
        shown = ", ".join(repr(h.strip()) for h in header if h.strip()) or "nothing"
        raise CsvImportError(ERROR_HEADER.format(found=shown))
    return found


def _cell(record: list[str], index: int | None) -> str:
    if index is None or index >= len(record):
        return ""
    return " ".join(record[index].split())


def parse_trainee_csv(data: bytes) -> ParsedCsv:
    """Read uploaded bytes into rows and per-line errors; raise CsvImportError for the file."""
    text = _decode(data)
    # Spreadsheets in some locales save with semicolons or tabs; the header says which.
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        delimiter = ";" if ";" in first_line else "\t" if "\t" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next((record for record in reader if any(cell.strip() for cell in record)), None)
        if header is None:  # only delimiters and blanks, e.g. ",,,"
            raise CsvImportError(ERROR_EMPTY)
        columns = _columns(header)
        rows: list[CsvRow] = []
        errors: list[RowError] = []
        seen: dict[str, int] = {}
        count = 0
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            count += 1
            if count > MAX_ROWS:
                raise CsvImportError(ERROR_TOO_MANY_ROWS)
            email = _cell(record, columns.get("email")).replace(" ", "")
            if "first_name" in columns:
                first = _cell(record, columns["first_name"])
                last = _cell(record, columns.get("last_name"))
            else:
                first, _, last = _cell(record, columns["name"]).partition(" ")
            problem = None
            if not email:
                problem = ROW_ERROR_EMAIL_MISSING
            elif len(email) > EMAIL_MAX:
                problem = ROW_ERROR_TOO_LONG.format(field="e-mail address", limit=EMAIL_MAX)
            else:
                try:
                    validate_email(email)
                except ValidationError:
                    problem = ROW_ERROR_EMAIL_INVALID.format(email=email)
            if problem is None and not first:
                problem = ROW_ERROR_NAME_MISSING
            if problem is None and len(first) > FIRST_NAME_MAX:
                problem = ROW_ERROR_TOO_LONG.format(field="first name", limit=FIRST_NAME_MAX)
            if problem is None and len(last) > LAST_NAME_MAX:
                problem = ROW_ERROR_TOO_LONG.format(field="last name", limit=LAST_NAME_MAX)
            if problem is None and email.casefold() in seen:
                problem = ROW_ERROR_DUPLICATE.format(email=email, line=seen[email.casefold()])
            if problem is not None:
                errors.append(RowError(line=line, message=problem, email=email))
                continue
            seen[email.casefold()] = line
            rows.append(CsvRow(line=line, first_name=first, last_name=last, email=email))
    except csv.Error as exc:
        raise CsvImportError(ERROR_NOT_CSV.format(detail=exc)) from exc
    if not rows and not errors:
        raise CsvImportError(ERROR_NO_ROWS)
    return ParsedCsv(rows=tuple(rows), errors=tuple(errors))


@dataclass(frozen=True)
class ImportPreview:
    """What confirming would do: nothing is saved while it exists."""

    to_create: tuple[CsvRow, ...] = ()
    to_invite: tuple[tuple[CsvRow, int], ...] = ()
    already_members: tuple[tuple[CsvRow, int], ...] = ()
    already_invited: tuple[tuple[CsvRow, int], ...] = ()
    errors: tuple[RowError, ...] = field(default=())

    @property
    def can_confirm(self) -> bool:
        return not self.errors and bool(self.to_create or self.to_invite)


def build_preview(
    parsed: ParsedCsv,
    *,
    accounts_by_email: Mapping[str, list[int]],
    member_ids: frozenset[int] | set[int],
    invited_ids: frozenset[int] | set[int] = frozenset(),
    not_trainee_ids: frozenset[int] | set[int] = frozenset(),
    unconfirmed_emails: frozenset[str] | set[str] = frozenset(),
) -> ImportPreview:
    """Sort parsed rows into new trainees, accounts to invite, and rows that change nothing.

    `accounts_by_email` maps casefolded e-mails to the ids of the accounts that
    own them; `member_ids` are the cohort's trainees, `invited_ids` the accounts
    with an open invitation to it, `not_trainee_ids` staff, managers and
    educators (refused), `unconfirmed_emails` the casefolded addresses only an
    unconfirmed sign-up uses (refused: they are nobody's yet).
    """
    to_create, to_invite, already, invited = [], [], [], []
    errors = list(parsed.errors)
    for row in parsed.rows:
        ids = accounts_by_email.get(row.email_key, [])
        problem = None
        if len(ids) > 1:
            problem = ROW_ERROR_AMBIGUOUS.format(email=row.email)
        elif not ids and row.email_key in unconfirmed_emails:
            problem = ROW_ERROR_UNCONFIRMED.format(email=row.email)
        elif not ids:
            to_create.append(row)
        elif ids[0] in member_ids:
            already.append((row, ids[0]))
        elif ids[0] in not_trainee_ids:
            problem = ROW_ERROR_NOT_TRAINEE.format(email=row.email)
        elif ids[0] in invited_ids:
            invited.append((row, ids[0]))
        else:
            to_invite.append((row, ids[0]))
        if problem is not None:
            errors.append(RowError(line=row.line, message=problem, email=row.email))
    errors.sort(key=lambda e: e.line)
    return ImportPreview(
        to_create=tuple(to_create),
        to_invite=tuple(to_invite),
        already_members=tuple(already),
        already_invited=tuple(invited),
        errors=tuple(errors),
    )


# --- The service (database) --------------------------------------------------------

ERROR_CONFIRM_WITH_ERRORS = Plural(
    "Nothing was imported: {count} row has errors. Fix it and upload the file again.",
    "Nothing was imported: {count} rows have errors. Fix them and upload the file again.",
)
IMPORTED_SUMMARY = "Imported a file into {cohort}: {created}, {invited}"
IMPORTED_SUMMARY_CREATED = Plural("{count} new trainee", "{count} new trainees")
IMPORTED_SUMMARY_INVITED = Plural(
    "{count} existing account invited", "{count} existing accounts invited"
)
ADDED_SUMMARY = Plural(
    "Added {count} new trainee to {cohort} by CSV import",
    "Added {count} new trainees to {cohort} by CSV import",
)
ERROR_NOTHING_TO_DO = (
    "Nothing to import: everyone in the file is already in the cohort or invited to it."
)


@dataclass(frozen=True)
class ImportResult:
    created: int
    invited: int
    already_members: int
    already_invited: int


def _in_chunks(ids: list[int], rows) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        found.update(
            rows.filter(user_id__in=ids[start : start + 500]).values_list("user_id", flat=True)
        )
    return found


def cohort_import_preview(*, cohort, data: bytes) -> ImportPreview:
    """Parse the file and compare it with the accounts and the cohort; save nothing."""
    parsed = parse_trainee_csv(data)
    emails = [row.email for row in parsed.rows]
    accounts = users_by_email(emails)
    id_list = sorted({pk for pks in accounts.values() for pk in pks})
    return build_preview(
        parsed,
        accounts_by_email=accounts,
        member_ids=_in_chunks(id_list, CohortMembership.objects.filter(cohort=cohort)),
        invited_ids=_in_chunks(id_list, CohortInvitation.objects.open().filter(cohort=cohort)),
        not_trainee_ids=accounts_not_trainees(id_list),
        unconfirmed_emails=emails_unconfirmed(emails),
    )


def cohort_import_trainees(
    *, cohort, actor, data: bytes, domain: str, use_https: bool
) -> ImportResult:
    """Import the file into the cohort: every row, or nothing at all.

    New addresses become trainees of the cohort with an unusable password and
    are e-mailed a set-your-password link after the commit. Existing accounts
    (matched by e-mail, ignoring case) are never duplicated nor added: they
    are invited, and join when they accept.
    """
    with transaction.atomic():
        # The preview is computed again inside the transaction: the data may
        # have changed since the manager looked at it.
        preview = cohort_import_preview(cohort=cohort, data=data)
        if preview.errors:
            raise CsvImportError(ERROR_CONFIRM_WITH_ERRORS.format(count=len(preview.errors)))
        if not preview.can_confirm:
            raise CsvImportError(ERROR_NOTHING_TO_DO)
        created = trainees_create(
            people=[(r.first_name, r.last_name, r.email) for r in preview.to_create]
        )
        added_ids = [u.pk for u in created]
        CohortMembership.objects.bulk_create(
            [CohortMembership(cohort=cohort, user_id=pk) for pk in added_ids], batch_size=500
        )
        result = ImportResult(
            created=len(created),
            invited=len(preview.to_invite),
            already_members=len(preview.already_members),
            already_invited=len(preview.already_invited),
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CSV_IMPORTED,
            target=cohort,
            summary=IMPORTED_SUMMARY.format(
                cohort=cohort.name,
                created=IMPORTED_SUMMARY_CREATED.format(count=result.created),
                invited=IMPORTED_SUMMARY_INVITED.format(count=result.invited),
            ),
            details={
                "created": result.created,
                "invited": result.invited,
                "already_members": result.already_members,
                "already_invited": result.already_invited,
            },
        )
        if added_ids:
            audit_record(
                actor=actor,
                action=AuditEvent.Action.COHORT_MEMBERSHIP_CHANGED,
                target=cohort,
                summary=ADDED_SUMMARY.format(count=len(added_ids), cohort=cohort.name),
                details={"added": added_ids, "created": added_ids},
            )
        if preview.to_invite:
            invitations_create(
                cohort=cohort,
                actor=actor,
                people=[(pk, row.email) for row, pk in preview.to_invite],
                domain=domain,
                use_https=use_https,
            )
        send_after_commit(created, cohort=cohort, domain=domain, use_https=use_https)
    return result
