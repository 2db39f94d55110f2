"""DJANGO_CACHE_URL picks the cache every limit counts in; the limits' own settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from trainingsite.settings import LOCMEM_CACHE, REDIS_CACHE, cache_from_url

ROOT = Path(__file__).resolve().parents[2]


def settings_in_a_new_process(env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; print({expression})",
        ],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "trainingsite.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x" * 60,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_unset_keeps_local_memory():
    result = settings_in_a_new_process({}, "settings.CACHES['default']['BACKEND']")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == LOCMEM_CACHE


def test_a_redis_url_selects_djangos_redis_backend_with_the_prefix():
    result = settings_in_a_new_process(
        {"DJANGO_CACHE_URL": "redis://127.0.0.1:6379/3", "DJANGO_CACHE_KEY_PREFIX": "site-b"},
        "settings.CACHES['default']",
    )
    assert result.returncode == 0, result.stderr
    assert REDIS_CACHE in result.stdout
    assert "'LOCATION': 'redis://127.0.0.1:6379/3'" in result.stdout
    assert "'KEY_PREFIX': 'site-b'" in result.stdout


def test_an_unknown_scheme_stops_the_start_with_a_clear_message():
    result = settings_in_a_new_process(
        {"DJANGO_CACHE_URL": "memcached://user:s3cret@cache.internal:11211"}, "1"
    )
    assert result.returncode != 0
    assert "DJANGO_CACHE_URL must be a redis://, rediss://, unix:// or locmem:// URL" in (
        result.stderr
    )
    assert "s3cret" not in result.stderr  # the URL may hold a password: never echoed


@pytest.mark.parametrize(
    "url",
    [
        "redis://:pw@cache.internal:6379/0",
        "rediss://cache.internal:6380",
        "unix:///run/redis.sock?db=2",
        " redis://127.0.0.1/15 ",
    ],
)
def test_redis_urls_are_accepted(url):
    config = cache_from_url(url, key_prefix="p")
    assert config["BACKEND"] == REDIS_CACHE
    assert config["LOCATION"] == url.strip()
    assert config["KEY_PREFIX"] == "p"
    assert config["OPTIONS"]["socket_timeout"] > 0


def test_locmem_is_allowed_explicitly():
    config = cache_from_url("locmem://", key_prefix="p")
    assert config["BACKEND"] == LOCMEM_CACHE
    assert config["KEY_PREFIX"] == "p"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("memcached://cache:11211", "got the scheme 'memcached'"),
        ("127.0.0.1:6379", "must be a redis://"),
        ("", "got the scheme ''"),
        ("redis://", "needs a host"),
        ("redis://cache.internal:port/0", "port that is not a number"),
        ("redis://cache.internal:6379/zero", "must be a Redis database number"),
        ("redis://cache.internal:6379/١", "must be a Redis database number"),
    ],
)
def test_bad_urls_are_refused(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        cache_from_url(url, key_prefix="p")


def test_limit_defaults():
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT == 50
    assert settings.LOGIN_ADDRESS_WINDOW_SECONDS == 15 * 60
    assert settings.PASSWORD_RESET_ACCOUNT_LIMIT == 3
    assert settings.PASSWORD_RESET_ADDRESS_LIMIT == 10
    assert settings.PASSWORD_RESET_WINDOW_SECONDS == 60 * 60


def test_limits_come_from_the_environment():
    result = settings_in_a_new_process(
        {
            "DJANGO_LOGIN_ADDRESS_FAILURE_LIMIT": "80",
            "DJANGO_LOGIN_ADDRESS_WINDOW_MINUTES": "30",
            "DJANGO_PASSWORD_RESET_ACCOUNT_LIMIT": "2",
            "DJANGO_PASSWORD_RESET_ADDRESS_LIMIT": "20",
            "DJANGO_PASSWORD_RESET_WINDOW_MINUTES": "120",
        },
        "settings.LOGIN_ADDRESS_FAILURE_LIMIT, settings.LOGIN_ADDRESS_WINDOW_SECONDS,"
        " settings.PASSWORD_RESET_ACCOUNT_LIMIT, settings.PASSWORD_RESET_ADDRESS_LIMIT,"
        " settings.PASSWORD_RESET_WINDOW_SECONDS",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "80 1800 2 20 7200"


def test_a_limit_below_one_is_refused():
    result = settings_in_a_new_process({"DJANGO_PASSWORD_RESET_ACCOUNT_LIMIT": "0"}, "1")
    assert result.returncode != 0
    assert "DJANGO_PASSWORD_RESET_ACCOUNT_LIMIT must be at least 1; got 0." in result.stderr
