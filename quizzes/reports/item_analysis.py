"""Item analysis and quiz statistics: plain functions over plain data, no database.

The report selectors aggregate in SQL (counts and sums per question) and pass
the sums here; `item_sums_from_responses` builds the same sums from raw
responses, for small data sets and for the tests. Every statistic is defined
in exactly one place: `item_statistics` and `quiz_statistics`.

Definitions (classical test theory):

- **Facility** (difficulty index) of a question: the mean fraction of its
  points earned, between 0 and 1. For all-or-nothing questions this is the
  share of attempts that answered it correctly.
- **Discrimination, upper/lower groups**: attempts are ranked by total score;
  the top and bottom 27% (at least one attempt each, ties broken by the order
  given) form the upper and lower groups; D = facility in the upper group minus
  facility in the lower group, between -1 and 1.
- **Discrimination, point-biserial** (corrected item-total correlation): the
  Pearson correlation between the item's score and the total score *minus
  that item*, so that an item does not correlate with itself.

Degenerate data never divides by zero: a statistic that cannot be computed
(fewer than two responses, no variance) is None and raises no flag.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# Flags for review. Thresholds follow the usual classical-test-theory guidance.
TOO_EASY_ABOVE = 0.9
TOO_HARD_BELOW = 0.3
NEGATIVE_DISCRIMINATION_BELOW = 0.0
WEAK_DISCRIMINATION_BELOW = 0.2
# Share of ranked attempts in each of the upper and lower groups.
GROUP_FRACTION = 0.27
# Responses needed before discrimination is computed at all.
MIN_RESPONSES = 2
SCORE_BINS = 10

FLAG_TOO_EASY = "too_easy"
FLAG_TOO_HARD = "too_hard"
FLAG_NEGATIVE = "negative_discrimination"
FLAG_WEAK = "weak_discrimination"
FLAG_LABELS = {
    FLAG_TOO_EASY: f"Too easy (facility above {TOO_EASY_ABOVE:.0%})",
    FLAG_TOO_HARD: f"Too hard (facility below {TOO_HARD_BELOW:.0%})",
    FLAG_NEGATIVE: "Negative discrimination: strong trainees miss it more than weak ones",
    FLAG_WEAK: f"Weak discrimination (below {WEAK_DISCRIMINATION_BELOW})",
}


# --- Questions ---------------------------------------------------------------


@dataclass(frozen=True)
class ItemSums:
    """Sufficient statistics of one question over a set of attempts.

    x is the points awarded on the question, y the attempt's total points
    minus x. The upper/lower sums are over the attempts in those groups.
    """

    question_id: int
    max_points: float
    n: int = 0
    sum_x: float = 0.0
    sum_x2: float = 0.0
    sum_y: float = 0.0
    sum_y2: float = 0.0
    sum_xy: float = 0.0
    upper_n: int = 0
    upper_sum_x: float = 0.0
    lower_n: int = 0
    lower_sum_x: float = 0.0
    choice_counts: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemStats:
    question_id: int
    responses: int
    facility: float | None
    discrimination_groups: float | None
    point_biserial: float | None
    choice_rates: Mapping[int, float]
    flags: tuple[str, ...]

    @property
    def flag_labels(self) -> list[str]:
        return [FLAG_LABELS[flag] for flag in self.flags]

    @property
    def discrimination(self) -> float | None:
        """The index used for flags: point-biserial, else the group difference."""
        if self.point_biserial is not None:
            return self.point_biserial
        return self.discrimination_groups


def _correlation(n: int, sx: float, sy: float, sxx: float, syy: float, sxy: float) -> float | None:
    if n < MIN_RESPONSES:
        return None
    var_x = n * sxx - sx * sx
    var_y = n * syy - sy * sy
    # Sums of floats can leave a tiny negative or positive residue for a constant.
    if var_x <= 1e-12 or var_y <= 1e-12:
        return None
    return (n * sxy - sx * sy) / math.sqrt(var_x * var_y)


def item_statistics(sums: ItemSums) -> ItemStats:
    """Compute facility, both discrimination indices, pick rates and flags."""
    n = sums.n
    points = sums.max_points
    facility = None
    if n > 0 and points > 0:
        facility = min(max(sums.sum_x / (n * points), 0.0), 1.0)
    groups = None
    if n >= MIN_RESPONSES and sums.upper_n > 0 and sums.lower_n > 0 and points > 0:
        p_upper = sums.upper_sum_x / (sums.upper_n * points)
        p_lower = sums.lower_sum_x / (sums.lower_n * points)
        groups = p_upper - p_lower
    r_pb = _correlation(n, sums.sum_x, sums.sum_y, sums.sum_x2, sums.sum_y2, sums.sum_xy)
    rates = {choice: (count / n if n else 0.0) for choice, count in sums.choice_counts.items()}

    flags = []
    if facility is not None and facility > TOO_EASY_ABOVE:
        flags.append(FLAG_TOO_EASY)
    if facility is not None and facility < TOO_HARD_BELOW:
        flags.append(FLAG_TOO_HARD)
    index = r_pb if r_pb is not None else groups
    if index is not None:
        if index < NEGATIVE_DISCRIMINATION_BELOW:
            flags.append(FLAG_NEGATIVE)
        elif index < WEAK_DISCRIMINATION_BELOW:
            flags.append(FLAG_WEAK)
    return ItemStats(
        question_id=sums.question_id,
        responses=n,
        facility=facility,
        discrimination_groups=groups,
        point_biserial=r_pb,
        choice_rates=rates,
        flags=tuple(flags),
    )


def group_size(n: int) -> int:
    """Attempts in each of the upper and lower groups for n ranked attempts."""
    if n < MIN_RESPONSES:
        return 0
    return min(max(1, round(GROUP_FRACTION * n)), n // 2)


@dataclass(frozen=True)
class Response:
    """One attempt's answer to one question: points awarded and choices picked."""

    awarded: float
    selected: Sequence[int] = ()


@dataclass(frozen=True)
class AttemptScores:
    """One scored attempt: its total and its responses by question id."""

    attempt_id: int
    total: float
    responses: Mapping[int, Response]


def rank_attempts(attempts: Sequence[AttemptScores]) -> list[AttemptScores]:
    """Order attempts by total, highest first; ties by attempt id, highest first."""
    return sorted(attempts, key=lambda a: (a.total, a.attempt_id), reverse=True)


def item_sums_from_responses(
    attempts: Sequence[AttemptScores], max_points: Mapping[int, float]
) -> list[ItemSums]:
    """Build each question's sums from raw attempts (the pure twin of the SQL selector)."""
    ranked = rank_attempts(attempts)
    k = group_size(len(ranked))
    upper = {a.attempt_id for a in ranked[:k]}
    lower = {a.attempt_id for a in ranked[len(ranked) - k :]} if k else set()
    acc: dict[int, dict] = {}
    for attempt in ranked:
        for question_id, response in attempt.responses.items():
            row = acc.setdefault(
                question_id,
                {"n": 0, "sx": 0.0, "sxx": 0.0, "sy": 0.0, "syy": 0.0, "sxy": 0.0}
                | {"un": 0, "us": 0.0, "ln": 0, "ls": 0.0, "choices": {}},
            )
            x = response.awarded
            y = attempt.total - x
            row["n"] += 1
            row["sx"] += x
            row["sxx"] += x * x
            row["sy"] += y
            row["syy"] += y * y
            row["sxy"] += x * y
            if attempt.attempt_id in upper:
                row["un"] += 1
                row["us"] += x
            if attempt.attempt_id in lower:
                row["ln"] += 1
                row["ls"] += x
            for choice in response.selected:
                row["choices"][choice] = row["choices"].get(choice, 0) + 1
    return [
        ItemSums(
            question_id=question_id,
            max_points=max_points[question_id],
            n=row["n"],
            sum_x=row["sx"],
            sum_x2=row["sxx"],
            sum_y=row["sy"],
            sum_y2=row["syy"],
            sum_xy=row["sxy"],
            upper_n=row["un"],
            upper_sum_x=row["us"],
            lower_n=row["ln"],
            lower_sum_x=row["ls"],
            choice_counts=row["choices"],
        )
        for question_id, row in sorted(acc.items())
    ]


# --- Quizzes -----------------------------------------------------------------


def score_bin(percent: float) -> int:
    """Return the 10-point bin of a percent: 0 for 0-9.99 ... 9 for 90-100."""
    if percent is None or math.isnan(percent):
        raise ValueError("A score is needed.")
    return min(max(int(percent // (100 / SCORE_BINS)), 0), SCORE_BINS - 1)


def bin_labels() -> list[str]:
    width = 100 // SCORE_BINS
    return [
        f"{i * width}–{i * width + width - 1}" if i < SCORE_BINS - 1 else f"{i * width}–100"
        for i in range(SCORE_BINS)
    ]


def median(values: Sequence[float]) -> float | None:
    """Return the median of already sorted values (None for none)."""
    n = len(values)
    if n == 0:
        return None
    mid = n // 2
    if n % 2:
        return float(values[mid])
    return (values[mid - 1] + values[mid]) / 2


def median_window(n: int) -> tuple[int, int]:
    """Return the slice [start, stop) of a sorted list of n values holding its median."""
    if n == 0:
        return (0, 0)
    mid = n // 2
    return (mid, mid + 1) if n % 2 else (mid - 1, mid + 1)


@dataclass(frozen=True)
class QuizStats:
    attempts: int
    trainees: int
    passed: int
    mean_percent: float | None
    median_percent: float | None
    median_seconds: float | None
    distribution: tuple[int, ...]

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.attempts if self.attempts else None

    @property
    def distribution_rows(self) -> list[tuple[str, int]]:
        return list(zip(bin_labels(), self.distribution, strict=True))


def quiz_statistics(
    *,
    attempts: int,
    trainees: int,
    passed: int,
    sum_percent: float,
    median_percents: Sequence[float],
    median_seconds: Sequence[float],
    bin_counts: Mapping[int, int],
) -> QuizStats:
    """Assemble quiz statistics from aggregates.

    `median_percents` and `median_seconds` are the one or two middle values of
    the sorted scores and durations (see `median_window`).
    """
    distribution = tuple(int(bin_counts.get(i, 0)) for i in range(SCORE_BINS))
    return QuizStats(
        attempts=attempts,
        trainees=trainees,
        passed=passed,
        mean_percent=(sum_percent / attempts) if attempts else None,
        median_percent=median(median_percents),
        median_seconds=median(median_seconds),
        distribution=distribution,
    )


@dataclass(frozen=True)
class ScoredAttempt:
    user_id: int
    percent: float
    passed: bool
    seconds: float


def quiz_statistics_from_attempts(rows: Iterable[ScoredAttempt]) -> QuizStats:
    """Compute quiz statistics from raw attempts (the pure twin of the SQL selector)."""
    rows = list(rows)
    percents = sorted(r.percent for r in rows)
    seconds = sorted(r.seconds for r in rows)
    start, stop = median_window(len(rows))
    bins: dict[int, int] = {}
    for r in rows:
        bins[score_bin(r.percent)] = bins.get(score_bin(r.percent), 0) + 1
    return quiz_statistics(
        attempts=len(rows),
        trainees=len({r.user_id for r in rows}),
        passed=sum(1 for r in rows if r.passed),
        sum_percent=sum(percents),
        median_percents=percents[start:stop],
        median_seconds=seconds[start:stop],
        bin_counts=bins,
    )
