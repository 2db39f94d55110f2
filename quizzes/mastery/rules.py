"""A trainee's mastery by topic: a pure function of their scored answers.

No database access here: plain rows in, frozen dataclasses out.

The rules
---------
* **What counts**: every scored answer of the trainee's closed attempts, graded and
  practice alike, review sessions as practice (the selector decides; see
  `quizzes/mastery/selectors.py`). A choice question counts 1 when answered correctly
  (full points) and 0 otherwise, unanswered included (in a review session only the
  checked questions count); a written answer counts its mark's share of the points once
  marked, and not at all before.
* **Share**: per topic, the counted credit divided by the answers, as a percent.
* **Trend**: the share of the last `RECENT_DAYS` days against the share before them. It
  needs at least `MIN_ANSWERS_FOR_TREND` answers on each side; a change of at least
  `TREND_POINTS` percentage points is *improving* or *slipping*, anything less *steady*.
* **Weekly shares**: the share per week (Monday to Sunday) for the last `WEEKS` weeks,
  this week included; a week without answers has no share.
* **Bands**: at least `TARGET_PERCENT` is *secure*, at least `DEVELOPING_PERCENT`
  *developing*, below it *needs work*.
* **Review next**: the topics below the target, weakest first (then slipping before
  the rest, then the one answered longest ago), at most `REVIEW_LIMIT`; topics the
  trainee has never answered are listed apart, as *not tried yet*.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

RECENT_DAYS = 30
WEEKS = 8
TREND_POINTS = 5.0
MIN_ANSWERS_FOR_TREND = 3
TARGET_PERCENT = 80.0
DEVELOPING_PERCENT = 50.0
REVIEW_LIMIT = 3

TREND_UP = "up"
TREND_DOWN = "down"
TREND_STEADY = "steady"
TREND_NEW = "new"
TREND_IDLE = "idle"
TREND_UNCLEAR = "unclear"

TREND_LABELS = {
    TREND_UP: "Improving",
    TREND_DOWN: "Slipping",
    TREND_STEADY: "Steady",
    TREND_NEW: "New in the last 30 days",
    TREND_IDLE: "Nothing answered in the last 30 days",
    TREND_UNCLEAR: "Too few answers to tell",
}

BAND_SECURE = "secure"
BAND_DEVELOPING = "developing"
BAND_NEEDS_WORK = "needs_work"

BAND_LABELS = {
    BAND_SECURE: "Secure",
    BAND_DEVELOPING: "Developing",
    BAND_NEEDS_WORK: "Needs work",
}


@dataclass(frozen=True)
class AnswerRow:
    """Answers of one topic on one day: one answer, or several summed by the selector."""

    topic_id: int
    day: date
    credit: float  # the sum of the answers' correct shares, 0..answers
    answers: int = 1
    practice_answers: int = 0  # how many of them were in practice rounds or review sessions


@dataclass(frozen=True)
class TopicInfo:
    id: int
    title: str


@dataclass(frozen=True)
class WeekShare:
    start: date
    answers: int
    percent: float | None


@dataclass(frozen=True)
class TopicMastery:
    topic_id: int
    title: str
    answers: int
    practice_answers: int
    percent: float
    recent_answers: int
    recent_percent: float | None
    earlier_answers: int
    earlier_percent: float | None
    trend: str
    band: str
    last_day: date
    weeks: tuple[WeekShare, ...]

    @property
    def graded_answers(self) -> int:
        return self.answers - self.practice_answers

    @property
    def trend_label(self) -> str:
        return TREND_LABELS[self.trend]

    @property
    def band_label(self) -> str:
        return BAND_LABELS[self.band]


@dataclass(frozen=True)
class Mastery:
    topics: tuple[TopicMastery, ...]  # in the topics' order
    review: tuple[TopicMastery, ...]  # weakest first
    untried: tuple[TopicInfo, ...]  # in the topics' order
    answers: int
    percent: float | None
    weeks: tuple[WeekShare, ...]  # every topic together, oldest first

    @property
    def empty(self) -> bool:
        return self.answers == 0


def _percent(credit: float, answers: int) -> float | None:
    if answers <= 0:
        return None
    return round(100.0 * max(0.0, min(credit, answers)) / answers, 1)


def week_start(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def _trend(
    recent_answers: int, recent: float | None, earlier_answers: int, earlier: float | None
) -> str:
    if recent_answers == 0:
        return TREND_IDLE
    if earlier_answers == 0:
        return TREND_NEW
    if min(recent_answers, earlier_answers) < MIN_ANSWERS_FOR_TREND:
        return TREND_UNCLEAR
    assert recent is not None and earlier is not None
    change = recent - earlier
    if change >= TREND_POINTS:
        return TREND_UP
    if change <= -TREND_POINTS:
        return TREND_DOWN
    return TREND_STEADY


def band_for(percent: float) -> str:
    if percent >= TARGET_PERCENT:
        return BAND_SECURE
    if percent >= DEVELOPING_PERCENT:
        return BAND_DEVELOPING
    return BAND_NEEDS_WORK


def _weeks(rows: Iterable[AnswerRow], starts: Sequence[date]) -> tuple[WeekShare, ...]:
    sums = {start: [0.0, 0] for start in starts}
    for row in rows:
        bucket = sums.get(week_start(row.day))
        if bucket is not None:
            bucket[0] += row.credit
            bucket[1] += row.answers
    return tuple(
        WeekShare(start=start, answers=int(n), percent=_percent(credit, int(n)))
        for start, (credit, n) in sums.items()
    )


def _topic(info: TopicInfo, rows: Sequence[AnswerRow], *, today: date, starts) -> TopicMastery:
    cutoff = today - timedelta(days=RECENT_DAYS)
    recent = [r for r in rows if r.day > cutoff]
    earlier = [r for r in rows if r.day <= cutoff]
    answers = sum(r.answers for r in rows)
    recent_n = sum(r.answers for r in recent)
    earlier_n = sum(r.answers for r in earlier)
    recent_percent = _percent(sum(r.credit for r in recent), recent_n)
    earlier_percent = _percent(sum(r.credit for r in earlier), earlier_n)
    percent = _percent(sum(r.credit for r in rows), answers)
    assert percent is not None
    return TopicMastery(
        topic_id=info.id,
        title=info.title,
        answers=answers,
        practice_answers=sum(r.practice_answers for r in rows),
        percent=percent,
        recent_answers=recent_n,
        recent_percent=recent_percent,
        earlier_answers=earlier_n,
        earlier_percent=earlier_percent,
        trend=_trend(recent_n, recent_percent, earlier_n, earlier_percent),
        band=band_for(percent),
        last_day=max(r.day for r in rows),
        weeks=_weeks(rows, starts),
    )


def review_order(topics: Iterable[TopicMastery]) -> tuple[TopicMastery, ...]:
    """The topics below the target, weakest first, at most `REVIEW_LIMIT`."""
    weak = [t for t in topics if t.percent < TARGET_PERCENT]
    weak.sort(key=lambda t: (t.percent, t.trend != TREND_DOWN, t.last_day, t.title))
    return tuple(weak[:REVIEW_LIMIT])


def mastery_compute(
    *, rows: Iterable[AnswerRow], topics: Sequence[TopicInfo], today: date
) -> Mastery:
    """Per-topic share, trend and weekly shares, and what to review next.

    `topics` gives the titles and the order; rows of a topic not in it are ignored.
    """
    by_topic: dict[int, list[AnswerRow]] = {t.id: [] for t in topics}
    for row in rows:
        if row.answers > 0 and row.topic_id in by_topic:
            by_topic[row.topic_id].append(row)
    this_week = week_start(today)
    starts = [this_week - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
    done = tuple(
        _topic(info, by_topic[info.id], today=today, starts=starts)
        for info in topics
        if by_topic[info.id]
    )
    every = [row for info in topics for row in by_topic[info.id]]
    answers = sum(t.answers for t in done)
    return Mastery(
        topics=done,
        review=review_order(done),
        untried=tuple(info for info in topics if not by_topic[info.id]),
        answers=answers,
        percent=_percent(sum(r.credit for r in every), answers),
        weeks=_weeks(every, starts),
    )
