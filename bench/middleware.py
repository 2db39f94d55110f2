"""Count the SQL statements each request runs and report them in a response header.

A request that sends COLD_CACHE_HEADER finds the cache empty (ColdCacheMiddleware):
the benchmark's cold steps measure a report with none of its snapshots to reuse.
"""

from django.core.cache import cache
from django.db import connections

QUERY_COUNT_HEADER = "X-Bench-Queries"
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
    BEGIN, savepoints), the same way the suite's query budgets count them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

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
        return response
