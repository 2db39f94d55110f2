"""The paper draw (quizzes.drawing) is pure: plain candidates in, chosen ids out, no database."""

import random
from collections import Counter

import pytest

from quizzes.authoring.validation import (
    BLUEPRINT_CRITICAL_OVER_LENGTH,
    BLUEPRINT_CRITICAL_SHORT,
    BLUEPRINT_CRITICAL_WITHOUT_ROWS,
    BLUEPRINT_LENGTH,
    BLUEPRINT_TOPIC_SHORT,
    BLUEPRINT_UNFILLABLE,
    blueprint_length_problems,
    blueprint_pool_problems,
)
from quizzes.drawing import (
    Candidate,
    blueprint_shortfall,
    distinct_points,
    draw_blueprint,
    draw_plain,
)

A, B = 1, 2  # topic ids


def pool(spec):
    """Candidates from (id, topic, critical, group) tuples."""
    return [Candidate(*row) for row in spec]


def by_id(candidates):
    return {c.id: c for c in candidates}


def test_distinct_points_count_a_group_once_and_ungrouped_questions_one_each():
    candidates = pool(
        [(1, A, False, "g"), (2, A, False, "g"), (3, A, False, ""), (4, A, False, "")]
    )
    assert distinct_points(candidates) == 3


def test_plain_draw_without_groups_is_the_plain_sample_of_before():
    candidates = pool([(i, A, False, "") for i in range(10)])
    drawn = draw_plain(candidates, count=4, rng=random.Random(7))
    expected = sorted(random.Random(7).sample(range(10), 4))
    assert drawn == expected


def test_plain_draw_of_all_keeps_one_per_group():
    candidates = pool([(1, A, False, "g"), (2, A, False, "g"), (3, A, False, "")])
    for seed in range(20):
        drawn = draw_plain(candidates, count=None, rng=random.Random(seed))
        assert len(drawn) == 2
        assert 3 in drawn


def test_plain_draw_never_holds_two_of_one_group():
    candidates = pool([(i, A, False, f"g{i // 3}") for i in range(12)])  # 4 groups of 3
    rng = random.Random(1)
    for _ in range(500):
        drawn = draw_plain(candidates, count=4, rng=rng)
        groups = [by_id(candidates)[i].variant_group for i in drawn]
        assert sorted(groups) == ["g0", "g1", "g2", "g3"]


def test_plain_draw_asking_more_than_the_points_draws_one_per_point():
    candidates = pool([(1, A, False, "g"), (2, A, False, "g")])
    assert len(draw_plain(candidates, count=2, rng=random.Random(0))) == 1


def test_blueprint_draw_meets_counts_critical_minimum_and_groups():
    candidates = pool(
        [(i, A, i < 3, "ga" if i in (0, 1) else "") for i in range(8)]
        + [(10 + i, B, i == 0, "gb" if i in (1, 2, 3) else "") for i in range(8)]
    )
    facts = by_id(candidates)
    rng = random.Random(3)
    criticals = Counter()
    for _ in range(1000):
        drawn = draw_blueprint(candidates, counts={A: 3, B: 4}, min_critical=2, rng=rng)
        assert drawn is not None
        topics = Counter(facts[i].topic_id for i in drawn)
        assert topics == {A: 3, B: 4}
        groups = [facts[i].variant_group for i in drawn if facts[i].variant_group]
        assert len(groups) == len(set(groups))
        critical = sum(facts[i].critical for i in drawn)
        assert critical >= 2
        criticals[critical] += 1
    assert set(criticals) <= {2, 3}


def test_blueprint_draw_leaves_out_topics_not_in_the_blueprint():
    candidates = pool([(1, A, False, ""), (2, A, False, ""), (3, B, True, "")])
    assert draw_blueprint(candidates, counts={A: 2}, min_critical=0, rng=random.Random(0)) == [
        1,
        2,
    ]


def test_blueprint_draw_returns_ids_in_pool_order():
    candidates = pool([(9, A, False, ""), (3, A, False, ""), (5, B, False, "")])
    drawn = draw_blueprint(candidates, counts={A: 2, B: 1}, min_critical=0, rng=random.Random(0))
    assert drawn == [9, 3, 5]


@pytest.mark.parametrize(
    ("spec", "counts", "min_critical"),
    [
        # A topic holds fewer points than its count (the group counts once).
        ([(1, A, False, "g"), (2, A, False, "g")], {A: 2}, 0),
        # Too few critical questions.
        ([(1, A, True, ""), (2, A, False, "")], {A: 2}, 2),
        # The only critical questions share a group.
        ([(1, A, True, "g"), (2, A, True, "g"), (3, A, False, "")], {A: 2}, 2),
        # A group across topics: one question of it fills both topics' only places.
        ([(1, A, False, "g"), (2, B, False, "g")], {A: 1, B: 1}, 0),
        # Critical questions only in a topic whose count is smaller than the minimum.
        ([(1, A, True, ""), (2, A, True, ""), (3, B, False, "")], {A: 1, B: 1}, 2),
    ],
)
def test_an_impossible_blueprint_draws_nothing(spec, counts, min_critical):
    drawn = draw_blueprint(
        pool(spec), counts=counts, min_critical=min_critical, rng=random.Random(0)
    )
    assert drawn is None


def test_a_tight_blueprint_is_filled_by_retrying_fresh_shuffles():
    # Topic B's only place must go to question 3, so the group "g" must be drawn in A.
    candidates = pool([(1, A, False, "g"), (2, A, False, ""), (3, B, False, "g")])
    for seed in range(30):
        drawn = draw_blueprint(
            candidates, counts={A: 1, B: 1}, min_critical=0, rng=random.Random(seed)
        )
        assert drawn == [2, 3]


def test_shortfall_names_short_topics_and_the_critical_minimum():
    candidates = pool([(1, A, True, "g"), (2, A, True, "g"), (3, B, False, "")])
    shortfall = blueprint_shortfall(candidates, counts={A: 2, B: 1}, min_critical=2)
    assert shortfall.topics == ((A, 2, 1),)
    assert (shortfall.critical_needed, shortfall.critical_available) == (2, 1)
    assert bool(shortfall) is True
    assert bool(blueprint_shortfall(candidates, counts={B: 1}, min_critical=0)) is False


def test_length_rules():
    assert blueprint_length_problems(counts={}, questions_per_attempt=None, min_critical=0) == []
    assert blueprint_length_problems(counts={}, questions_per_attempt=5, min_critical=1) == [
        BLUEPRINT_CRITICAL_WITHOUT_ROWS
    ]
    assert (
        blueprint_length_problems(counts={A: 2, B: 3}, questions_per_attempt=5, min_critical=0)
        == []
    )
    assert blueprint_length_problems(
        counts={A: 2, B: 3}, questions_per_attempt=4, min_critical=6
    ) == [
        BLUEPRINT_LENGTH.format(total=5),
        BLUEPRINT_CRITICAL_OVER_LENGTH.format(needed=6, total=5),
    ]


def test_publish_problems_name_the_short_topic_and_critical_minimum():
    candidates = pool([(1, A, True, "g"), (2, A, True, "g"), (3, B, False, "")])
    problems = blueprint_pool_problems(
        published=True,
        candidates=candidates,
        counts={A: 2, B: 1},
        min_critical=2,
        topic_names={A: "Managing bleeding", B: "Why"},
    )
    assert problems == [
        BLUEPRINT_TOPIC_SHORT.format(needed=2, topic="Managing bleeding", available=1),
        BLUEPRINT_CRITICAL_SHORT.format(needed=2, available=1),
    ]
    assert "Managing bleeding" in problems[0]


def test_publish_problems_catch_a_clash_the_counts_miss():
    candidates = pool([(1, A, False, "g"), (2, B, False, "g")])
    problems = blueprint_pool_problems(
        published=True, candidates=candidates, counts={A: 1, B: 1}, min_critical=0, topic_names={}
    )
    assert problems == [BLUEPRINT_UNFILLABLE]


def test_a_draft_or_a_quiz_without_blueprint_has_no_publish_problem():
    candidates = pool([(1, A, False, "")])
    assert (
        blueprint_pool_problems(
            published=False, candidates=candidates, counts={A: 5}, min_critical=0, topic_names={}
        )
        == []
    )
    assert (
        blueprint_pool_problems(
            published=True, candidates=candidates, counts={}, min_critical=0, topic_names={}
        )
        == []
    )
