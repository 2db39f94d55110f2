"""A short-lived cache of the published content every trainee sees alike.

Lessons, quizzes and their structure change rarely and are the same for every
trainee, yet the trainee pages read them on every request. `content_cached`
keeps such reads in the default cache for CONTENT_CACHE_SECONDS. Any save or
delete of a content model clears them at once: every entry's key carries a
generation number, and a change starts a new generation. With a shared cache
(Redis through DJANGO_CACHE_URL, where the generation is a plain integer that
INCR bumps) that is immediate for every app process; with the default
local-memory cache, other processes catch up within CONTENT_CACHE_SECONDS.
Nothing about a particular trainee is ever cached here.
"""

import hashlib
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

GENERATION_KEY = "content-cache:generation"
MAX_KEY_LENGTH = 150
_MISSING = object()


def _generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A clock-based start never reuses the number of an evicted generation;
        # add() keeps a generation another process set meanwhile.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY) or time.time_ns()
    return generation


def content_cached(key: str, build: Callable[[], T]) -> T:
    """Return the cached value for `key` in the current generation, building it if absent."""
    seconds = settings.CONTENT_CACHE_SECONDS
    if seconds <= 0:
        return build()
    if len(key) > MAX_KEY_LENGTH:  # e.g. an absurd slug in a URL: memcached refuses long keys
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    full_key = f"content-cache:{_generation()}:{key}"
    value = cache.get(full_key, _MISSING)
    if value is _MISSING:
        value = build()
        cache.set(full_key, value, timeout=seconds)
    return value


def _new_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet, or it was evicted: start a fresh one
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def content_cache_clear(**kwargs) -> None:
    """Start a new generation: every entry cached before is ignored from now on.

    Now, and again once the transaction commits, so that a page that cached
    the old content meanwhile is not kept. Also a signal receiver (**kwargs).
    """
    _new_generation()
    transaction.on_commit(_new_generation, using=kwargs.get("using"))


def content_cache_watch(*models) -> None:
    """Clear the content cache whenever one of these models is saved or deleted.

    Bulk `QuerySet.update()` sends no signal: services that use it call
    content_cache_clear() themselves.
    """
    for model in models:
        uid = f"content-cache:{model._meta.label}"
        post_save.connect(content_cache_clear, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(content_cache_clear, sender=model, dispatch_uid=f"{uid}:delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                content_cache_clear,
                sender=field.remote_field.through,
                dispatch_uid=f"{uid}:{field.name}",
            )
