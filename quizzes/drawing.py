"""Drawing a paper's questions from a pool, as pure functions over plain candidates.

A paper never holds two questions of one variant group (questions that test
the same point). A quiz with a blueprint draws an exact number of questions
per topic and at least a minimum of critical ones (as Moodle draws random
questions per category). Nothing here touches the database: quizzes.services
feeds the pool in and freezes the chosen questions; quizzes.authoring.validation
uses the counts to refuse publishing a blueprint the pool cannot fill.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Fresh shuffles tried before a blueprint draw gives up.
DRAW_TRIES = 50


@dataclass(frozen=True)
class Candidate:
    """A drawable question as the draw sees it."""

    id: int
    topic_id: int
    critical: bool = False
    variant_group: str = ""


def _point(candidate: Candidate) -> tuple:
    """The point a question tests: its variant group, or the question itself if ungrouped."""
    if candidate.variant_group:
        return ("group", candidate.variant_group)
    return ("question", candidate.id)


def distinct_points(candidates: Iterable[Candidate]) -> int:
    """How many questions of these could share one paper: one per variant group."""
    return len({_point(c) for c in candidates})


def draw_plain(
    candidates: Sequence[Candidate], *, count: int | None, rng: random.Random
) -> list[int]:
    """Draw `count` questions (all points when None), never two of one variant group.

    Returns the chosen ids in pool order. Without variant groups this draws
    exactly as a plain random sample of the pool.
    """
    if not any(c.variant_group for c in candidates):
        if count is None or count >= len(candidates):
            return [c.id for c in candidates]
        drawn = set(rng.sample(range(len(candidates)), count))
        return [c.id for i, c in enumerate(candidates) if i in drawn]
    by_point: dict[tuple, list[Candidate]] = {}
    for candidate in candidates:
        by_point.setdefault(_point(candidate), []).append(candidate)
    points = list(by_point)
    if count is not None and count < len(points):
        points = rng.sample(points, count)
    chosen = {rng.choice(by_point[point]).id for point in points}
    return [c.id for c in candidates if c.id in chosen]


def _draw_blueprint_once(
    candidates: Sequence[Candidate],
    *,
    counts: Mapping[int, int],
    min_critical: int,
    rng: random.Random,
) -> set[int] | None:
    left = dict(counts)
    used_points: set[tuple] = set()
    chosen: set[int] = set()

    def take(candidate: Candidate) -> None:
        chosen.add(candidate.id)
        used_points.add(_point(candidate))
        left[candidate.topic_id] -= 1

    def fits(candidate: Candidate) -> bool:
        return (
            candidate.id not in chosen
            and left.get(candidate.topic_id, 0) > 0
            and _point(candidate) not in used_points
        )

    critical = [c for c in candidates if c.critical]
    rng.shuffle(critical)
    taken_critical = 0
    for candidate in critical:
        if taken_critical >= min_critical:
            break
        if fits(candidate):
            take(candidate)
            taken_critical += 1
    if taken_critical < min_critical:
        return None
    rest = [c for c in candidates if c.id not in chosen]
    rng.shuffle(rest)
    for candidate in rest:
        if fits(candidate):
            take(candidate)
    if any(left.values()):
        return None
    return chosen


def draw_blueprint(
    candidates: Sequence[Candidate],
    *,
    counts: Mapping[int, int],
    min_critical: int,
    rng: random.Random,
    tries: int = DRAW_TRIES,
) -> list[int] | None:
    """Draw counts[topic] questions per topic with at least `min_critical` critical ones.

    The critical minimum is drawn first, at random among the critical
    candidates, then each topic is filled at random from the rest; never two
    questions of one variant group. Fresh shuffles are tried `tries` times;
    None when none of them fills the blueprint. Returns the ids in pool order.
    """
    for _ in range(tries):
        chosen = _draw_blueprint_once(candidates, counts=counts, min_critical=min_critical, rng=rng)
        if chosen is not None:
            return [c.id for c in candidates if c.id in chosen]
    return None


@dataclass(frozen=True)
class BlueprintShortfall:
    """What a pool lacks to fill a blueprint: topics short of points, and the critical minimum."""

    topics: tuple[tuple[int, int, int], ...] = ()  # (topic id, needed, available)
    critical_needed: int = 0
    critical_available: int = 0

    def __bool__(self) -> bool:
        return bool(self.topics) or self.critical_available < self.critical_needed


def blueprint_shortfall(
    candidates: Sequence[Candidate], *, counts: Mapping[int, int], min_critical: int
) -> BlueprintShortfall:
    """Count what a blueprint needs against the pool, by distinct variant group.

    Ungrouped questions count one each; a group counts once per topic and once
    among the critical questions. Only the blueprint's topics count. The
    critical minimum can never exceed the paper's length.
    """
    short = []
    for topic_id, needed in counts.items():
        available = distinct_points(c for c in candidates if c.topic_id == topic_id)
        if available < needed:
            short.append((topic_id, needed, available))
    critical = distinct_points(c for c in candidates if c.critical and c.topic_id in counts)
    critical = min(critical, sum(counts.values()))
    return BlueprintShortfall(
        topics=tuple(short), critical_needed=min_critical, critical_available=critical
    )
