"""Count the SQL statements each request runs and report them in response headers.

Beside the statement count: the request's summed statement time, its whole
time inside Django, and (with the counting Redis connection of bench/cache.py)
its cache round trips, from which the benchmark derives its capacity model.

A request that sends COLD_CACHE_HEADER finds the cache empty (ColdCacheMiddleware):
the benchmark's cold steps measure a report with none of its snapshots to reuse.
"""

import time

from django.core.cache import cache
from django.db import connections

from bench import cache as cache_tally

QUERY_COUNT_HEADER = "X-Bench-Queries"
DB_MS_HEADER = "X-Bench-Db-Ms"
APP_MS_HEADER = "X-Bench-App-Ms"
CACHE_CALLS_HEADER = "X-Bench-Cache-Calls"
CACHE_MS_HEADER = "X-Bench-Cache-Ms"
COLD_CACHE_HEADER = "X-Bench-Cold-Cache"


class ColdCacheMiddleware:
    """Clear the worker's cache before a request that asks for it (bench settings only)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.headers.get(COLD_CACHE_HEADER) == "1":
            cache.clear()
        return self.get_response(request)


class QueryCountMiddleware:
    """Wrap every database connection's execution for the duration of one request.

    Counts every statement sent, transaction control included (SQLite's
    BEGIN, savepoints), the same way the suite's query budgets count them, and
    sums the time each statement took from send to result.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        count = 0
        database_seconds = 0.0
        cache_tally.reset()

        def counter(execute, sql, params, many, context):
            nonlocal count, database_seconds
            count += 1
            sent = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                database_seconds += time.perf_counter() - sent

        wrappers = [connection.execute_wrapper(counter) for connection in connections.all()]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        # A streamed response (the CSV export) runs its queries while it is sent;
        # the header can only report those run before the first byte.
        response[QUERY_COUNT_HEADER] = str(count)
        response[DB_MS_HEADER] = f"{database_seconds * 1000:.2f}"
        response[APP_MS_HEADER] = f"{(time.perf_counter() - started) * 1000:.2f}"
        response[CACHE_CALLS_HEADER] = str(cache_tally.tally["round_trips"])
        response[CACHE_MS_HEADER] = f"{cache_tally.tally['seconds'] * 1000:.2f}"
        return response
