"""Count the SQL statements each request runs and report them in a response header."""

from django.db import connections

QUERY_COUNT_HEADER = "X-Bench-Queries"


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
