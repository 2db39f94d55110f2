"""The one table of recall cases, shared by the pure formula and its SQL twin.

tests/review/test_retention_rules.py runs every case through
quizzes.spaced_review.rules.retrievability; tests/review/test_retention_sql.py stores
each as a card and reads it back through quizzes.spaced_review.retention_sql.card_recall.
Expected values are R = (1 + F * t / S) ** -0.1542 with F = 0.9 ** (1 / -0.1542) - 1
(= 0.980346...), t the whole days since the last review, worked out to six places: at
t = S recall is 0.9 by construction (FSRS's definition of stability), at t = 0 it is 1,
and the day edges (a microsecond short of a whole day, a review in the future) have a
case each side.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class RecallCase:
    name: str
    stability: float | None
    since: timedelta | None  # how long before NOW the last review was; None: never
    expected: float


CASES = [
    RecallCase("never reviewed", None, None, 0.0),
    RecallCase("reviewed this moment", 3.0, timedelta(0), 1.0),
    RecallCase("earlier the same day", 3.0, timedelta(hours=23, minutes=59), 1.0),
    RecallCase("a microsecond short of a day", 2.0, DAY - MICROSECOND, 1.0),
    RecallCase("exactly one day", 2.0, DAY, 0.940344),
    RecallCase("one day with S 100", 100.0, DAY, 0.998497),
    RecallCase("t equals S: 90%", 3.0, 3 * DAY, 0.9),
    RecallCase("a microsecond short of S", 3.0, 3 * DAY - MICROSECOND, 0.925379),
    RecallCase("half of S", 10.0, 5 * DAY + timedelta(hours=7), 0.940344),
    RecallCase("ten times S", 1.0, 10 * DAY, 0.692827),
    RecallCase("three times S", 30.0, 90 * DAY, 0.809388),
    RecallCase("a year on a weak card", 0.5, 365 * DAY, 0.362837),
    RecallCase("last review in the future counts as now", 3.0, -2 * DAY, 1.0),
]
CASE_IDS = [case.name for case in CASES]
