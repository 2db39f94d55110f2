"""Database work of the benchmark, run under bench.settings by bench/run.py.

python -m bench.dbtasks prepare STATE.json --users 10
    choose the accounts the load signs in as, give them the bench password
    (hashed once), make the managers' API tokens, revoke a few certificates so
    that the look-ups see every verification state, and list the slugs, codes
    and ids the traffic needs.
python -m bench.dbtasks verify STATE.json EXPECTED.json
    count the answers the load tool saw confirmed that the database lost.
"""

import argparse
import json
import os
import sys
from datetime import timedelta
from itertools import chain, zip_longest

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from lessons.models import Lesson  # noqa: E402
from lessons.services import lesson_complete  # noqa: E402
from quizzes.api.services import api_token_create  # noqa: E402
from quizzes.certification.services import certificate_revoke  # noqa: E402
from quizzes.models import (  # noqa: E402
    Attempt,
    AttemptAnswer,
    Bank,
    Certificate,
    Cohort,
    Program,
    Quiz,
)
from trainingsite.demo import DEMO_ACCOUNTS  # noqa: E402
from trainingsite.roles import Role  # noqa: E402

BENCH_PASSWORD = "bench-load-password-2026"
BENCH_PREFIX = "bench-"
LOAD_PREFIX = "load-"
DEMO_USERNAMES = {account.username for account in DEMO_ACCOUNTS}
API_TOKEN_NAME = "bench load"
# Codes per verification state (valid, expired, revoked) that the look-ups cycle over.
CODES_PER_STATE = 30
REVOKE_REASON = "Revoked by the benchmark's set-up, so that look-ups see every state."


def _trainees(*, count: int) -> list[str]:
    """Return `count` trainees: generated ones (with their history) first, bench ones to fill."""
    User = get_user_model()
    group = Group.objects.get(name=Role.TRAINEE)
    candidates = User.objects.filter(groups=group, is_active=True, is_superuser=False).exclude(
        username__startswith=BENCH_PREFIX
    )
    # The generated trainees (generate_load_data) first; the demo trainee keeps its password.
    # Only those with no certificate and no passed exam: a pass at the bench quiz is then
    # never held back until renewal (quizzes.certification.rules.quiz_retake_hold) and
    # completes no program (each ends in an exam), so every start of the steps stays open.
    passed_exam = Attempt.objects.filter(quiz__bank=Bank.EXAM, passed=True).values("user_id")
    names = list(
        candidates.filter(username__startswith=LOAD_PREFIX, certificates__isnull=True)
        .exclude(pk__in=passed_exam)
        .order_by("id")
        .values_list("username", flat=True)[:count]
    )
    names += list(
        candidates.exclude(username__startswith=LOAD_PREFIX)
        .exclude(username__in=DEMO_USERNAMES)
        .order_by("id")
        .values_list("username", flat=True)[: count - len(names)]
    )
    for number in range(count - len(names)):
        names.append(_bench_user(f"trainee-{number:02d}", Role.TRAINEE).username)
    return names


def _bench_user(suffix: str, role: str):
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=f"{BENCH_PREFIX}{suffix}",
        defaults={"email": f"{BENCH_PREFIX}{suffix}@example.com", "first_name": "Bench"},
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def _organisation_managers(*, count: int) -> list[str]:
    """Return `count` managers of every cohort: the largest scope a manager's pages serve."""
    managers = [_bench_user(f"manager-{number:02d}", Role.MANAGER) for number in range(count)]
    for cohort in Cohort.objects.all():
        cohort.managers.add(*managers)
    return [manager.username for manager in managers]


def _bench_quiz() -> Quiz:
    """The first published quiz a trainee can retake at will, answered on the paged page.

    No attempt limit, timer or waiting time, and no written answers. A topic quiz set to
    immediate feedback is answered one question at a time (quizzes/practice/) instead of
    on the paged attempt page that the attempt, autosave and quiz-flow steps measure; when
    every candidate is one, the bench database sets the first to deferred feedback.
    """
    deferred = Quiz.PracticeBehaviour.DEFERRED
    candidates = (
        Quiz.objects.published()
        .filter(
            max_attempts__isnull=True,
            time_limit_minutes__isnull=True,
            retake_wait_minutes=0,
            hand_marked=False,
        )
        .order_by("order", "id")
    )
    quiz = candidates.filter(practice_behaviour=deferred).first() or candidates.first()
    if quiz is None:
        raise SystemExit("No published quiz without attempt limit, timer, waiting time or marking.")
    if quiz.practice_behaviour != deferred:
        Quiz.objects.filter(pk=quiz.pk).update(practice_behaviour=deferred)
        quiz.practice_behaviour = deferred
    return quiz


def _trainee_filters() -> list[str]:
    """Filtered views of the trainees table, as a manager would ask for them."""
    filters = ["status=overdue", "status=in_progress&sort=-activity", "status=certified&sort=due"]
    program = Program.objects.order_by("id").first()
    cohort = Cohort.objects.order_by("id").first()
    if program is not None:
        filters.append(f"program={program.pk}&status=not_started")
    if cohort is not None:
        filters.append(f"cohort={cohort.slug}&sort=-percent")
    filters.append("q=an&page=2")
    return filters


def _retention_filters() -> list[str]:
    """The trainees table read for retention: below the threshold, sorted on recall."""
    filters = ["retention=below&sort=critical", "sort=-recall", "retention=below&page=2"]
    cohort = Cohort.objects.order_by("id").first()
    if cohort is not None:
        filters.append(f"cohort={cohort.slug}&retention=below&sort=critical")
    return filters


def _api_tokens(*, usernames: list[str]) -> list[str]:
    """Make one API token per manager through the real service; return the plaintexts.

    A plaintext is shown only when its token is made, so every set-up makes new ones;
    they expire after a day, so earlier runs' tokens do not pile up as active.
    """
    User = get_user_model()
    expires_at = timezone.now() + timedelta(days=1)
    return [
        api_token_create(owner=owner, name=API_TOKEN_NAME, expires_at=expires_at)[1]
        for owner in User.objects.filter(username__in=usernames).order_by("username")
    ]


def _certificate_codes(*, revoker_username: str) -> dict:
    """Real codes in each verification state, revoking valid ones through the service if needed.

    Certificates of the last trainees are revoked: the trainee steps sign in as the first.
    """
    now = timezone.now()
    revoker = get_user_model().objects.get(username=revoker_username)
    live = Certificate.objects.filter(revoked_at__isnull=True)
    valid = live.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).order_by("-pk")
    revoked = Certificate.objects.filter(revoked_at__isnull=False)
    for certificate in valid[: max(0, CODES_PER_STATE - revoked.count())]:
        certificate_revoke(certificate=certificate, by=revoker, reason=REVOKE_REASON)
    states = {
        "valid": valid.order_by("pk"),
        "expired": live.filter(expires_at__lte=now).order_by("pk"),
        "revoked": revoked.order_by("pk"),
    }
    codes = {
        state: [c.display_code for c in queryset.only("code")[:CODES_PER_STATE]]
        for state, queryset in states.items()
    }
    # Interleaved, so that every user's cycle meets the three states in turn.
    mixed = [code for code in chain(*zip_longest(*codes.values())) if code is not None]
    return {"codes": mixed, "code_states": {state: len(found) for state, found in codes.items()}}


def _api_trainee_queries() -> list[str]:
    """The trainees list as an integration asks for it: all, one cohort, a search."""
    queries = ["limit=100"]
    largest = Cohort.objects.annotate(size=Count("memberships")).order_by("-size", "id")
    for cohort in largest.values_list("slug", flat=True)[:2]:
        queries.append(f"limit=100&cohort={cohort}")
    queries.append("limit=100&q=an")
    return queries


@transaction.atomic
def prepare(*, users: int) -> dict:
    User = get_user_model()
    trainees = _trainees(count=users)
    managers = _organisation_managers(count=users)
    # One hash for all: hashing 20 passwords would cost seconds for nothing.
    User.objects.filter(username__in=[*trainees, *managers]).update(
        password=make_password(BENCH_PASSWORD)
    )
    quiz = _bench_quiz()
    for user in User.objects.filter(username__in=trainees):
        for lesson in quiz.prerequisite_lessons.all():
            lesson_complete(user=user, lesson=lesson)
    return {
        "password": BENCH_PASSWORD,
        "trainees": trainees,
        "managers": managers,
        "api_tokens": _api_tokens(usernames=managers),
        "api_trainee_queries": _api_trainee_queries(),
        **_certificate_codes(revoker_username=managers[0]),
        "lessons": list(Lesson.objects.published().values_list("slug", flat=True)),
        "quiz": quiz.slug,
        "trainee_filters": _trainee_filters(),
        "retention_filters": _retention_filters(),
        "trainee_count": User.objects.filter(cohort_memberships__isnull=False).distinct().count(),
    }


def _position_ids(paper: dict) -> dict[str, list[int]]:
    """Map each question id (as the page names it) to its choice ids by position."""
    return {
        str(question["id"]): [choice["id"] for choice in question["choices"]]
        for question in paper.get("questions", [])
    }


def verify(*, expected: list[dict]) -> dict:
    """Count answers the load tool saw confirmed that the database does not hold."""
    lost = []
    checked = 0
    # The last confirmation of each attempt is the one the database must hold.
    latest = {entry["attempt_url"]: entry for entry in expected}
    for entry in latest.values():
        uuid = entry["attempt_url"].rstrip("/").rsplit("/", 1)[-1]
        attempt = Attempt.objects.filter(uuid=uuid).first()
        if attempt is None:
            lost.append(f"attempt {uuid} is missing")
            continue
        if entry["submitted"] and attempt.state != Attempt.State.SUBMITTED:
            lost.append(f"attempt {uuid} was submitted but is {attempt.state}")
        positions = _position_ids(attempt.paper)
        saved = {
            str(row.question_id): sorted(row.selected)
            for row in AttemptAnswer.objects.filter(attempt=attempt)
        }
        for question, chosen in entry["answers"].items():
            checked += 1
            wanted = sorted(positions[question][position] for position in chosen)
            if saved.get(question) != wanted:
                lost.append(f"attempt {uuid} question {question}: saved {saved.get(question)}")
    return {
        "attempts": len(latest),
        "answers_checked": checked,
        "lost": len(lost),
        "details": lost[:20],
    }


def export_queries(*, username: str) -> dict:
    """Count every SQL statement of one full trainees CSV export, streaming included."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=username))
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/reports/trainees.csv")
        rows = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
    return {"status": response.status_code, "rows": rows, "queries": len(captured)}


def analyze() -> None:
    """Refresh the planner statistics after prepare, as generate_load_data does after building.

    The bench managers just joined every cohort: with the statistics taken before,
    PostgreSQL estimates one cohort for them and plans the reports for ~200 trainees.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dbtasks")
    commands = parser.add_subparsers(dest="command", required=True)
    prepare_parser = commands.add_parser("prepare")
    prepare_parser.add_argument("state")
    prepare_parser.add_argument("--users", type=int, default=10)
    verify_parser = commands.add_parser("verify")
    verify_parser.add_argument("expected")
    verify_parser.add_argument("result")
    export_parser = commands.add_parser("export-queries")
    export_parser.add_argument("state")
    export_parser.add_argument("result")
    args = parser.parse_args(argv)

    if args.command == "prepare":
        state = prepare(users=args.users)
        analyze()
        with open(args.state, "w") as handle:
            json.dump(state, handle, indent=1)
        return 0
    if args.command == "export-queries":
        with open(args.state) as handle:
            state = json.load(handle)
        with open(args.result, "w") as handle:
            json.dump(export_queries(username=state["managers"][0]), handle)
        return 0
    with open(args.expected) as handle:
        expected = json.load(handle)
    outcome = verify(expected=expected)
    with open(args.result, "w") as handle:
        json.dump(outcome, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
