"""Parsing and previewing a trainee CSV (no database)."""

import pytest

from quizzes.cohorts.csv_import import (
    ERROR_EMPTY,
    ERROR_ENCODING,
    ERROR_HEADER,
    ERROR_NO_ROWS,
    ERROR_TOO_LARGE,
    ERROR_TOO_MANY_ROWS,
    MAX_BYTES,
    MAX_ROWS,
    ROW_ERROR_AMBIGUOUS,
    ROW_ERROR_DUPLICATE,
    ROW_ERROR_EMAIL_INVALID,
    ROW_ERROR_EMAIL_MISSING,
    ROW_ERROR_NAME_MISSING,
    CsvImportError,
    CsvRow,
    RowError,
    build_preview,
    parse_trainee_csv,
)


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


def test_preview_sorts_rows_into_create_add_and_already_members():
    parsed = parse_trainee_csv(
        b"name,email\nNew One,new@example.com\nOld Hand,OLD@example.com\n"
        b"In Cohort,in@example.com\nTwin,twin@example.com\nBad,bad\n"
    )
    preview = build_preview(
        parsed,
        accounts_by_email={
            "old@example.com": [7],
            "in@example.com": [8],
            "twin@example.com": [9, 10],
        },
        member_ids={8},
    )
    assert [r.email for r in preview.to_create] == ["new@example.com"]
    assert [(r.email, uid) for r, uid in preview.to_add] == [("OLD@example.com", 7)]
    assert [(r.email, uid) for r, uid in preview.already_members] == [("in@example.com", 8)]
    assert preview.errors == (
        RowError(line=5, message=ROW_ERROR_AMBIGUOUS.format(email="twin@example.com")),
        RowError(line=6, message=ROW_ERROR_EMAIL_INVALID.format(email="bad"), email="bad"),
    )
    assert preview.can_confirm is False


def test_preview_without_errors_can_be_confirmed():
    parsed = parse_trainee_csv(b"name,email\nNew One,new@example.com\n")
    preview = build_preview(parsed, accounts_by_email={}, member_ids=set())
    assert preview.can_confirm is True
