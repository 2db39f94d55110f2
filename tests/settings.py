"""Settings for the test suite: production settings (debug off) over plain http."""

import os

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault(
    "DJANGO_SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else-0123456789"
)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# The test client and the live server speak plain http.
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
os.environ.setdefault("DJANGO_HSTS_SECONDS", "0")
# Jobs run as they are enqueued (on commit); the worker proofs start a real db_worker.
os.environ.setdefault("DJANGO_TASKS_BACKEND", "immediate")

from trainingsite.settings import *  # noqa: E402,F403
from trainingsite.settings import STORAGES  # noqa: E402

# No collectstatic step in tests: serve from the app folders.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The suite clears the cache between tests: never a developer's Redis from
# DJANGO_CACHE_URL. The tests that need Redis make their own connection
# (tests/trainingsite/test_ratelimit.py, tests/hardening/test_ratelimit_workers.py).
CACHES = {"default": cache_from_url("locmem://", key_prefix="tests")}  # noqa: F405
