"""Profile one page of the benchmark's database in-process: where the time goes, which SQL.

    .venv/bin/python bench/profile.py /reports/ --user bench-manager-00 [--repeat 3]
    .venv/bin/python bench/profile.py /api/v1/trainees?limit=100 --user bench-manager-00
    .venv/bin/python bench/profile.py /certificates/verify/<code>/ --anonymous

An /api/ path is sent with a new API token of the user (made through the real
service, expiring in an hour) instead of a session.

Uses bench.settings and the database bench/run.py last built (SQLite, or
DATABASE_URL pointed at the bench database). pyinstrument comes from the load
tool's environment (bench/.venv-load), so the app's dependencies stay clean.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for site in sorted((ROOT / "bench" / ".venv-load" / "lib").glob("python3*/site-packages")):
    sys.path.append(str(site))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DJANGO_STATIC_ROOT", str(ROOT / "var" / "bench" / "static"))
os.environ.setdefault("BENCH_SQLITE_PATH", str(ROOT / "var" / "bench" / "bench.sqlite3"))

import django  # noqa: E402

django.setup()

from datetime import timedelta  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from quizzes.api.services import api_token_create  # noqa: E402


def consume(response) -> int:
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--user")
    who.add_argument("--anonymous", action="store_true", help="No session, no token.")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--slowest", type=int, default=8, help="How many slow queries to show.")
    args = parser.parse_args()

    from pyinstrument import Profiler

    client = Client(HTTP_HOST="127.0.0.1")
    if args.user and args.path.startswith("/api/"):
        _, token = api_token_create(
            owner=get_user_model().objects.get(username=args.user),
            name="bench profile",
            expires_at=timezone.now() + timedelta(hours=1),
        )
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    elif args.user:
        client.force_login(get_user_model().objects.get(username=args.user))
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(args.path)
        size = consume(response)
        first = time.perf_counter() - started
    print(f"{args.path}: {response.status_code}, {size} bytes, {first * 1000:.0f} ms (first)")
    print(f"{len(captured)} SQL statements; slowest:")
    for query in sorted(captured, key=lambda q: float(q["time"]), reverse=True)[: args.slowest]:
        print(f"  {float(query['time']) * 1000:8.1f} ms  {query['sql'][:400]}")

    profiler = Profiler(interval=0.001)
    profiler.start()
    started = time.perf_counter()
    for _ in range(args.repeat):
        consume(client.get(args.path))
    elapsed = (time.perf_counter() - started) / args.repeat
    profiler.stop()
    print(f"mean over {args.repeat}: {elapsed * 1000:.0f} ms")
    print(profiler.output_text(unicode=False, color=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
