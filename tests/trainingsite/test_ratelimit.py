"""The shared rate limiter and the cache's other users, on local memory and on the real Redis.

The Redis runs are against the Redis at HARDENING_REDIS_URL (CI runs one at
127.0.0.1:6379): skipped when it does not answer, failed in CI. Each test keeps
its keys under a prefix of its own and deletes them afterwards; nothing here
calls cache.clear(), which on Redis would empty the whole shared database.
"""

import threading
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.core.cache import cache
from django.test import RequestFactory

from lessons.models import Lesson
from quizzes.reports.snapshot import status_snapshot
from tests.builders import assign_to_cohort, make_cohort, make_program, make_topic_and_lesson
from tests.hardening.realserver import REDIS_URL, redis_forget, require_redis
from trainingsite.content_cache import GENERATION_KEY, content_cache_clear, content_cached
from trainingsite.ratelimit import (
    RATE_LIMITED_STATUS,
    Limit,
    _keys,
    rate_limit_check,
    rate_limit_hit,
    rate_limit_peek,
    rate_limit_reset,
    rate_limited_response,
)
from trainingsite.settings import cache_from_url

LIMIT = Limit(name="test:thing", limit=5, window=600)
MOMENT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
THREADS = 8


@pytest.fixture(params=["locmem", "redis"])
def backend(request, settings):
    """The default cache as local memory (the tests' own) or the real Redis."""
    if request.param == "locmem":
        yield SimpleNamespace(name="locmem", client=None)
        return
    client = require_redis()
    prefix = f"test-ratelimit-{uuid.uuid4().hex}"
    settings.CACHES = {"default": cache_from_url(REDIS_URL, key_prefix=prefix)}
    try:
        yield SimpleNamespace(name="redis", client=client)
    finally:
        redis_forget(client, prefix)
        client.close()


def redis_ttl(backend, key: str) -> int:
    """Seconds until Redis expires the cache key (-1: never, -2: no such key)."""
    return backend.client.ttl(cache.make_key(key))


def test_exactly_the_limit_passes_then_a_refusal_until_the_window_closes(backend):
    with time_machine.travel(MOMENT, tick=False):
        verdicts = [rate_limit_hit(LIMIT, "203.0.113.5") for _ in range(LIMIT.limit + 2)]
    assert [v.allowed for v in verdicts] == [True] * LIMIT.limit + [False, False]
    assert [v.count for v in verdicts] == list(range(1, LIMIT.limit + 3))
    assert verdicts[-1].retry_after == LIMIT.window


def test_retry_after_counts_down_from_the_first_hit(backend):
    with time_machine.travel(MOMENT, tick=False) as clock:
        for _ in range(LIMIT.limit):
            rate_limit_hit(LIMIT, "203.0.113.5")
        clock.shift(timedelta(minutes=4))
        verdict = rate_limit_hit(LIMIT, "203.0.113.5")
    assert verdict.allowed is False
    assert verdict.retry_after == LIMIT.window - 4 * 60


def test_another_identity_and_another_limit_count_apart(backend):
    other_limit = Limit(name="test:other", limit=1, window=60)
    for _ in range(LIMIT.limit + 1):
        rate_limit_hit(LIMIT, "203.0.113.5")
    assert rate_limit_hit(LIMIT, "203.0.113.6").allowed is True
    assert rate_limit_hit(other_limit, "203.0.113.5").allowed is True


def test_check_and_peek_count_nothing(backend):
    for _ in range(LIMIT.limit - 1):
        rate_limit_hit(LIMIT, "a")
    for _ in range(3):
        assert rate_limit_check(LIMIT, "a").allowed is True
        assert rate_limit_peek(LIMIT, "a") is False
    assert rate_limit_hit(LIMIT, "a").allowed is True  # the limit-th hit
    assert rate_limit_peek(LIMIT, "a") is True
    with time_machine.travel(MOMENT, tick=False):
        assert rate_limit_check(LIMIT, "a").retry_after > 0


def test_reset_opens_a_new_window(backend):
    for _ in range(LIMIT.limit + 1):
        rate_limit_hit(LIMIT, "a")
    rate_limit_reset(LIMIT, "a")
    assert rate_limit_hit(LIMIT, "a").count == 1


def test_any_characters_in_the_identity_are_fine(backend):
    for identity in ("\x00", "é" * 500, "a b\nc", "\udc80"):
        assert rate_limit_hit(LIMIT, identity).allowed is True


def test_concurrent_hits_pass_exactly_the_limit(backend):
    limit = Limit(name="test:threads", limit=37, window=600)
    allowed, lock, barrier = [], threading.Lock(), threading.Barrier(THREADS)

    def hammer():
        barrier.wait()
        mine = [rate_limit_hit(limit, "one-address").allowed for _ in range(20)]
        with lock:
            allowed.extend(mine)

    threads = [threading.Thread(target=hammer) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == THREADS * 20
    assert allowed.count(True) == limit.limit


def test_the_window_closes_after_its_seconds_on_local_memory():
    with time_machine.travel(MOMENT, tick=False) as clock:
        for _ in range(LIMIT.limit + 1):
            rate_limit_hit(LIMIT, "a")
        clock.shift(timedelta(seconds=LIMIT.window - 1))
        assert rate_limit_hit(LIMIT, "a").allowed is False
        clock.shift(timedelta(seconds=2))
        verdict = rate_limit_hit(LIMIT, "a")
    assert (verdict.allowed, verdict.count) == (True, 1)


def test_on_redis_both_keys_of_a_window_expire_with_it(backend):
    if backend.name != "redis":
        pytest.skip("Redis keeps the expiry itself; local memory is covered above")
    rate_limit_hit(LIMIT, "a")
    for key in _keys(LIMIT, "a"):
        assert 0 < redis_ttl(backend, key) <= LIMIT.window


def test_a_counter_left_without_expiry_gets_one(backend):
    # What Django's Redis incr (EXISTS, then INCR) leaves when the key expires in
    # between: a count of 1 that would never expire, so the address stayed limited.
    key, _ = _keys(LIMIT, "a")
    cache.set(key, 0, timeout=None)
    with time_machine.travel(MOMENT, tick=False) as clock:
        assert rate_limit_hit(LIMIT, "a").count == 1
        if backend.name == "redis":
            assert 0 < redis_ttl(backend, key) <= LIMIT.window
        else:
            clock.shift(timedelta(seconds=LIMIT.window + 1))
            assert cache.get(key) is None


def test_the_refusal_page_says_when_to_come_back():
    request = RequestFactory().get("/")
    response = rate_limited_response(request, message="Slow down, please.", retry_after=61)
    assert response.status_code == RATE_LIMITED_STATUS
    assert response["Retry-After"] == "61"
    body = response.content.decode()
    assert 'role="alert">Slow down, please.' in body
    assert "about 2 minutes" in body


# The cache's other users, on the same backends.


@pytest.mark.django_db
def test_content_cache_round_trips_models_and_clears(backend):
    _, lesson = make_topic_and_lesson()
    builds = []

    def build():
        builds.append(1)
        return list(Lesson.objects.select_related("topic").filter(pk=lesson.pk))

    first = content_cached("lesson-list", build)
    second = content_cached("lesson-list", build)
    assert second == first and second[0].topic.title == lesson.topic.title
    assert len(builds) == 1
    generation = cache.get(GENERATION_KEY)
    content_cache_clear()  # an increment: the stored generation must stay an integer
    assert cache.get(GENERATION_KEY) == generation + 1
    content_cached("lesson-list", build)
    assert len(builds) == 2


@pytest.mark.django_db
def test_report_snapshot_is_reused_from_the_cache(backend, manager, django_assert_num_queries):
    _, lesson = make_topic_and_lesson()
    program = make_program(name="Foundation", lessons=[lesson], quizzes=[], validity_months=None)
    cohort = make_cohort(name="Alpha Clinic", managers=[manager])
    assign_to_cohort(cohort, program)
    built = status_snapshot(cohort_ids=[cohort.pk])
    with django_assert_num_queries(0):
        reused = status_snapshot(cohort_ids=[cohort.pk])
    assert reused == built
