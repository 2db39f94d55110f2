"""Parsing and previewing a trainee CSV (no database), then importing it (all or nothing)."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from quizzes.cohorts.csv_import import (
    ERROR_CONFIRM_WITH_ERRORS,
    ERROR_EMPTY,
    ERROR_ENCODING,
    ERROR_HEADER,
    ERROR_NO_ROWS,
    ERROR_NOTHING_TO_DO,
    ERROR_TOO_LARGE,
    ERROR_TOO_MANY_ROWS,
    MAX_BYTES,
    MAX_ROWS,
    ROW_ERROR_AMBIGUOUS,
    ROW_ERROR_DUPLICATE,
    ROW_ERROR_EMAIL_INVALID,
    ROW_ERROR_EMAIL_MISSING,
    ROW_ERROR_NAME_MISSING,
    ROW_ERROR_NOT_TRAINEE,
    ROW_ERROR_UNCONFIRMED,
    CsvImportError,
    CsvRow,
    ImportResult,
    RowError,
    build_preview,
    cohort_import_preview,
    cohort_import_trainees,
    parse_trainee_csv,
)
from quizzes.models import CohortMembership
from quizzes.models.cohorts import CohortInvitation
from tests.builders import make_cohort, make_educator
from tests.builders.cohorts import make_signup
from trainingsite.models import AuditEvent

User = get_user_model()
COHORT_ACTIONS = [
    AuditEvent.Action.CSV_IMPORTED,
    AuditEvent.Action.COHORT_MEMBERSHIP_CHANGED,
    AuditEvent.Action.COHORT_INVITATION_SENT,
]
SITE = {"domain": "training.example.org", "use_https": True}


def test_name_and_email_columns_with_bom_and_any_case():
    parsed = parse_trainee_csv("\ufeffName,E-Mail\nAnn Lee,ann@example.com\n".encode())
    assert parsed.rows == (
        CsvRow(line=2, first_name="Ann", last_name="Lee", email="ann@example.com"),
    )
    assert parsed.errors == ()


def test_first_and_last_name_columns_in_any_order_and_semicolons():
    data = b"EMAIL;Last_Name;First_Name\nbo@example.com;Berg;Bo\n"
    parsed = parse_trainee_csv(data)
    assert parsed.rows == (
        CsvRow(line=2, first_name="Bo", last_name="Berg", email="bo@example.com"),
    )


def test_quoted_names_with_commas_and_extra_spaces():
    parsed = parse_trainee_csv(b'name,email\n"Ann  Marie   Lee", ann@example.com \n')
    assert parsed.rows[0].first_name == "Ann"
    assert parsed.rows[0].last_name == "Marie Lee"
    assert parsed.rows[0].email == "ann@example.com"


def test_bad_rows_get_their_line_numbers_and_good_rows_are_kept():
    data = (
        b"name,email\n"
        b"Ann Lee,ann@example.com\n"
        b"\n"
        b"No Mail,\n"
        b"Bad Mail,not-an-address\n"
        b",nameless@example.com\n"
        b"Ann Again,ANN@example.com\n"
        b"Cy Doe,cy@example.com\n"
    )
    parsed = parse_trainee_csv(data)
    assert [r.email for r in parsed.rows] == ["ann@example.com", "cy@example.com"]
    assert [(e.line, e.message) for e in parsed.errors] == [
        (4, ROW_ERROR_EMAIL_MISSING),
        (5, ROW_ERROR_EMAIL_INVALID.format(email="not-an-address")),
        (6, ROW_ERROR_NAME_MISSING),
        (7, ROW_ERROR_DUPLICATE.format(email="ANN@example.com", line=2)),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", ERROR_EMPTY),
        (b"\xef\xbb\xbf \n\n", ERROR_EMPTY),
        ("name,email\nJosé,jose@example.com\n".encode("latin-1"), ERROR_ENCODING),
        ("name,email\n".encode("utf-16"), ERROR_ENCODING),
        (b"name,email\n\n", ERROR_NO_ROWS),
        (b"a" * (MAX_BYTES + 1), ERROR_TOO_LARGE),
    ],
)
def test_file_level_errors(data, message):
    with pytest.raises(CsvImportError) as exc:
        parse_trainee_csv(data)
    assert str(exc.value) == message


def test_missing_header_names_what_it_found():
    with pytest.raises(CsvImportError) as exc:
        parse_trainee_csv(b"Ann Lee,ann@example.com\n")
    assert str(exc.value) == ERROR_HEADER.format(found="'Ann Lee', 'ann@example.com'")


def test_too_many_rows():
    data = b"name,email\n" + b"".join(
        f"T {i},t{i}@example.com\n".encode() for i in range(MAX_ROWS + 1)
    )
    with pytest.raises(CsvImportError) as exc:
        parse_trainee_csv(data)
    assert str(exc.value) == ERROR_TOO_MANY_ROWS


def test_preview_sorts_rows_into_create_invite_and_no_change():
    parsed = parse_trainee_csv(
        b"name,email\nNew One,new@example.com\nOld Hand,OLD@example.com\n"
        b"In Cohort,in@example.com\nTwin,twin@example.com\nBad,bad\n"
        b"Asked Already,asked@example.com\nEd Staff,ed@example.com\nSquat,squat@example.com\n"
    )
    preview = build_preview(
        parsed,
        accounts_by_email={
            "old@example.com": [7],
            "in@example.com": [8],
            "twin@example.com": [9, 10],
            "asked@example.com": [11],
            "ed@example.com": [12],
        },
        member_ids={8},
        invited_ids={11},
        not_trainee_ids={12},
        unconfirmed_emails={"squat@example.com"},
    )
    assert [r.email for r in preview.to_create] == ["new@example.com"]
    assert [(r.email, uid) for r, uid in preview.to_invite] == [("OLD@example.com", 7)]
    assert [(r.email, uid) for r, uid in preview.already_members] == [("in@example.com", 8)]
    assert [(r.email, uid) for r, uid in preview.already_invited] == [("asked@example.com", 11)]
    assert preview.errors == (
        RowError(
            line=5,
            message=ROW_ERROR_AMBIGUOUS.format(email="twin@example.com"),
            email="twin@example.com",
        ),
        RowError(line=6, message=ROW_ERROR_EMAIL_INVALID.format(email="bad"), email="bad"),
        RowError(
            line=8,
            message=ROW_ERROR_NOT_TRAINEE.format(email="ed@example.com"),
            email="ed@example.com",
        ),
        RowError(
            line=9,
            message=ROW_ERROR_UNCONFIRMED.format(email="squat@example.com"),
            email="squat@example.com",
        ),
    )
    assert preview.can_confirm is False


def test_preview_without_errors_can_be_confirmed():
    parsed = parse_trainee_csv(b"name,email\nNew One,new@example.com\n")
    preview = build_preview(parsed, accounts_by_email={}, member_ids=set())
    assert preview.can_confirm is True


# --- Importing: all rows or none --------------------------------------------------------------


@pytest.mark.django_db
def test_import_creates_new_invites_existing_and_skips_members(
    manager, trainee, other_trainee, django_capture_on_commit_callbacks
):
    cohort = make_cohort(managers=[manager], trainees=[other_trainee])
    data = (
        "name,email\n"
        "New Person,new@example.com\n"
        f"Tara Trainee,{trainee.email.upper()}\n"
        f"Otto Other,{other_trainee.email}\n"
    ).encode()
    preview = cohort_import_preview(cohort=cohort, data=data)
    assert [r.email for r in preview.to_create] == ["new@example.com"]
    assert User.objects.count() == 3  # the preview saved nothing
    with django_capture_on_commit_callbacks(execute=True):
        result = cohort_import_trainees(cohort=cohort, actor=manager, data=data, **SITE)
    assert result == ImportResult(created=1, invited=1, already_members=1, already_invited=0)
    assert User.objects.filter(email__iexact=trainee.email).count() == 1
    # The existing account is invited, not added: the manager does not see it yet.
    assert set(cohort.trainees.values_list("email", flat=True)) == {
        "new@example.com",
        other_trainee.email,
    }
    invitation = CohortInvitation.objects.get()
    assert (invitation.user, invitation.email, invitation.invited_by) == (
        trainee,
        trainee.email.upper(),
        manager,
    )
    assert sorted(m.to[0] for m in mail.outbox) == ["new@example.com", trainee.email]
    invite_mail = next(m for m in mail.outbox if m.to == [trainee.email])
    assert "/reports/invitations/" in invite_mail.body
    assert AuditEvent.objects.filter(action__in=COHORT_ACTIONS).count() == 3
    # Importing the same file again: the invitation is open, nothing new to do.
    again = cohort_import_preview(cohort=cohort, data=data)
    assert [(r.email, uid) for r, uid in again.already_invited] == [
        (trainee.email.upper(), trainee.pk)
    ]
    assert again.to_invite == ()


@pytest.mark.django_db
def test_import_with_a_bad_row_saves_nothing(manager, django_capture_on_commit_callbacks):
    cohort = make_cohort(managers=[manager])
    data = b"name,email\nGood One,good@example.com\nBad One,not-an-email\n"
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CsvImportError) as exc:
        cohort_import_trainees(cohort=cohort, actor=manager, data=data, **SITE)
    assert str(exc.value) == ERROR_CONFIRM_WITH_ERRORS.format(count=1)
    assert User.objects.filter(email="good@example.com").exists() is False
    assert CohortMembership.objects.count() == 0
    assert AuditEvent.objects.filter(action__in=COHORT_ACTIONS).count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_import_with_duplicate_emails_saves_nothing(manager):
    cohort = make_cohort(managers=[manager])
    data = b"name,email\nAnn,ann@example.com\nAnn Again,ANN@example.com\n"
    with pytest.raises(CsvImportError) as exc:
        cohort_import_trainees(cohort=cohort, actor=manager, data=data, **SITE)
    assert str(exc.value) == ERROR_CONFIRM_WITH_ERRORS.format(count=1)
    assert User.objects.filter(email__iexact="ann@example.com").exists() is False


@pytest.mark.django_db
def test_import_of_wrong_encoding_saves_nothing(manager):
    cohort = make_cohort(managers=[manager])
    with pytest.raises(CsvImportError) as exc:
        cohort_import_trainees(
            cohort=cohort,
            actor=manager,
            data="name,email\nJosé,j@example.com\n".encode("cp1252"),
            **SITE,
        )
    assert str(exc.value) == ERROR_ENCODING
    assert CohortMembership.objects.count() == 0


@pytest.mark.django_db
def test_import_of_members_only_has_nothing_to_do(manager, trainee):
    cohort = make_cohort(managers=[manager], trainees=[trainee])
    with pytest.raises(CsvImportError) as exc:
        cohort_import_trainees(
            cohort=cohort, actor=manager, data=f"name,email\nT,{trainee.email}\n".encode(), **SITE
        )
    assert str(exc.value) == ERROR_NOTHING_TO_DO


@pytest.mark.django_db
def test_import_refuses_staff_accounts_and_unconfirmed_sign_ups_and_saves_nothing(manager):
    cohort = make_cohort(managers=[manager])
    educator = make_educator(username="ed")
    make_signup(email="squat@example.com")
    data = (
        f"name,email\nNew Person,new@example.com\nEd U,{educator.email}\n"
        "Squat Ter,Squat@Example.com\n"
    ).encode()
    preview = cohort_import_preview(cohort=cohort, data=data)
    assert [e.message for e in preview.errors] == [
        ROW_ERROR_NOT_TRAINEE.format(email=educator.email),
        ROW_ERROR_UNCONFIRMED.format(email="Squat@Example.com"),
    ]
    users_before = User.objects.count()
    with pytest.raises(CsvImportError) as exc:
        cohort_import_trainees(cohort=cohort, actor=manager, data=data, **SITE)
    assert str(exc.value) == ERROR_CONFIRM_WITH_ERRORS.format(count=2)
    assert User.objects.count() == users_before  # no duplicate of the unconfirmed sign-up
    assert CohortInvitation.objects.exists() is False
    assert cohort.trainees.exists() is False


@pytest.mark.django_db
def test_import_matches_a_confirmed_sign_up_and_invites_it(manager):
    cohort = make_cohort(managers=[manager])
    user, _ = make_signup(email="joined@example.com", confirmed=True)
    preview = cohort_import_preview(cohort=cohort, data=b"name,email\nJo Ined,joined@example.com\n")
    assert [(r.email, uid) for r, uid in preview.to_invite] == [("joined@example.com", user.pk)]
    assert preview.errors == ()


@pytest.mark.django_db
def test_import_by_a_superuser_also_invites_existing_accounts(superuser, trainee):
    cohort = make_cohort()
    result = cohort_import_trainees(
        cohort=cohort, actor=superuser, data=f"name,email\nT T,{trainee.email}\n".encode(), **SITE
    )
    assert (result.created, result.invited) == (0, 1)
    assert cohort.trainees.exists() is False
