"""Cohort messages and audit summaries in singular and plural forms (never "(s)")."""

from quizzes.cohorts.csv_import import (
    ADDED_SUMMARY,
    ERROR_CONFIRM_WITH_ERRORS,
    IMPORTED_SUMMARY_CREATED,
    IMPORTED_SUMMARY_INVITED,
)
from quizzes.cohorts.services import INVITED_SUMMARY
from quizzes.cohorts.views import imported_message


def test_rows_with_errors_agree_with_the_count():
    assert ERROR_CONFIRM_WITH_ERRORS.format(count=1) == (
        "Nothing was imported: 1 row has errors. Fix it and upload the file again."
    )
    assert ERROR_CONFIRM_WITH_ERRORS.format(count=2) == (
        "Nothing was imported: 2 rows have errors. Fix them and upload the file again."
    )


def test_import_message_agrees_with_each_count():
    assert imported_message(created=1, invited=1, already=0) == (
        "Imported: 1 new trainee e-mailed a set-your-password link, 1 invitation sent to an "
        "existing account, 0 already in the cohort or invited."
    )
    assert imported_message(created=2, invited=0, already=3) == (
        "Imported: 2 new trainees e-mailed a set-your-password link, 0 invitations sent to "
        "existing accounts, 3 already in the cohort or invited."
    )


def test_audit_summaries_agree_with_the_count():
    assert INVITED_SUMMARY.format(count=1, cohort="A") == "Invited 1 existing account to A"
    assert INVITED_SUMMARY.format(count=2, cohort="A") == "Invited 2 existing accounts to A"
    assert ADDED_SUMMARY.format(count=1, cohort="A") == "Added 1 new trainee to A by CSV import"
    assert ADDED_SUMMARY.format(count=5, cohort="A") == "Added 5 new trainees to A by CSV import"
    assert IMPORTED_SUMMARY_CREATED.format(count=1) == "1 new trainee"
    assert IMPORTED_SUMMARY_INVITED.format(count=2) == "2 existing accounts invited"
