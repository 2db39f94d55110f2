"""The trainee's standing at a quiz, counted from plain attempt rows (no database)."""

from datetime import UTC, datetime

from quizzes.selectors import graded_standing

EARLY = datetime(2026, 1, 1, tzinfo=UTC)
LATE = datetime(2026, 2, 1, tzinfo=UTC)


def test_no_attempts_is_an_empty_standing():
    assert graded_standing([]) == {
        "used": 0,
        "last_closed": None,
        "open": 0,
        "best": None,
        "passed": 0,
    }


def test_counts_best_passes_open_and_last_close():
    rows = [
        ("submitted", EARLY, 85.0, True),
        ("submitted", LATE, 40.0, False),
        ("in_progress", None, None, None),
    ]
    assert graded_standing(rows) == {
        "used": 3,
        "last_closed": LATE,
        "open": 1,
        "best": 85.0,
        "passed": 1,
    }


def test_an_attempt_without_a_score_counts_as_used_but_not_as_best():
    rows = [("submitted", EARLY, None, None), ("submitted", LATE, 30.0, False)]
    standing = graded_standing(rows)
    assert (standing["used"], standing["best"], standing["passed"]) == (2, 30.0, 0)
