"""Progress rules are pure: no database mark, so any query would fail these tests."""

import pytest

from lessons.progress import completion_percent


@pytest.mark.parametrize(
    ("done", "total", "percent"),
    [(0, 0, 0), (0, 3, 0), (1, 3, 33), (2, 3, 66), (3, 3, 100), (5, 3, 100), (-1, 3, 0)],
)
def test_completion_percent_rounds_down_and_stays_within_0_and_100(done, total, percent):
    assert completion_percent(done=done, total=total) == percent
