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

- **Bands and flags** judge D as the page shows it (two decimals), so a flag
  never contradicts the figure beside it; **discriminative efficiency** is D as
  a percentage of the largest D the item's facility allows; **reliability** is
  KR-20 (0/1 items) or Cronbach's alpha over scores as fractions of points.

Degenerate data never divides by zero: a statistic that cannot be computed
(fewer than two responses, no variance) is None and raises no flag.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# Facility flags (Moodle's quiz statistics guidance): facility is shown to two
# decimals and compared as shown, so a flag never contradicts the figure beside it.
TOO_HARD_BELOW = 0.20
TOO_EASY_ABOVE = 0.90
# Discrimination bands over the upper/lower discrimination index D (Ebel's bands),
# compared, like facility, as shown to two decimals.
DISCRIMINATION_EXCELLENT_FROM = 0.40
DISCRIMINATION_GOOD_FROM = 0.30
DISCRIMINATION_REVISE_FROM = 0.20
NEGATIVE_DISCRIMINATION_BELOW = 0.0
# Reliability guidance for KR-20 / Cronbach's alpha.
RELIABILITY_UNSATISFACTORY_BELOW = 0.64
RELIABILITY_SATISFACTORY_FROM = 0.75
# Share of ranked attempts in each of the upper and lower groups.
GROUP_FRACTION = 0.27
# Responses needed before discrimination is computed at all.
MIN_RESPONSES = 2
SCORE_BINS = 10

BAND_EXCELLENT = "excellent"
BAND_GOOD = "good"
BAND_REVISE = "needs_revision"
BAND_POOR = "poor"
BAND_NEGATIVE = "negative"
BAND_LABELS = {
    BAND_EXCELLENT: f"Excellent ({DISCRIMINATION_EXCELLENT_FROM:.2f} and above)",
    BAND_GOOD: f"Good ({DISCRIMINATION_GOOD_FROM:.2f}–{DISCRIMINATION_EXCELLENT_FROM - 0.01:.2f})",
    BAND_REVISE: (
        f"Needs revision ({DISCRIMINATION_REVISE_FROM:.2f}–{DISCRIMINATION_GOOD_FROM - 0.01:.2f})"
    ),
    BAND_POOR: f"Poor (below {DISCRIMINATION_REVISE_FROM:.2f})",
    BAND_NEGATIVE: "Negative: check the key",
}

FLAG_TOO_EASY = "too_easy"
FLAG_TOO_HARD = "too_hard"
FLAG_NEGATIVE = "negative_discrimination"
FLAG_REVISE = "discrimination_needs_revision"
FLAG_POOR = "poor_discrimination"
FLAG_NEGATIVE_CORRELATION = "negative_point_biserial"
FLAG_LABELS = {
    FLAG_TOO_EASY: f"Too easy (facility above {TOO_EASY_ABOVE:.2f})",
    FLAG_TOO_HARD: f"Too hard (facility below {TOO_HARD_BELOW:.2f})",
    FLAG_NEGATIVE: (
        "Negative discrimination index: the bottom 27% do better than the top 27%; check the key"
    ),
    FLAG_REVISE: (
        f"Discrimination index needs revision ({DISCRIMINATION_REVISE_FROM:.2f}–"
        f"{DISCRIMINATION_GOOD_FROM - 0.01:.2f})"
    ),
    FLAG_POOR: f"Poor discrimination index (below {DISCRIMINATION_REVISE_FROM:.2f})",
    FLAG_NEGATIVE_CORRELATION: (
        "Negative point-biserial: strong trainees miss it more than weak ones; check the key"
    ),
}
_BAND_FLAGS = {BAND_NEGATIVE: FLAG_NEGATIVE, BAND_REVISE: FLAG_REVISE, BAND_POOR: FLAG_POOR}

RELIABILITY_UNSATISFACTORY = "unsatisfactory"
RELIABILITY_ACCEPTABLE = "acceptable"
RELIABILITY_SATISFACTORY = "satisfactory"
RELIABILITY_GUIDANCE = (
    f"below {RELIABILITY_UNSATISFACTORY_BELOW:.2f} unsatisfactory, "
    f"{RELIABILITY_SATISFACTORY_FROM:.2f} and above satisfactory"
)
RELIABILITY_LABELS = {
    RELIABILITY_UNSATISFACTORY: f"Unsatisfactory (below {RELIABILITY_UNSATISFACTORY_BELOW:.2f})",
    RELIABILITY_ACCEPTABLE: (
        f"Acceptable ({RELIABILITY_UNSATISFACTORY_BELOW:.2f}–"
        f"{RELIABILITY_SATISFACTORY_FROM - 0.01:.2f})"
    ),
    RELIABILITY_SATISFACTORY: f"Satisfactory ({RELIABILITY_SATISFACTORY_FROM:.2f} and above)",
}
KR20 = "KR-20"
ALPHA = "Cronbach's alpha"

# Shown on the analysis page, built from the constants above so that page and flags agree.
ANALYSIS_GUIDANCE = (
    f"Flagged: facility below {TOO_HARD_BELOW:.2f} or above {TOO_EASY_ABOVE:.2f}; "
    f"discrimination index below {DISCRIMINATION_REVISE_FROM:.2f} (needs revision "
    f"{DISCRIMINATION_REVISE_FROM:.2f}–{DISCRIMINATION_GOOD_FROM - 0.01:.2f}, good "
    f"{DISCRIMINATION_GOOD_FROM:.2f}–{DISCRIMINATION_EXCELLENT_FROM - 0.01:.2f}, excellent "
    f"{DISCRIMINATION_EXCELLENT_FROM:.2f} and above; negative: check the key); "
    "a negative point-biserial."
)


def as_shown(value: float | None) -> float | None:
    """Round as the pages show it (two decimals, half up, like floatformat:2)."""
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def discrimination_band(index: float | None) -> str | None:
    """The band of a discrimination index, judged on the figure as shown (two decimals)."""
    shown = as_shown(index)
    if shown is None:
        return None
    if shown < NEGATIVE_DISCRIMINATION_BELOW:
        return BAND_NEGATIVE
    if shown >= DISCRIMINATION_EXCELLENT_FROM:
        return BAND_EXCELLENT
    if shown >= DISCRIMINATION_GOOD_FROM:
        return BAND_GOOD
    if shown >= DISCRIMINATION_REVISE_FROM:
        return BAND_REVISE
    return BAND_POOR


def facility_flags(facility: float | None) -> tuple[str, ...]:
    """Too hard below 0.20, too easy above 0.90, judged on the figure as shown."""
    shown = as_shown(facility)
    if shown is None:
        return ()
    if shown > TOO_EASY_ABOVE:
        return (FLAG_TOO_EASY,)
    if shown < TOO_HARD_BELOW:
        return (FLAG_TOO_HARD,)
    return ()


def reliability_band(coefficient: float | None) -> str | None:
    shown = as_shown(coefficient)
    if shown is None:
        return None
    if shown < RELIABILITY_UNSATISFACTORY_BELOW:
        return RELIABILITY_UNSATISFACTORY
    if shown >= RELIABILITY_SATISFACTORY_FROM:
        return RELIABILITY_SATISFACTORY
    return RELIABILITY_ACCEPTABLE


def max_discrimination(*, facility: float, n: int, upper_n: int, lower_n: int) -> float | None:
    """The largest upper/lower index attainable by an item of this facility.

    With n responses earning facility * n of the item's full marks, the upper
    group can at best hold all of them (at most its own size) and the lower
    group at worst must hold what does not fit in the other n - lower_n.
    """
    if n <= 0 or upper_n <= 0 or lower_n <= 0:
        return None
    earned = facility * n
    best_upper = min(1.0, earned / upper_n)
    worst_lower = max(0.0, (earned - (n - lower_n)) / lower_n)
    return best_upper - worst_lower


def discriminative_efficiency(
    *, index: float | None, facility: float | None, n: int, upper_n: int, lower_n: int
) -> float | None:
    """Moodle's discriminative efficiency: the index as a percentage of its attainable maximum.

    Moodle divides the item-rest covariance by the largest covariance the
    item's scores allow; this applies the same idea to the index banded here
    (the upper/lower D), whose maximum follows from the facility alone.
    None when the maximum is 0 (everyone or nobody answered right).
    """
    if index is None or facility is None:
        return None
    maximum = max_discrimination(facility=facility, n=n, upper_n=upper_n, lower_n=lower_n)
    if maximum is None or maximum <= 1e-12:
        return None
    return 100.0 * index / maximum


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
    discriminative_efficiency: float | None = None

    @property
    def flag_labels(self) -> list[str]:
        return [FLAG_LABELS[flag] for flag in self.flags]

    @property
    def discrimination(self) -> float | None:
        """The discrimination index: the upper/lower 27% difference, as shown and banded."""
        return self.discrimination_groups

    @property
    def band(self) -> str | None:
        return discrimination_band(self.discrimination_groups)

    @property
    def band_label(self) -> str:
        return BAND_LABELS.get(self.band, "")


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
    """Compute facility, both discrimination indices, efficiency, pick rates and flags.

    Bands and flags are judged on the discrimination index shown beside them
    (the upper/lower D); a negative point-biserial is flagged under its own name.
    """
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

    flags = list(facility_flags(facility))
    band = discrimination_band(groups)
    if band in _BAND_FLAGS:
        flags.append(_BAND_FLAGS[band])
    if r_pb is not None and as_shown(r_pb) < 0 and band != BAND_NEGATIVE:
        flags.append(FLAG_NEGATIVE_CORRELATION)
    return ItemStats(
        question_id=sums.question_id,
        responses=n,
        facility=facility,
        discrimination_groups=groups,
        point_biserial=r_pb,
        choice_rates=rates,
        flags=tuple(flags),
        discriminative_efficiency=discriminative_efficiency(
            index=groups, facility=facility, n=n, upper_n=sums.upper_n, lower_n=sums.lower_n
        ),
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


# --- Reliability -------------------------------------------------------------


@dataclass(frozen=True)
class Reliability:
    """A quiz's internal consistency: KR-20 when every item is all-or-nothing, else alpha."""

    coefficient: float
    method: str
    items_per_attempt: float
    attempts: int

    @property
    def band(self) -> str | None:
        return reliability_band(self.coefficient)

    @property
    def band_label(self) -> str:
        return RELIABILITY_LABELS.get(self.band, "")

    @property
    def guidance(self) -> str:
        return RELIABILITY_GUIDANCE


def _is_dichotomous(sums: ItemSums) -> bool:
    # A score that is 0 or full marks has (x/p)^2 == x/p; any partial score makes it smaller.
    p = sums.max_points
    return abs(sums.sum_x2 / (p * p) - sums.sum_x / p) <= 1e-9 * max(1, sums.n)


def reliability_from_sums(
    *, items: Sequence[ItemSums], attempts: int, sum_total: float, sum_total2: float
) -> Reliability | None:
    """KR-20 / Cronbach's alpha from each item's sums and the attempts' totals.

    Item scores are fractions of the item's points, and `sum_total` /
    `sum_total2` sum each attempt's total of those fractions (and its square).
    alpha = k / (k - 1) * (1 - sum of item variances / variance of totals),
    with population variances; on 0/1 items that is exactly KR-20 (p * q is
    the item variance). When papers are drawn at random, k is the mean number
    of items per attempt and each item's variance is weighted by the share of
    attempts that saw it, which is the plain formula when every attempt sat
    the same items. None when undefined: fewer than two attempts or items, or
    totals without variance.
    """
    if attempts < MIN_RESPONSES:
        return None
    answered = [s for s in items if s.n > 0 and s.max_points > 0]
    if len(answered) < 2:
        return None
    k = sum(s.n for s in answered) / attempts
    if k <= 1:
        return None
    item_variance = 0.0
    for s in answered:
        mean = s.sum_x / (s.max_points * s.n)
        variance = s.sum_x2 / (s.max_points * s.max_points * s.n) - mean * mean
        item_variance += (s.n / attempts) * max(variance, 0.0)
    mean_total = sum_total / attempts
    total_variance = sum_total2 / attempts - mean_total * mean_total
    if total_variance <= 1e-12:
        return None
    return Reliability(
        coefficient=k / (k - 1) * (1 - item_variance / total_variance),
        method=KR20 if all(_is_dichotomous(s) for s in answered) else ALPHA,
        items_per_attempt=k,
        attempts=attempts,
    )


def reliability_from_matrix(
    rows: Sequence[Mapping[int, float]], max_points: Mapping[int, float]
) -> Reliability | None:
    """The same from raw scores: one mapping of question id to points per attempt."""
    acc: dict[int, list[float]] = {}
    sum_total = sum_total2 = 0.0
    for row in rows:
        total = 0.0
        for question_id, awarded in row.items():
            fraction = awarded / max_points[question_id]
            total += fraction
            entry = acc.setdefault(question_id, [0, 0.0, 0.0])
            entry[0] += 1
            entry[1] += awarded
            entry[2] += awarded * awarded
        sum_total += total
        sum_total2 += total * total
    items = [
        ItemSums(question_id=q, max_points=max_points[q], n=n, sum_x=sx, sum_x2=sxx)
        for q, (n, sx, sxx) in sorted(acc.items())
    ]
    return reliability_from_sums(
        items=items, attempts=len(rows), sum_total=sum_total, sum_total2=sum_total2
    )


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
