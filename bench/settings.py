"""Settings for the benchmark: the production settings, debug off, plus two reference pages.

The site runs exactly as deployed except for what a loopback benchmark needs:
plain http (no TLS redirect, no secure-only cookies), its own database and
static folder, the bare view and the floor page (bench/urls.py), a
middleware that reports each request's SQL statement count in a header, one
that empties the cache before a cold step's request, a
per-token API limit the load cannot reach, and one trusted proxy hop (the
public look-ups' client addresses come from X-Forwarded-For). With a Redis
cache (DJANGO_CACHE_URL), its connections count their round trips per request
(bench/cache.py).
"""

import os
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault(
    "DJANGO_SECRET_KEY", "bench-only-secret-key-never-used-for-a-real-site-0123456789abcdef"
)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
# Loopback speaks plain http; TLS hardening would redirect or drop cookies.
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
os.environ.setdefault("DJANGO_HSTS_SECONDS", "0")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
# The API allows 600 requests a minute per token; one bench user alone sends more,
# and the step measures the list, not the limit (still counted on every request).
os.environ.setdefault("DJANGO_API_RATE_LIMIT_PER_MINUTE", "1000000")
# As behind the load balancer of a deployment: the client's address comes from
# X-Forwarded-For, so the public look-ups arrive from many addresses, each under
# the verification limit of 30 in 10 minutes. Requests without the header (every
# other step) count under the loopback address, as before.
os.environ.setdefault("DJANGO_TRUSTED_PROXY_COUNT", "1")

from bench.cache import CountingConnection  # noqa: E402
from trainingsite.settings import *  # noqa: E402,F403
from trainingsite.settings import (  # noqa: E402
    BASE_DIR,
    CACHES,
    DATABASES,
    MIDDLEWARE,
    TEMPLATES,
)

ROOT_URLCONF = "bench.urls"

# Outermost, so that it counts the statements of every other middleware too
# (session load and save, user, lockout checks).
MIDDLEWARE = [
    "bench.middleware.QueryCountMiddleware",
    # The cold steps' requests clear the cache first (X-Bench-Cold-Cache: 1).
    "bench.middleware.ColdCacheMiddleware",
    *MIDDLEWARE,
]

TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BENCH_DIR / "templates"]}]

# A fresh SQLite file per run (bench/run.py deletes it first); PostgreSQL comes
# from DATABASE_URL, which bench/run.py points at a database of its own.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = Path(
        os.environ.get("BENCH_SQLITE_PATH", BASE_DIR / "var" / "bench" / "bench.sqlite3")
    )

# The two-server steps share a Redis cache: count its round trips (X-Bench-Cache-Calls).
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["OPTIONS"] = {
        **CACHES["default"]["OPTIONS"],
        "connection_class": CountingConnection,
    }
