"""The one table of certification status cases, shared by the pure rules and their SQL twin.

tests/certification/test_rules.py runs every case through
quizzes.certification.rules.status_compute; tests/certification/test_rules_sql.py
builds each case in the database and runs it through
quizzes.certification.rules_sql.pair_statuses. A case gives the latest
certificate (or none), the effective due date, whether the trainee started
the current cycle, the moment of the question and the expected status; every
branch of the precedence in quizzes/certification/rules.py has a case, and the
edges (the expiring-soon window, the due day, expiry at the very moment) have
one on each side.

A case with `renewal_attempt` is of a program offering renewal by review
(quizzes/certification/renewal_rules.py), with six months of stored retention days
above the threshold, and a failed graded attempt at its renewal quiz in the current
cycle: that attempt starts a cycle only where the trainee qualifies, which a first
cycle or a revoked certificate never does, and a valid or lapsed certificate decides
the status before any start does, so the SQL twin needs no fact of its own for it.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from quizzes.certification.rules import (
    DEFAULT_EXPIRING_SOON_DAYS,
    CertificateFacts,
    ProgressStatus,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
WINDOW = DEFAULT_EXPIRING_SOON_DAYS
S = ProgressStatus


@dataclass(frozen=True)
class StatusCase:
    name: str
    expected: ProgressStatus
    certificate: CertificateFacts | None = None  # the latest certificate
    due_date: date | None = None  # the effective one (individual or cohort, earliest)
    started: bool = False  # a requirement counts, or an attempt was made, in this cycle
    now: datetime = NOW
    expiring_soon_days: int = WINDOW
    renewal_attempt: bool = False  # renewal by review on, qualifying days, a renewal attempt

    @property
    def today(self) -> date:
        return self.now.date()  # TIME_ZONE is UTC in the tests


def cert(*, issued: datetime = NOW - 300 * DAY, expires: datetime | None = None, revoked=False):
    return CertificateFacts(issued_at=issued, expires_at=expires, revoked=revoked)


# A certificate that lapsed 70 days ago, issued long before.
LAPSED = cert(issued=NOW - 800 * DAY, expires=NOW - 70 * DAY)

CASES = [
    # Not started and in progress: no certificate.
    StatusCase("nothing, no due date", S.NOT_STARTED),
    StatusCase("started, no due date", S.IN_PROGRESS, started=True),
    StatusCase("nothing, due in the future", S.NOT_STARTED, due_date=TODAY + 10 * DAY),
    StatusCase("nothing, due today is in time", S.NOT_STARTED, due_date=TODAY),
    StatusCase("started, due today is in time", S.IN_PROGRESS, due_date=TODAY, started=True),
    # Overdue.
    StatusCase("nothing, due yesterday", S.OVERDUE, due_date=TODAY - DAY),
    StatusCase("started, due yesterday", S.OVERDUE, due_date=TODAY - DAY, started=True),
    # Certified.
    StatusCase("valid, never expires", S.CERTIFIED, certificate=cert()),
    StatusCase(
        "valid, never expires, due date passed",
        S.CERTIFIED,
        certificate=cert(),
        due_date=TODAY - 100 * DAY,
    ),
    StatusCase(
        "valid, renewal started",
        S.CERTIFIED,
        certificate=cert(expires=NOW + 200 * DAY),
        started=True,
    ),
    StatusCase(
        "valid, expires a day after the window",
        S.CERTIFIED,
        certificate=cert(expires=NOW + (WINDOW + 1) * DAY),
    ),
    StatusCase(
        "valid, expires a second after the window",
        S.CERTIFIED,
        certificate=cert(expires=NOW + WINDOW * DAY + SECOND),
    ),
    # Expiring soon.
    StatusCase(
        "expires at the window's edge",
        S.EXPIRING_SOON,
        certificate=cert(expires=NOW + WINDOW * DAY),
    ),
    StatusCase(
        "expires in an hour",
        S.EXPIRING_SOON,
        certificate=cert(expires=NOW + timedelta(hours=1)),
    ),
    StatusCase(
        "expiring soon, due date passed",
        S.EXPIRING_SOON,
        certificate=cert(expires=NOW + 5 * DAY),
        due_date=TODAY - DAY,
    ),
    StatusCase(
        "expiring soon, renewal started",
        S.EXPIRING_SOON,
        certificate=cert(expires=NOW + 5 * DAY),
        started=True,
    ),
    StatusCase(
        "a wider window: 45 days is soon within 60",
        S.EXPIRING_SOON,
        certificate=cert(expires=NOW + 45 * DAY),
        expiring_soon_days=60,
    ),
    StatusCase(
        "a narrower window: 20 days is not soon within 10",
        S.CERTIFIED,
        certificate=cert(expires=NOW + 20 * DAY),
        expiring_soon_days=10,
    ),
    # Expired (validity and expiry).
    StatusCase("expires exactly now", S.EXPIRED, certificate=cert(expires=NOW)),
    StatusCase("expired a second ago", S.EXPIRED, certificate=cert(expires=NOW - SECOND)),
    StatusCase("expired, renewal started", S.EXPIRED, certificate=LAPSED, started=True),
    StatusCase(
        "lapsed after meeting the due date",
        S.EXPIRED,
        certificate=LAPSED,
        due_date=TODAY - 100 * DAY,
    ),
    StatusCase(
        "lapsed, issued on the due day",
        S.EXPIRED,
        certificate=LAPSED,
        due_date=(NOW - 800 * DAY).date(),
    ),
    StatusCase(
        "lapsed, renewal due in the future",
        S.EXPIRED,
        certificate=LAPSED,
        due_date=TODAY + 10 * DAY,
    ),
    # Lapsed before the due date that passed: overdue.
    StatusCase(
        "lapsed before the due date",
        S.OVERDUE,
        certificate=LAPSED,
        due_date=TODAY - DAY,
    ),
    StatusCase(
        "lapsed on the due day itself",
        S.OVERDUE,
        certificate=LAPSED,
        due_date=(NOW - 70 * DAY).date(),
    ),
    StatusCase(
        "issued after the due date, lapsed since",
        S.OVERDUE,
        certificate=LAPSED,
        due_date=(NOW - 801 * DAY).date(),
    ),
    # Revoked: not valid, not expired; a new cycle begins.
    StatusCase("revoked, nothing since", S.NOT_STARTED, certificate=cert(revoked=True)),
    StatusCase(
        "revoked, renewal started", S.IN_PROGRESS, certificate=cert(revoked=True), started=True
    ),
    StatusCase(
        "revoked and past its expiry",
        S.NOT_STARTED,
        certificate=cert(expires=NOW - 10 * DAY, revoked=True),
    ),
    StatusCase(
        "revoked, due date passed",
        S.OVERDUE,
        certificate=cert(revoked=True),
        due_date=TODAY - DAY,
    ),
    StatusCase(
        "revoked, due in the future",
        S.IN_PROGRESS,
        certificate=cert(revoked=True),
        due_date=TODAY + DAY,
        started=True,
    ),
    # Renewal by review: an attempt at the renewal quiz.
    StatusCase(
        "first cycle, only the renewal quiz attempted",
        S.NOT_STARTED,
        renewal_attempt=True,
    ),
    StatusCase(
        "revoked, only the renewal quiz attempted",
        S.NOT_STARTED,
        certificate=cert(revoked=True),
        renewal_attempt=True,
    ),
    StatusCase(
        "expiring soon, renewal quiz attempted",
        S.EXPIRING_SOON,
        certificate=cert(expires=NOW + 5 * DAY),
        renewal_attempt=True,
    ),
    StatusCase(
        "certified, renewal quiz attempted",
        S.CERTIFIED,
        certificate=cert(expires=NOW + 200 * DAY),
        renewal_attempt=True,
    ),
    StatusCase(
        "lapsed, renewal quiz attempted",
        S.EXPIRED,
        certificate=LAPSED,
        renewal_attempt=True,
    ),
    StatusCase(
        "lapsed before the due date, renewal quiz attempted",
        S.OVERDUE,
        certificate=LAPSED,
        due_date=TODAY - DAY,
        renewal_attempt=True,
    ),
]

CASE_IDS = [case.name for case in CASES]
