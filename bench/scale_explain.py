"""The SQL of each measured page, and the plans of its slowest statements (bench-scale).

    python -m bench.scale_explain PAGES.json OUT.json

PAGES.json: {"username": ..., "pages": [{"key": ..., "path": ...}, ...]}. Under
bench.settings, each page is requested once in-process (Django's test client, signed
in as the manager, the cache emptied first so that the statuses are decided as on a
cold request) while every statement is recorded with its parameters and time; the three
slowest reads are then run again under ``EXPLAIN (ANALYZE, BUFFERS)`` with the same
parameters, and the indexes each plan uses are named.
"""

import json
import os
import re
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

SLOWEST = 3
INDEX_USED = re.compile(
    r"(?:Index Scan|Index Only Scan)(?: Backward)? using (\S+)|Bitmap Index Scan on (\S+)"
)
SEQ_SCAN = re.compile(r"Seq Scan on (\S+)")


class Recorder:
    """An execute wrapper that keeps every statement, its parameters and its time."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append(
                {
                    "sql": sql,
                    "params": None if many else params,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                }
            )


def _consume(response) -> int:
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def _explain(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def indexes_named(plan: str) -> list[str]:
    """The indexes a plan reads, in order of first use."""
    found = []
    for match in INDEX_USED.finditer(plan):
        name = match.group(1) or match.group(2)
        if name not in found:
            found.append(name)
    return found


def page_plans(client: Client, path: str) -> dict:
    cache.clear()
    recorder = Recorder()
    started = time.perf_counter()
    with connection.execute_wrapper(recorder):
        response = client.get(path)
        size = _consume(response)
    total_ms = round((time.perf_counter() - started) * 1000, 1)
    reads = [
        s
        for s in recorder.statements
        if s["params"] is not None and s["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
    ]
    slowest = sorted(reads, key=lambda s: s["ms"], reverse=True)[:SLOWEST]
    plans = []
    for statement in slowest:
        plan = _explain(statement["sql"], statement["params"])
        plans.append(
            {
                "ms_in_page": statement["ms"],
                "sql": statement["sql"],
                "params": [str(p) for p in statement["params"] or ()],
                "plan": plan,
                "indexes": indexes_named(plan),
                "seq_scans": sorted(set(SEQ_SCAN.findall(plan))),
            }
        )
    return {
        "path": path,
        "status": response.status_code,
        "bytes": size,
        "ms_cold_in_process": total_ms,
        "statements": len(recorder.statements),
        "sql_ms": round(sum(s["ms"] for s in recorder.statements), 1),
        "slowest": plans,
    }


def main(argv: list[str]) -> int:
    pages_path, out_path = argv
    with open(pages_path) as handle:
        spec = json.load(handle)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=spec["username"]))
    result = {page["key"]: page_plans(client, page["path"]) for page in spec["pages"]}
    with open(out_path, "w") as handle:
        json.dump(result, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
