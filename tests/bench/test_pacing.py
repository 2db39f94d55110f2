"""The whole-quiz step's saves: the page script's rule replayed for a trainee's pace.
tests/e2e/test_autosave.py drives the real script at the same pace and counts the same."""

import pytest

from bench.pacing import PACE_SECONDS, autosave_points


@pytest.mark.parametrize(
    ("count", "pace", "period", "points"),
    [
        # Two answers a period: the save after each second one; the tenth's fires before Submit.
        (10, 20, 30, [1, 3, 5, 7, 9]),
        # Slower than the period: a save after every answer.
        (10, 40, 30, list(range(10))),
        (3, 30, 30, [0, 1, 2]),
        # All answered and submitted inside one period: Submit carries them, no save.
        (3, 1, 30, []),
        # The last save falls due exactly at Submit: its timer fires first.
        (2, 15, 30, [1]),
        (0, 20, 30, []),
    ],
)
def test_saves_fall_where_the_scripts_timer_fires(count, pace, period, points):
    assert autosave_points(count, pace=pace, period=period) == points


def test_the_modelled_trainee_saves_half_as_often_as_they_answer():
    assert len(autosave_points(10, pace=PACE_SECONDS, period=30)) == 5
