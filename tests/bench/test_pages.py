"""The benchmark's reference pages and its query-count header."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.middleware import COLD_CACHE_HEADER, QUERY_COUNT_HEADER
from bench.views import BARE_BODY, FLOOR_TABLES

pytestmark = pytest.mark.django_db

TABLE = re.compile(r'(?:FROM|UPDATE|INTO) "(\w+)"')


def statement_tables(captured) -> list[str]:
    """Name the table each statement reads or writes, skipping transaction control."""
    tables = []
    for query in captured:
        sql = query["sql"]
        if sql.startswith(("BEGIN", "SAVEPOINT", "RELEASE SAVEPOINT")):
            continue
        match = TABLE.search(sql)
        tables.append(match.group(1) if match else sql)
    return tables


def test_bare_view_answers_without_database_session_or_cookies(bench_site, client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/bench/bare")

    assert response.status_code == 200
    assert response.content == BARE_BODY
    assert len(captured) == 0
    assert response[QUERY_COUNT_HEADER] == "0"
    assert response.cookies == {}
    assert "Cookie" not in response.get("Vary", "")


def test_floor_page_sends_anonymous_visitors_to_log_in(bench_site, client):
    response = client.get("/bench/floor")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/bench/floor"


def test_floor_page_runs_exactly_the_queries_it_claims(bench_site, trainee_client, trainee):
    with CaptureQueriesContext(connection) as captured:
        response = trainee_client.get("/bench/floor")

    assert response.status_code == 200
    assert f"Signed in as {trainee.username}." in response.content.decode()
    assert "<li>Trainee</li>" in response.content.decode()
    assert statement_tables(captured) == FLOOR_TABLES
    assert response[QUERY_COUNT_HEADER] == str(len(captured))


def test_query_count_header_counts_every_statement_of_a_site_page(bench_site, trainee_client):
    with CaptureQueriesContext(connection) as captured:
        response = trainee_client.get("/lessons/")

    assert response.status_code == 200
    assert int(response[QUERY_COUNT_HEADER]) == len(captured)
    assert len(captured) > len(FLOOR_TABLES)


def test_a_cold_steps_request_finds_the_cache_empty(bench_site, trainee_client):
    cache.set("bench-warm", 1)
    assert trainee_client.get("/lessons/").status_code == 200
    assert cache.get("bench-warm") == 1
    assert trainee_client.get("/lessons/", headers={COLD_CACHE_HEADER: "1"}).status_code == 200
    assert cache.get("bench-warm") is None


def test_bench_settings_keep_production_defaults():
    from bench import settings as bench_settings

    assert bench_settings.DEBUG is False
    assert bench_settings.SECRET_KEY
    assert bench_settings.MIDDLEWARE[:2] == [
        "bench.middleware.QueryCountMiddleware",
        "bench.middleware.ColdCacheMiddleware",
    ]
    assert bench_settings.MIDDLEWARE[2:] == settings.MIDDLEWARE
    assert bench_settings.SESSION_SAVE_EVERY_REQUEST is False
    assert bench_settings.SESSION_REFRESH_SECONDS == 300
