"""Delivery rules, pure: what counts as delivered, and when to try again."""

from datetime import timedelta

from trainingsite import backoff

# The schedule is the site's one back-off (trainingsite/backoff.py), shared with xAPI.
BACKOFF = backoff.BACKOFF
MAX_ATTEMPTS = backoff.MAX_TRIES
REQUEST_TIMEOUT_SECONDS = 5
# Enough of a receiver's error answer to see what it said.
ERROR_TEXT_LIMIT = 500


def is_delivered(status_code: int | None) -> bool:
    """Any 2xx answer; a redirect is not followed and counts as a failure."""
    return status_code is not None and 200 <= status_code < 300


def retry_after(attempts: int) -> timedelta | None:
    """The wait before the next try after `attempts` failed ones, or None: give up."""
    return backoff.retry_after(attempts)
