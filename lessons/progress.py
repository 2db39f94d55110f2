"""Reading progress rules: plain functions, no database."""


def completion_percent(*, done: int, total: int) -> int:
    """Return the whole percentage of lessons done, rounded down; 0 when there are none."""
    if total <= 0:
        return 0
    done = max(0, min(done, total))
    return done * 100 // total
