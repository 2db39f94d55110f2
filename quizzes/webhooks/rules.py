"""Delivery rules, pure: what counts as delivered, and when to try again."""

from datetime import timedelta

# The waits after the 1st, 2nd, ... failed try; after the last one the delivery has failed.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
REQUEST_TIMEOUT_SECONDS = 5
# Enough of a receiver's error answer to see what it said.
ERROR_TEXT_LIMIT = 500


def is_delivered(status_code: int | None) -> bool:
    """Any 2xx answer; a redirect is not followed and counts as a failure."""
    return status_code is not None and 200 <= status_code < 300


def retry_after(attempts: int) -> timedelta | None:
    """The wait before the next try after `attempts` failed ones, or None: give up."""
    if attempts < 1 or attempts > len(BACKOFF):
        return None
    return BACKOFF[attempts - 1]
