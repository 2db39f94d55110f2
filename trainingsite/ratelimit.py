"""Rate limits: count requests per key in the shared cache, refuse over the limit.

Every limit of the site (certificate verification, join codes, log-ins from one
address, password-reset mails) counts here, in Django's default cache. With
several app servers or workers that cache must be shared (Redis through
DJANGO_CACHE_URL, see the README); the zero-set-up in-memory cache counts per
process.

A window opens at a key's first hit and lasts `window` seconds. The first hit
is an atomic add (Redis SET NX with its expiry), every later one an atomic
increment, so exactly `limit` hits pass in a window however many workers share
it (tests/hardening/test_ratelimit_workers.py: gunicorn, 4 workers, Redis).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

RATE_LIMITED_STATUS = 429
RATE_LIMITED_TEMPLATE = "rate_limited.html"


@dataclass(frozen=True)
class Limit:
    """At most `limit` hits per key in `window` seconds, under the name `name`."""

    name: str
    limit: int
    window: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window closes (0 while allowed)


def _keys(limit: Limit, identity: str) -> tuple[str, str]:
    # Hash the identity: an address, a username or an e-mail may hold any character.
    digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    base = f"ratelimit:{limit.name}:{digest}"
    return base, f"{base}:opened"


# Adding and incrementing race only when a window closes in between; a few
# tries always settle it.
COUNT_TRIES = 3


def _count(key: str, opened_key: str, window: int, now: float) -> int:
    """Count one hit; open a new window (count 1, expiring in `window` s) if none is open."""
    for _ in range(COUNT_TRIES):
        if cache.add(key, 1, timeout=window):
            cache.set(opened_key, now, timeout=window)
            return 1
        try:
            count = cache.incr(key)
        except ValueError:  # the window closed between add and incr: open the next
            continue
        if count == 1:
            # Django's Redis incr is EXISTS then INCR: a key that expired in
            # between comes back from INCR as 1 with no expiry. Give it one.
            cache.touch(key, timeout=window)
            cache.set(opened_key, now, timeout=window)
        return count
    cache.set(key, 1, timeout=window)
    cache.set(opened_key, now, timeout=window)
    return 1


def _verdict(limit: Limit, opened_key: str, count: int, now: float) -> Verdict:
    if count <= limit.limit:
        return Verdict(allowed=True, count=count, retry_after=0)
    opened = cache.get(opened_key, now)
    retry = max(1, math.ceil(opened + limit.window - now))
    return Verdict(allowed=False, count=count, retry_after=min(retry, limit.window))


def rate_limit_hit(limit: Limit, identity: str) -> Verdict:
    """Count one hit for `identity`; say whether it is within the limit."""
    key, opened_key = _keys(limit, identity)
    now = time.time()
    return _verdict(limit, opened_key, _count(key, opened_key, limit.window, now), now)


def rate_limit_check(limit: Limit, identity: str) -> Verdict:
    """Say whether one more hit would be within the limit, without counting it."""
    key, opened_key = _keys(limit, identity)
    return _verdict(limit, opened_key, (cache.get(key) or 0) + 1, time.time())


def rate_limit_peek(limit: Limit, identity: str) -> bool:
    """True while `identity` is over the limit, without counting a hit."""
    return not rate_limit_check(limit, identity).allowed


def rate_limit_reset(limit: Limit, identity: str) -> None:
    cache.delete_many(list(_keys(limit, identity)))


def rate_limited_response(
    request: HttpRequest, *, message: str, retry_after: int, title: str = "Too many requests"
) -> HttpResponse:
    """The styled 429 page with a Retry-After header."""
    minutes = max(1, math.ceil(retry_after / 60))
    response = render(
        request,
        RATE_LIMITED_TEMPLATE,
        {"title": title, "message": message, "retry_minutes": minutes},
        status=RATE_LIMITED_STATUS,
    )
    response["Retry-After"] = str(retry_after)
    return response
