"""Reading progress rules: plain functions, no database."""

from datetime import datetime


def completion_percent(*, done: int, total: int) -> int:
    """Return the whole percentage of lessons done, rounded down; 0 when there are none."""
    if total <= 0:
        return 0
    done = max(0, min(done, total))
    return done * 100 // total


def completion_needs_reread(
    *, completed_at: datetime | None, content_changed_at: datetime | None
) -> bool:
    """Return True when the lesson was flagged as changed after the trainee completed it.

    Such a lesson still counts as completed on the lessons page; certification
    asks for the re-read only when renewing (quizzes/certification/rules.py).
    """
    if completed_at is None or content_changed_at is None:
        return False
    return completed_at < content_changed_at
