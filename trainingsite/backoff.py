"""Back-off for jobs that try again later, pure: how long to wait after each failed try.

One schedule for every job that retries (webhook deliveries, xAPI statements), so a
receiver that is down for an afternoon sees the same pattern from all of them: quick
retries for a blip, then hours apart, then the job gives up and says so.
"""

from datetime import timedelta

# The waits after the 1st, 2nd, ... failed try; after the last one the job has failed.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_TRIES = len(BACKOFF) + 1


def retry_after(tries: int) -> timedelta | None:
    """The wait before the next try after `tries` failed ones, or None: give up."""
    if tries < 1 or tries > len(BACKOFF):
        return None
    return BACKOFF[tries - 1]
