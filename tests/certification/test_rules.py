"""Certification rules: status, validity, expiry and progress (pure: no django_db mark).

The status precedence is checked case by case on the shared table
tests/certification/status_cases.py, which test_rules_sql.py runs through the SQL twin.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from quizzes.certification.rules import (
    DEFAULT_EXPIRING_SOON_DAYS,
    CertificateFacts,
    LessonFacts,
    NextStep,
    ProgressStatus,
    QuizFacts,
    StepKind,
    VerificationStatus,
    add_months,
    certificate_expires_at,
    certificate_is_valid,
    expiring_soon_days,
    lesson_counts,
    progress_compute,
    status_compute,
    verification_status,
)
from tests.certification.status_cases import CASE_IDS, CASES, StatusCase

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
TODAY = NOW.date()
ISSUED = NOW - 600 * DAY


def lessons(*completed, changed=None):
    """Lessons 1..n, completed at the given moments (None = not done)."""
    changed = changed or {}
    return [
        LessonFacts(lesson_id=i, completed_at=moment, content_changed_at=changed.get(i))
        for i, moment in enumerate(completed, start=1)
    ]


def quizzes(*passed):
    return [
        QuizFacts(quiz_id=100 + i, last_passed_at=moment, last_attempt_at=moment)
        for i, moment in enumerate(passed, start=1)
    ]


def cert(*, issued=ISSUED, expires=None, revoked=False):
    return CertificateFacts(issued_at=issued, expires_at=expires, revoked=revoked)


def compute(ls, qs, certificate=None, due=None, now=NOW, **kwargs):
    return progress_compute(
        lessons=ls, quizzes=qs, certificate=certificate, due_date=due, now=now, **kwargs
    )


EARLIER = NOW - 700 * DAY
AFTER = ISSUED + 10 * DAY

STATUS_CASES = [
    # (case, lessons, quizzes, certificate, due date, expected status)
    ("nothing done", lessons(None, None), quizzes(None), None, None, "not_started"),
    ("one lesson done", lessons(EARLIER, None), quizzes(None), None, None, "in_progress"),
    (
        "only a failed attempt",
        lessons(None),
        [QuizFacts(101, None, EARLIER, 40.0)],
        None,
        None,
        "in_progress",
    ),
    ("all done, not yet issued", lessons(EARLIER), quizzes(EARLIER), None, None, "in_progress"),
    ("valid, no expiry", lessons(EARLIER), quizzes(EARLIER), cert(), None, "certified"),
    (
        "valid, expires in 31 days",
        lessons(EARLIER),
        quizzes(EARLIER),
        cert(expires=NOW + 31 * DAY),
        None,
        "certified",
    ),
    (
        "valid, expires in 30 days",
        lessons(EARLIER),
        quizzes(EARLIER),
        cert(expires=NOW + 30 * DAY),
        None,
        "expiring_soon",
    ),
    (
        "valid, expires in an hour",
        lessons(EARLIER),
        quizzes(EARLIER),
        cert(expires=NOW + timedelta(hours=1)),
        None,
        "expiring_soon",
    ),
    (
        "expired a second ago",
        lessons(EARLIER),
        quizzes(EARLIER),
        cert(expires=NOW - timedelta(seconds=1)),
        None,
        "expired",
    ),
    ("expires exactly now", lessons(EARLIER), quizzes(EARLIER), cert(expires=NOW), None, "expired"),
    # Lessons carry over into the new cycle; the quizzes must be passed again.
    ("revoked", lessons(EARLIER), quizzes(EARLIER), cert(revoked=True), None, "in_progress"),
    (
        "revoked, nothing carries over",
        [],
        quizzes(EARLIER),
        cert(revoked=True),
        None,
        "not_started",
    ),
    (
        "revoked, renewal started",
        lessons(EARLIER),
        quizzes(AFTER),
        cert(revoked=True),
        None,
        "in_progress",
    ),
    (
        "revoked, due date passed",
        lessons(EARLIER),
        quizzes(EARLIER),
        cert(revoked=True),
        TODAY - DAY,
        "overdue",
    ),
    ("due today is not overdue", lessons(None), quizzes(None), None, TODAY, "not_started"),
    ("due yesterday, nothing done", lessons(None), quizzes(None), None, TODAY - DAY, "overdue"),
    ("due yesterday, half done", lessons(EARLIER), quizzes(None), None, TODAY - DAY, "overdue"),
    (
        "due yesterday, certified",
        lessons(EARLIER),
        quizzes(EARLIER),
        cert(),
        TODAY - DAY,
        "certified",
    ),
    (
        "due yesterday, expiring soon",
        lessons(EARLIER),
        quizzes(EARLIER),
        cert(expires=NOW + 5 * DAY),
        TODAY - DAY,
        "expiring_soon",
    ),
    (
        "met the due date, lapsed since",
        lessons(EARLIER),
        quizzes(EARLIER),
        cert(issued=NOW - 800 * DAY, expires=NOW - 70 * DAY),
        TODAY - 100 * DAY,
        "expired",
    ),
    (
        "lapsed before a renewal due date that passed",
        lessons(EARLIER),
        quizzes(EARLIER),
        cert(issued=NOW - 800 * DAY, expires=NOW - 70 * DAY),
        TODAY - DAY,
        "overdue",
    ),
    (
        "lapsed, renewal due in the future",
        lessons(EARLIER),
        quizzes(EARLIER),
        cert(issued=NOW - 800 * DAY, expires=NOW - 70 * DAY),
        TODAY + 10 * DAY,
        "expired",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_status_case(case: StatusCase):
    status = status_compute(
        certificate=case.certificate,
        due_date=case.due_date,
        now=case.now,
        today=case.today,
        expiring_soon_days=case.expiring_soon_days,
        started=case.started,
    )
    assert status == case.expected


def test_status_cases_cover_every_status():
    assert {case.expected for case in CASES} == set(ProgressStatus)


@pytest.mark.parametrize(
    ("ls", "qs", "certificate", "due", "expected"),
    [case[1:] for case in STATUS_CASES],
    ids=[case[0] for case in STATUS_CASES],
)
def test_status(ls, qs, certificate, due, expected):
    assert compute(ls, qs, certificate, due).status == ProgressStatus(expected)


def test_expiring_soon_window_is_configurable():
    certificate = cert(expires=NOW + 45 * DAY)
    ls, qs = lessons(EARLIER), quizzes(EARLIER)
    assert compute(ls, qs, certificate).status == ProgressStatus.CERTIFIED
    assert (
        compute(ls, qs, certificate, expiring_soon_days=60).status == ProgressStatus.EXPIRING_SOON
    )


def test_clock_moves_a_certificate_through_its_life():
    certificate = cert(issued=NOW, expires=add_months(NOW, 24))
    ls, qs = lessons(NOW - DAY), quizzes(NOW)
    by_day = {
        days: compute(ls, qs, certificate, now=NOW + days * DAY).status
        for days in (0, 600, 705, 731, 800)
    }
    assert by_day == {
        0: ProgressStatus.CERTIFIED,
        600: ProgressStatus.CERTIFIED,
        705: ProgressStatus.EXPIRING_SOON,
        731: ProgressStatus.EXPIRED,
        800: ProgressStatus.EXPIRED,
    }


def test_counts_and_percent_before_any_certificate():
    progress = compute(lessons(EARLIER, EARLIER, None), quizzes(EARLIER, None))
    assert (progress.lessons_done, progress.lessons_required) == (2, 3)
    assert (progress.quizzes_passed, progress.quizzes_required) == (1, 2)
    assert progress.percent == 60
    assert progress.is_complete is False


def test_percent_rounds_down():
    progress = compute(lessons(EARLIER, None, None), [])
    assert progress.percent == 33


def test_no_requirements_is_never_complete():
    progress = compute([], [])
    assert progress.percent == 0
    assert progress.is_complete is False
    assert progress.next_step is None


def test_everything_done_is_complete_with_no_next_step():
    progress = compute(lessons(EARLIER), quizzes(EARLIER))
    assert progress.is_complete is True
    assert progress.percent == 100
    assert progress.next_step is None


def test_next_step_is_first_lesson_not_done():
    progress = compute(lessons(EARLIER, None, None), quizzes(None))
    assert progress.next_step == NextStep(StepKind.LESSON, 2)


def test_next_step_is_first_quiz_not_passed_once_lessons_are_done():
    progress = compute(lessons(EARLIER), quizzes(EARLIER, None, None))
    assert progress.next_step == NextStep(StepKind.QUIZ, 102)


def test_certified_has_no_next_step_and_full_percent():
    progress = compute(lessons(EARLIER), quizzes(EARLIER), cert())
    assert progress.next_step is None
    assert progress.percent == 100
    assert progress.holds_valid_certificate is True
    assert progress.can_renew is False


# Renewal: only activity after the latest certificate's issue counts.


def test_renewal_requires_quizzes_passed_again():
    certificate = cert(expires=NOW + 10 * DAY)
    progress = compute(lessons(EARLIER), quizzes(ISSUED - DAY, ISSUED), certificate)
    assert progress.status == ProgressStatus.EXPIRING_SOON
    assert progress.can_renew is True
    assert progress.quizzes_passed == 0
    assert progress.lessons_done == 1
    assert progress.cycle_percent == 33
    assert progress.percent == 100  # still holds a valid certificate
    assert progress.next_step == NextStep(StepKind.QUIZ, 101)


def test_renewal_counts_quizzes_passed_after_the_certificate():
    certificate = cert(expires=NOW - DAY)
    progress = compute(lessons(EARLIER), quizzes(AFTER, ISSUED + timedelta(seconds=1)), certificate)
    assert progress.status == ProgressStatus.EXPIRED
    assert progress.quizzes_passed == 2
    assert progress.is_complete is True
    assert progress.next_step is None


def test_renewal_keeps_unchanged_lessons_done():
    certificate = cert(expires=NOW - DAY)
    progress = compute(lessons(EARLIER, EARLIER), quizzes(None), certificate)
    assert progress.lessons_done == 2


def test_renewal_requires_changed_lessons_read_again():
    certificate = cert(expires=NOW - DAY)
    changed = {2: ISSUED + 5 * DAY}
    progress = compute(lessons(EARLIER, EARLIER, changed=changed), quizzes(AFTER), certificate)
    assert progress.lessons_done == 1
    assert progress.next_step == NextStep(StepKind.LESSON, 2)


def test_renewal_accepts_a_changed_lesson_read_after_the_change():
    certificate = cert(expires=NOW - DAY)
    changed = {1: ISSUED + 5 * DAY}
    progress = compute(lessons(ISSUED + 6 * DAY, changed=changed), quizzes(AFTER), certificate)
    assert progress.lessons_done == 1
    assert progress.is_complete is True


def test_change_before_the_certificate_does_not_require_a_reread():
    certificate = cert(expires=NOW - DAY)
    changed = {1: ISSUED - DAY}
    progress = compute(lessons(EARLIER, changed=changed), quizzes(AFTER), certificate)
    assert progress.is_complete is True


@pytest.mark.parametrize(
    ("completed", "changed", "cycle", "expected"),
    [
        (None, None, None, False),
        (EARLIER, None, None, True),
        (EARLIER, NOW, None, True),  # first cycle: any completion counts
        (EARLIER, None, ISSUED, True),
        (EARLIER, ISSUED, ISSUED, True),  # changed exactly at the issue: not after it
        (EARLIER, AFTER, ISSUED, False),
        (AFTER, AFTER, ISSUED, True),
        (AFTER + DAY, AFTER, ISSUED, True),
    ],
)
def test_lesson_counts(completed, changed, cycle, expected):
    facts = LessonFacts(lesson_id=1, completed_at=completed, content_changed_at=changed)
    assert lesson_counts(facts, cycle_started_at=cycle) is expected


def test_failed_attempt_after_certificate_starts_renewal_but_counts_nothing():
    certificate = cert(expires=NOW - DAY, revoked=True)
    facts = [QuizFacts(quiz_id=101, last_passed_at=ISSUED - DAY, last_attempt_at=AFTER)]
    progress = compute([], facts, certificate)
    assert progress.status == ProgressStatus.IN_PROGRESS
    assert progress.quizzes_passed == 0


def test_last_activity_is_the_latest_completion_or_attempt():
    progress = compute(lessons(EARLIER, AFTER), quizzes(ISSUED))
    assert progress.last_activity_at == AFTER


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime(2026, 1, 31, 9, tzinfo=UTC), 1, datetime(2026, 2, 28, 9, tzinfo=UTC)),
        (datetime(2026, 11, 26, 9, tzinfo=UTC), 24, datetime(2028, 11, 26, 9, tzinfo=UTC)),
        (datetime(2028, 2, 29, 9, tzinfo=UTC), 12, datetime(2029, 2, 28, 9, tzinfo=UTC)),
        (datetime(2026, 12, 15, 9, tzinfo=UTC), 1, datetime(2027, 1, 15, 9, tzinfo=UTC)),
        (datetime(2026, 5, 31, 9, tzinfo=UTC), 6, datetime(2026, 11, 30, 9, tzinfo=UTC)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


def test_due_date_uses_the_given_local_date():
    # 23:30 UTC on the due date is already the next day in a UTC+1 zone.
    now = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
    progress = progress_compute(
        lessons=lessons(None),
        quizzes=[],
        certificate=None,
        due_date=date(2026, 11, 26),
        now=now,
        today=date(2026, 11, 27),
    )
    assert progress.status == ProgressStatus.OVERDUE


@pytest.mark.parametrize(
    ("validity_months", "expected"),
    [
        (None, None),
        (0, None),
        (12, datetime(2027, 11, 26, 12, 0, tzinfo=UTC)),
        (3, datetime(2027, 2, 26, 12, 0, tzinfo=UTC)),
    ],
)
def test_certificate_expires_at(validity_months, expected):
    assert certificate_expires_at(issued_at=NOW, validity_months=validity_months) == expected


@pytest.mark.parametrize(
    ("expires_at", "revoked", "valid", "verdict"),
    [
        (None, False, True, VerificationStatus.VALID),
        (NOW + timedelta(seconds=1), False, True, VerificationStatus.VALID),
        (NOW, False, False, VerificationStatus.EXPIRED),
        (NOW - DAY, False, False, VerificationStatus.EXPIRED),
        (None, True, False, VerificationStatus.REVOKED),
        (NOW - DAY, True, False, VerificationStatus.REVOKED),
    ],
)
def test_validity_and_verification_share_one_rule(expires_at, revoked, valid, verdict):
    assert certificate_is_valid(expires_at=expires_at, revoked=revoked, now=NOW) is valid
    facts = CertificateFacts(issued_at=ISSUED, expires_at=expires_at, revoked=revoked)
    assert facts.is_valid(NOW) is valid
    assert verification_status(expires_at=expires_at, revoked=revoked, now=NOW) == verdict


def test_expiring_soon_window_reads_the_setting(settings):
    assert not hasattr(settings, "CERTIFICATION_EXPIRING_SOON_DAYS")
    assert expiring_soon_days() == DEFAULT_EXPIRING_SOON_DAYS
    settings.CERTIFICATION_EXPIRING_SOON_DAYS = "45"
    assert expiring_soon_days() == 45
