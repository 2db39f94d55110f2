"""Renewal by review: who may renew with the shorter renewal quiz. Plain data in, no database.

A program may let a trainee who kept every critical topic above the retention threshold
through the last six months renew with its renewal quiz instead of its required quizzes
(`Program.renewal_by_review`, off by default, with `Program.renewal_quiz`). The figures
are the stored days of `TraineeRetention` (one row per trainee and day, written by the
daily retention job); the selectors aggregate them in SQL into one `RetentionSpan` per
trainee and this module decides.

Who qualifies, at a moment whose local date is *today*
-------------------------------------------------------
1. The program has the option on.
2. This is a renewal cycle: the trainee's latest certificate of the program exists and
   is not revoked (expired or still valid both count; a revoked certificate is not one
   to renew by a shortcut, and the first cycle never qualifies).
3. The stored days cover the window: the window is the RENEWAL_REVIEW_DAYS (183) days
   before today and today itself (`window_first_day` .. today), and
   - a row falls in the window's first RENEWAL_REVIEW_EDGE_DAYS (7) days, so the record
     reaches back six months;
   - a row falls in its last RENEWAL_REVIEW_EDGE_DAYS days, so the record is current
     (the daily job may not have run yet today, or missed a day or two);
   - rows exist on at least RENEWAL_REVIEW_COVERAGE_PERCENT (90) % of the window's days,
     rounded up (166 of 184): a job that stopped for weeks leaves the trainee unjudged,
     never passed.
4. Every row in the window has a critical recall (a day with none, a trainee without a
   critical card, never qualifies) at or above the threshold, judged on the whole
   percent the pages show (`percent_floor` in quizzes/spaced_review/retention.py: 79.6%
   is 79, below 80), so "above the threshold" here and the managers' flag never disagree.

A trainee who qualifies meets the program's quizzes with a pass of the renewal quiz in
the current cycle (progress_compute's `renewal_quiz` in rules.py); passing every
required quiz still meets them too. Qualifying is judged at each moment: a later dip
ends it, and the required quizzes are asked again until the window is clear.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from quizzes.certification.rules import CertificateFacts

RENEWAL_REVIEW_DAYS = 183
RENEWAL_REVIEW_EDGE_DAYS = 7
RENEWAL_REVIEW_COVERAGE_PERCENT = 90

# The program admin's messages (quizzes/certification/admin.py).
RENEWAL_QUIZ_REQUIRED = "Choose the renewal quiz that renewal by review asks for."
RENEWAL_QUIZ_NOT_EXAM = "The renewal quiz must be a quiz of the exam bank."
RENEWAL_QUIZ_NOT_PUBLISHED = "The renewal quiz must be published."


@dataclass(frozen=True)
class RetentionSpan:
    """One trainee's stored retention days within the window, aggregated.

    `days` rows in all, `days_with_critical` of them with a critical recall, the lowest
    of those (None when none has one), and the first and last day with a row.
    """

    first_on: date | None = None
    last_on: date | None = None
    days: int = 0
    days_with_critical: int = 0
    lowest_critical: float | None = None


def window_first_day(today: date) -> date:
    """Return the window's first day: RENEWAL_REVIEW_DAYS days before today."""
    return today - timedelta(days=RENEWAL_REVIEW_DAYS)


def days_required() -> int:
    """Return how many of the window's days need a row (90% of 184, rounded up: 166)."""
    window_days = RENEWAL_REVIEW_DAYS + 1
    return math.ceil(window_days * RENEWAL_REVIEW_COVERAGE_PERCENT / 100)


def _percent_floor(share: float) -> int:
    # As quizzes.spaced_review.retention.percent_floor (a test checks that they agree).
    return math.floor(share * 100 + 1e-9)


def retention_span_covered(span: RetentionSpan | None, *, today: date) -> bool:
    """Return True when the stored days cover the window (point 3 of the module docstring)."""
    if span is None or span.first_on is None or span.last_on is None:
        return False
    first_day = window_first_day(today)
    edge = timedelta(days=RENEWAL_REVIEW_EDGE_DAYS - 1)
    return (
        first_day <= span.first_on <= first_day + edge
        and today - edge <= span.last_on <= today
        and span.days >= days_required()
    )


def retention_span_above(span: RetentionSpan, *, threshold: int) -> bool:
    """Return True when every day of the span has a critical recall at or above `threshold` %."""
    return (
        span.days > 0
        and span.days_with_critical == span.days
        and span.lowest_critical is not None
        and _percent_floor(span.lowest_critical) >= threshold
    )


def renewal_by_review_qualifies(
    *,
    enabled: bool,
    certificate: CertificateFacts | None,
    span: RetentionSpan | None,
    today: date,
    threshold: int,
) -> bool:
    """Return True when the trainee may renew with the renewal quiz (the module docstring).

    `certificate` is the trainee's latest certificate of the program.
    """
    if not enabled or certificate is None or certificate.revoked:
        return False
    if not retention_span_covered(span, today=today):
        return False
    return retention_span_above(span, threshold=threshold)


def renewal_quiz_problem(*, enabled: bool, quiz_is_exam: bool | None, quiz_published: bool) -> str:
    """Return what is wrong with a program's renewal settings, or "" when nothing is.

    `quiz_is_exam` is None when no renewal quiz is chosen. A quiz chosen while the option
    is off is kept as it is, unchecked: it asks nothing of anyone.
    """
    if not enabled:
        return ""
    if quiz_is_exam is None:
        return RENEWAL_QUIZ_REQUIRED
    if not quiz_is_exam:
        return RENEWAL_QUIZ_NOT_EXAM
    if not quiz_published:
        return RENEWAL_QUIZ_NOT_PUBLISHED
    return ""
