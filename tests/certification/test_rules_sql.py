"""The SQL status (quizzes.certification.rules_sql) equals the pure rules, case by case.

Every case of the shared table tests/certification/status_cases.py (the one
test_rules.py runs through the pure rules) is built in the database and read
back through the SQL; a whole world of trainees is then compared pair by pair.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model

from lessons.models import Lesson
from quizzes.certification.renewal_rules import window_first_day
from quizzes.certification.rules import ProgressStatus
from quizzes.certification.rules_sql import (
    cohort_pairs,
    individual_pairs,
    pair_statuses,
)
from quizzes.certification.selectors import programs_progress_bulk
from quizzes.models import Cohort, CohortMembership
from tests.builders import (
    assign,
    assign_to_cohort,
    complete_lesson,
    graded_attempt,
    make_certificate,
    make_cohort,
    make_program,
    make_review_program,
    make_trainee,
    retention_days,
)
from tests.certification.status_cases import CASE_IDS, CASES, StatusCase

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def at(year, month, day):
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


@pytest.fixture
def world():
    """Three cohorts (due in the future, past, none) and one trainee per case.

    Returns the program and {case: (trainee, expected status)}.
    """
    # It offers renewal by review; one trainee has the stored days that qualify.
    program = make_review_program(slug="sqlworld", lessons=2, quizzes=2, validity_months=12)
    first_lesson, second_lesson = program.required_lessons.order_by("order")
    first_quiz, _ = program.required_quizzes.order_by("order")
    future = make_cohort(name="Future")
    past = make_cohort(name="Past")
    open_ended = make_cohort(name="Open")
    assign_to_cohort(future, program, date(2026, 12, 31))
    assign_to_cohort(past, program, date(2026, 11, 1))
    assign_to_cohort(open_ended, program, None)
    S = ProgressStatus
    cases = {}

    def trainee(case, cohorts, expected):
        user = make_trainee(username=case)
        for cohort in cohorts:
            CohortMembership.objects.create(cohort=cohort, user=user)
        cases[case] = (user, expected)
        return user

    trainee("nothing", [future], S.NOT_STARTED)
    complete_lesson(trainee("one_lesson", [future], S.IN_PROGRESS), first_lesson, at(2026, 10, 1))
    graded_attempt(
        trainee("failed_attempt", [future], S.IN_PROGRESS),
        first_quiz,
        passed=False,
        at=at(2026, 10, 2),
    )
    make_certificate(
        trainee("certified", [future], S.CERTIFIED),
        program,
        issued_at=at(2026, 6, 1),
        expires_at=at(2027, 6, 1),
    )
    make_certificate(
        trainee("certified_forever", [past], S.CERTIFIED),
        program,
        issued_at=at(2020, 1, 1),
        expires_at=None,
    )
    make_certificate(
        trainee("expiring", [future], S.EXPIRING_SOON),
        program,
        issued_at=at(2025, 12, 10),
        expires_at=at(2026, 12, 10),
    )
    make_certificate(
        trainee("expired_no_due", [open_ended], S.EXPIRED),
        program,
        issued_at=at(2025, 10, 1),
        expires_at=at(2026, 10, 1),
    )
    # Valid on the due date (1 November), lapsed after: renew, not catch up.
    make_certificate(
        trainee("expired_met_due", [past], S.EXPIRED),
        program,
        issued_at=at(2025, 11, 10),
        expires_at=at(2026, 11, 10),
    )
    # Lapsed before the due date: overdue.
    make_certificate(
        trainee("lapsed_missed_due", [past], S.OVERDUE),
        program,
        issued_at=at(2025, 6, 1),
        expires_at=at(2026, 6, 1),
    )
    trainee("cohort_overdue", [past], S.OVERDUE)
    # In two cohorts: the earliest due date (the past one) wins.
    trainee("two_cohorts", [future, past], S.OVERDUE)
    # A later individual date does not beat the cohort's earlier one.
    assign(trainee("later_individual", [past], S.OVERDUE), program, date(2027, 1, 1))
    # An earlier individual date beats the cohort's later one.
    assign(trainee("earlier_individual", [future], S.OVERDUE), program, date(2026, 11, 20))
    # Assigned individually only, no cohort.
    assign(trainee("individual_only", [], S.NOT_STARTED), program, None)
    # A revoked certificate ends its cycle; lessons done before still count...
    revoked = trainee("revoked_lesson_counts", [future], S.IN_PROGRESS)
    complete_lesson(revoked, first_lesson, at(2026, 8, 1))
    make_certificate(revoked, program, issued_at=at(2026, 9, 1), revoked=True)
    # ...unless the lesson changed after the cycle began.
    changed = trainee("revoked_lesson_changed", [future], S.NOT_STARTED)
    complete_lesson(changed, second_lesson, at(2026, 8, 1))
    make_certificate(changed, program, issued_at=at(2026, 9, 1), revoked=True)
    # Without a certificate, a lesson completed before its change still counts.
    complete_lesson(
        trainee("stale_no_certificate", [future], S.IN_PROGRESS), second_lesson, at(2026, 8, 2)
    )
    # An attempt after the cycle began counts; one before it does not.
    renewing = trainee("revoked_new_attempt", [open_ended], S.IN_PROGRESS)
    make_certificate(renewing, program, issued_at=at(2026, 9, 1), revoked=True)
    graded_attempt(renewing, first_quiz, passed=False, at=at(2026, 9, 5))
    before = trainee("revoked_old_attempt", [open_ended], S.NOT_STARTED)
    graded_attempt(before, first_quiz, passed=True, at=at(2026, 8, 5))
    make_certificate(before, program, issued_at=at(2026, 9, 1), revoked=True)
    by_review = trainee("expiring_by_review", [future], S.EXPIRING_SOON)
    make_certificate(by_review, program, issued_at=at(2025, 12, 10), expires_at=at(2026, 12, 10))
    retention_days(by_review, first_on=window_first_day(NOW.date()), last_on=NOW.date())
    graded_attempt(by_review, program.renewal_quiz, passed=False, at=at(2026, 11, 20))
    Lesson.objects.filter(pk=second_lesson.pk).update(content_changed_at=at(2026, 10, 1))
    return program, cases


def _build(case: StatusCase):
    """One trainee assigned one program, with the case's certificate, due date and activity.

    Started means a lesson completed (no certificate) or a failed graded
    attempt after the certificate's issue (a new cycle). A renewal attempt is a failed
    attempt at the renewal quiz of a program offering renewal by review, with six
    months of stored days above the threshold.
    """
    if case.renewal_attempt:
        program = make_review_program(slug="case", lessons=1, quizzes=1, validity_months=12)
    else:
        program = make_program(slug="case", lessons=1, quizzes=1, validity_months=12)
    user = make_trainee(username="case")
    assign(user, program, case.due_date)
    certificate = case.certificate
    if certificate is not None:
        made = make_certificate(
            user,
            program,
            issued_at=certificate.issued_at,
            expires_at=certificate.expires_at,
            revoked=certificate.revoked,
        )
        assert made.is_revoked is certificate.revoked
    if case.started and certificate is None:
        complete_lesson(user, program.required_lessons.get(), case.now - timedelta(days=1))
    elif case.started:
        quiz = program.required_quizzes.get()
        graded_attempt(user, quiz, passed=False, at=certificate.issued_at + timedelta(hours=1))
    if case.renewal_attempt:
        retention_days(user, first_on=window_first_day(case.today), last_on=case.today)
        since = certificate.issued_at if certificate is not None else case.now - timedelta(days=2)
        graded_attempt(user, program.renewal_quiz, passed=False, at=since + timedelta(hours=1))
    return program, user


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_sql_status_case(case: StatusCase, settings):
    program, user = _build(case)
    base = individual_pairs(users=get_user_model().objects.filter(pk=user.pk))
    (row,) = pair_statuses(base, now=case.now, expiring_soon_days=case.expiring_soon_days)
    assert (row.user_id, row.program_id, row.due_date) == (user.pk, program.pk, case.due_date)
    assert row.status == case.expected
    # The facts the selectors gather for the pure rules lead to the same status.
    settings.CERTIFICATION_EXPIRING_SOON_DAYS = case.expiring_soon_days
    pure = programs_progress_bulk(users=[user], programs=[program], now=case.now)
    assert pure[(user.pk, program.pk)].progress.status == case.expected


def _all_pairs():
    """Both bases: cohort memberships times cohort programs, and individual assignments."""
    return [
        cohort_pairs(cohorts=Cohort.objects.all()),
        individual_pairs(users=get_user_model().objects.all()),
    ]


def test_sql_status_equals_the_pure_rules_for_every_case(world):
    program, cases = world
    pure = programs_progress_bulk(users=get_user_model().objects.all(), programs=[program], now=NOW)
    rows = [row for base in _all_pairs() for row in pair_statuses(base, now=NOW)]
    seen = {(row.user_id, row.program_id) for row in rows}
    for row in rows:
        item = pure[(row.user_id, row.program_id)]
        assert row.status == item.progress.status, row
        assert row.due_date == item.assignment.due_date, row
    for case, (user, expected) in cases.items():
        assert (user.pk, program.pk) in seen, case
        assert pure[(user.pk, program.pk)].progress.status == expected, case
    by_review = {
        user.username
        for user, _ in cases.values()
        if pure[(user.pk, program.pk)].progress.renewal_quiz_id == program.renewal_quiz_id
    }
    assert by_review == {"expiring_by_review"}
    assert {expected for _, expected in cases.values()} == set(ProgressStatus)


def test_sql_status_filter_and_activity(world):
    program, cases = world
    base = cohort_pairs(cohorts=Cohort.objects.all())
    overdue = pair_statuses(base, status=ProgressStatus.OVERDUE, now=NOW, with_activity=True)
    assert {r.status for r in overdue} == {ProgressStatus.OVERDUE}
    by_user = {r.user_id: r for r in pair_statuses(base, now=NOW, with_activity=True)}
    one_lesson = by_user[cases["one_lesson"][0].pk]
    assert one_lesson.last_activity_at == at(2026, 10, 1)
    assert by_user[cases["nothing"][0].pk].last_activity_at is None
    assert by_user[cases["earlier_individual"][0].pk].due_date == date(2026, 11, 20)
