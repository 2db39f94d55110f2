"""Count the Redis round trips (and their time) of each request: bench settings only.

bench/settings.py hands CountingConnection to Django's Redis cache backend
(OPTIONS "connection_class") when DJANGO_CACHE_URL names a Redis, and
bench.middleware.QueryCountMiddleware reports the tally per request. A round
trip is one packed send to the server: a single command, or a whole pipeline
(set_many, delete_many). A sync gunicorn worker serves one request at a time,
so one tally per process is exact.
"""

import time

from redis.connection import Connection

tally = {"round_trips": 0, "seconds": 0.0}


def reset() -> None:
    tally["round_trips"] = 0
    tally["seconds"] = 0.0


class CountingConnection(Connection):
    """A Redis connection that counts its sends and times each send and read."""

    def send_packed_command(self, command, check_health=True):
        tally["round_trips"] += 1
        started = time.perf_counter()
        try:
            return super().send_packed_command(command, check_health=check_health)
        finally:
            tally["seconds"] += time.perf_counter() - started

    def read_response(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return super().read_response(*args, **kwargs)
        finally:
            tally["seconds"] += time.perf_counter() - started
