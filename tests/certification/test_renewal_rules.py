"""Renewal by review, the pure rules: who qualifies, and what qualifying changes (no django_db).

The shared status table (status_cases.py) is run here through progress_compute with the
renewal quiz's facts, as test_rules_sql.py runs it through the SQL and the selectors.
"""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from quizzes.certification.renewal_rules import (
    RENEWAL_QUIZ_NOT_EXAM,
    RENEWAL_QUIZ_NOT_PUBLISHED,
    RENEWAL_QUIZ_REQUIRED,
    RetentionSpan,
    days_required,
    renewal_by_review_qualifies,
    renewal_quiz_problem,
    retention_span_above,
    retention_span_covered,
    window_first_day,
)
from quizzes.certification.rules import (
    CertificateFacts,
    LessonFacts,
    NextStep,
    ProgressStatus,
    QuizFacts,
    StepKind,
    progress_compute,
)
from quizzes.spaced_review.retention import recall_flagged
from tests.certification.status_cases import CASE_IDS, CASES, StatusCase

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
DAY = timedelta(days=1)
FIRST = date(2026, 5, 27)  # 183 days before TODAY
FULL = RetentionSpan(
    first_on=FIRST, last_on=TODAY, days=184, days_with_critical=184, lowest_critical=0.85
)
VALID = CertificateFacts(issued_at=NOW - 700 * DAY, expires_at=NOW + 10 * DAY)
RENEWAL_ID = 900


def qualifies(span=FULL, *, certificate=VALID, enabled=True, threshold=80):
    return renewal_by_review_qualifies(
        enabled=enabled, certificate=certificate, span=span, today=TODAY, threshold=threshold
    )


def test_the_window_is_six_months_and_ninety_percent_of_its_days():
    assert window_first_day(TODAY) == FIRST
    assert (TODAY - FIRST).days == 183
    assert days_required() == 166  # 90% of 184 days, rounded up


def test_six_months_above_the_threshold_qualify():
    assert qualifies() is True


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"first_on": FIRST + 6 * DAY}, True),  # the window's first week has a row
        ({"first_on": FIRST + 7 * DAY}, False),  # the record reaches back under six months
        ({"last_on": TODAY - 6 * DAY}, True),  # the job missed a few days: still current
        ({"last_on": TODAY - 7 * DAY}, False),  # a week without a row: not current
        ({"days": 166, "days_with_critical": 166}, True),
        ({"days": 165, "days_with_critical": 165}, False),  # a gap of 19 days
    ],
    ids=[
        "first-row-in-the-first-week",
        "first-row-after-the-first-week",
        "last-row-six-days-ago",
        "last-row-a-week-ago",
        "rows-on-166-days",
        "rows-on-165-days",
    ],
)
def test_coverage(change, expected):
    span = replace(FULL, **change)
    assert retention_span_covered(span, today=TODAY) is expected
    assert qualifies(span) is expected


def test_no_stored_days_never_qualify():
    assert retention_span_covered(None, today=TODAY) is False
    assert qualifies(None) is False
    assert qualifies(RetentionSpan()) is False


@pytest.mark.parametrize(
    ("lowest", "expected"),
    [(0.80, True), (0.8049, True), (0.7999, False), (0.795, False), (0.79, False), (1.0, True)],
)
def test_a_dip_below_the_threshold_on_any_day_disqualifies(lowest, expected):
    assert qualifies(replace(FULL, lowest_critical=lowest)) is expected


@pytest.mark.parametrize("share", [0.0, 0.5, 0.7999, 0.795, 0.8, 0.80001, 0.8049, 0.85, 1.0])
@pytest.mark.parametrize("threshold", [50, 80, 95])
def test_above_the_threshold_is_exactly_what_the_managers_flag_is_not(share, threshold):
    span = replace(FULL, lowest_critical=share)
    above = retention_span_above(span, threshold=threshold)
    assert above is not recall_flagged(critical_recall=share, threshold=threshold)


def test_a_day_without_critical_recall_disqualifies():
    assert qualifies(replace(FULL, days_with_critical=183)) is False
    assert qualifies(replace(FULL, days_with_critical=0, lowest_critical=None)) is False


def test_a_higher_threshold_asks_more():
    assert qualifies(threshold=85) is True
    assert qualifies(threshold=86) is False


def test_first_cycle_never_qualifies():
    assert qualifies(certificate=None) is False


def test_a_revoked_certificate_never_qualifies():
    assert qualifies(certificate=replace(VALID, revoked=True)) is False


def test_a_lapsed_certificate_qualifies():
    assert qualifies(certificate=replace(VALID, expires_at=NOW - 30 * DAY)) is True


def test_option_off_never_qualifies():
    assert qualifies(enabled=False) is False


@pytest.mark.parametrize(
    ("enabled", "is_exam", "published", "expected"),
    [
        (False, None, False, ""),
        (False, False, False, ""),
        (True, None, False, RENEWAL_QUIZ_REQUIRED),
        (True, False, True, RENEWAL_QUIZ_NOT_EXAM),
        (True, True, False, RENEWAL_QUIZ_NOT_PUBLISHED),
        (True, True, True, ""),
    ],
)
def test_renewal_quiz_problem(enabled, is_exam, published, expected):
    assert (
        renewal_quiz_problem(enabled=enabled, quiz_is_exam=is_exam, quiz_published=published)
        == expected
    )


# What qualifying changes in progress_compute.

ISSUED = VALID.issued_at
AFTER = ISSUED + 10 * DAY


def compute(*, lessons_done=True, passed=(None, None), renewal=None, certificate=VALID, **kw):
    return progress_compute(
        lessons=[LessonFacts(lesson_id=1, completed_at=AFTER if lessons_done else None)],
        quizzes=[
            QuizFacts(quiz_id=101 + i, last_passed_at=moment, last_attempt_at=moment)
            for i, moment in enumerate(passed)
        ],
        renewal_quiz=renewal,
        certificate=certificate,
        due_date=None,
        now=NOW,
        **kw,
    )


def renewal(passed_at=None, **fields):
    return QuizFacts(
        quiz_id=RENEWAL_ID, last_passed_at=passed_at, last_attempt_at=passed_at, **fields
    )


def test_qualifying_trainee_is_asked_for_the_renewal_quiz_only():
    progress = compute(renewal=renewal())
    assert progress.status == ProgressStatus.EXPIRING_SOON
    assert (progress.quizzes_passed, progress.quizzes_required) == (0, 1)
    assert progress.next_step == NextStep(StepKind.QUIZ, RENEWAL_ID)
    assert progress.renewal_quiz_id == RENEWAL_ID
    assert progress.offers_renewal_by_review is True
    assert progress.is_complete is False


def test_a_pass_of_the_renewal_quiz_in_the_cycle_completes_it():
    progress = compute(renewal=renewal(AFTER))
    assert (progress.quizzes_passed, progress.quizzes_required) == (1, 1)
    assert progress.quizzes_passed_ids == frozenset({RENEWAL_ID})
    assert progress.next_step is None
    assert progress.is_complete is True
    assert progress.cycle_percent == 100


def test_a_renewal_quiz_pass_before_the_cycle_does_not_count():
    progress = compute(renewal=renewal(ISSUED - DAY))
    assert (progress.quizzes_passed, progress.is_complete) == (0, False)


def test_the_full_route_still_completes_a_qualifying_trainee():
    progress = compute(renewal=renewal(), passed=(AFTER, AFTER))
    assert (progress.quizzes_passed, progress.quizzes_required) == (1, 1)
    assert progress.is_complete is True


def test_one_required_quiz_passed_is_not_enough():
    progress = compute(renewal=renewal(), passed=(AFTER, None))
    assert (progress.quizzes_passed, progress.is_complete) == (0, False)
    assert progress.next_step == NextStep(StepKind.QUIZ, RENEWAL_ID)


def test_lessons_still_come_first():
    progress = compute(renewal=renewal(AFTER), lessons_done=False)
    assert progress.next_step == NextStep(StepKind.LESSON, 1)
    assert progress.is_complete is False


def test_without_the_renewal_quiz_every_required_quiz_is_asked():
    progress = compute()
    assert (progress.quizzes_passed, progress.quizzes_required) == (0, 2)
    assert progress.next_step == NextStep(StepKind.QUIZ, 101)
    assert (progress.renewal_quiz_id, progress.offers_renewal_by_review) == (None, False)


def test_a_program_without_quizzes_has_nothing_to_replace():
    progress = compute(renewal=renewal(), passed=())
    assert (progress.quizzes_required, progress.renewal_quiz_id) == (0, None)


def test_a_renewal_quiz_awaiting_marking_is_skipped_by_the_next_step():
    progress = compute(renewal=renewal(awaiting_marking=True))
    assert progress.next_step is None
    assert progress.quizzes_awaiting_marking_ids == frozenset({RENEWAL_ID})


def test_certified_not_yet_renewing_is_offered_nothing():
    certified = replace(VALID, expires_at=NOW + 300 * DAY)
    progress = compute(renewal=renewal(), certificate=certified)
    assert progress.status == ProgressStatus.CERTIFIED
    assert (progress.next_step, progress.offers_renewal_by_review) == (None, False)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_status_case_with_renewal_facts(case: StatusCase):
    """The shared table through progress_compute, the renewal quiz given where one qualifies."""
    certificate = case.certificate
    started_at = (certificate.issued_at if certificate else case.now - 2 * DAY) + DAY
    lesson_done = case.started and certificate is None
    quiz_attempt = started_at if case.started and certificate is not None else None
    span = RetentionSpan(
        first_on=window_first_day(case.today),
        last_on=case.today,
        days=184,
        days_with_critical=184,
        lowest_critical=0.9,
    )
    renewal_facts = None
    if case.renewal_attempt and renewal_by_review_qualifies(
        enabled=True, certificate=certificate, span=span, today=case.today, threshold=80
    ):
        renewal_facts = QuizFacts(quiz_id=RENEWAL_ID, last_attempt_at=started_at)
    progress = progress_compute(
        lessons=[LessonFacts(lesson_id=1, completed_at=started_at if lesson_done else None)],
        quizzes=[QuizFacts(quiz_id=101, last_attempt_at=quiz_attempt)],
        renewal_quiz=renewal_facts,
        certificate=certificate,
        due_date=case.due_date,
        now=case.now,
        today=case.today,
        expiring_soon_days=case.expiring_soon_days,
    )
    assert progress.status == case.expected
    if case.renewal_attempt:
        qualified = certificate is not None and not certificate.revoked
        assert (progress.renewal_quiz_id == RENEWAL_ID) is qualified
