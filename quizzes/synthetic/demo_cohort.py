"""The demo cohort: the demo manager's clinic, with the demo trainee and a spread of progress.

Called by `manage.py setup_demo` after the programs are loaded; running it
again changes nothing. The generated trainees cannot log in (unusable
passwords); they exist so that the manager's reports have something to show.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from quizzes.cohorts.tokens import join_code_format, join_code_new
from quizzes.models import Cohort, CohortMembership, CohortProgram, Program, ProgramAssignment
from quizzes.synthetic.load_data import HistoryWriter, LoadResult, content_spec, plan_trainee
from trainingsite.roles import Role

DEMO_COHORT_NAME = "Riverside Clinic — 2026 intake"
DEMO_COHORT_SLUG = "riverside-2026"
DEMO_SEED = 20261126

# (first name, last name, planned outcome, individual due date in days from today or None)
DEMO_PEOPLE = [
    ("Amira", "Haddad", "certified", None),
    ("Ben", "Okafor", "certified", None),
    ("Chloe", "Murphy", "certified", None),
    ("Dev", "Patel", "expiring", None),
    ("Elena", "Rossi", "expired", None),
    ("Farah", "Usman", "in_progress", None),
    ("Gus", "Walsh", "in_progress", None),
    ("Hana", "Tanaka", "in_progress", None),
    ("Ivan", "Varga", "in_progress", -12),
    ("Jade", "Chen", "not_started", -5),
    ("Kofi", "Adeyemi", "not_started", None),
    ("Lena", "Fischer", "not_started", None),
]


@transaction.atomic
def demo_cohort_ensure(
    *, program_slug: str, manager_username: str = "manager", trainee_username: str = "trainee"
) -> str:
    """Create the demo cohort once; return what was done, for the set-up's output."""
    User = get_user_model()
    program = Program.objects.filter(slug=program_slug).first()
    manager = User.objects.filter(username=manager_username).first()
    if program is None or manager is None:
        return "Demo cohort skipped: the demo program or manager is missing."
    # A random join code, like every cohort's: the demo's sign-up link is printed, not guessed.
    cohort, created = Cohort.objects.get_or_create(
        slug=DEMO_COHORT_SLUG, defaults={"name": DEMO_COHORT_NAME, "join_code": join_code_new()}
    )
    if not created:
        return f"Demo cohort: {cohort.name} already present. {demo_join_line(cohort)}"
    today = timezone.localdate()
    cohort.managers.add(manager)
    CohortProgram.objects.create(cohort=cohort, program=program, due_date=today + timedelta(45))
    trainee = User.objects.filter(username=trainee_username).first()
    if trainee is not None:
        CohortMembership.objects.create(cohort=cohort, user=trainee)

    rng = random.Random(DEMO_SEED)
    now = timezone.now()
    group = Group.objects.get(name=Role.TRAINEE)
    writer = HistoryWriter(
        content=content_spec(program_slug=program_slug, rng=rng),
        rng=rng,
        now=now,
        result=LoadResult(),
    )
    for first, last, outcome, due_in in DEMO_PEOPLE:
        username = f"riverside-{first.lower()}"
        user, made = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.com",
                "password": make_password(None),
            },
        )
        if not made:
            continue
        user.groups.add(group)
        CohortMembership.objects.create(cohort=cohort, user=user)
        if due_in is not None:
            ProgramAssignment.objects.create(
                user=user, program=program, due_date=today + timedelta(days=due_in)
            )
        plan_trainee(
            writer,
            user_id=user.pk,
            name=f"{first} {last}",
            outcome=outcome,
            extra_attempts=rng.randint(0, 2),
        )
    writer.flush()
    return (
        f"Demo cohort: {cohort.name}, managed by {manager.username}, with "
        f"{len(DEMO_PEOPLE)} generated trainees"
        + (f" and {trainee.username}" if trainee else "")
        + f". {demo_join_line(cohort)}"
    )


def demo_join_line(cohort: Cohort) -> str:
    """Say where the demo cohort's sign-up page is, or that sign-up is off."""
    if not cohort.join_code:
        return "Its sign-up with a join code is off (the manager can switch it on)."
    code = join_code_format(cohort.join_code)
    return f"Its sign-up page: {reverse('cohorts:join', args=[code])} (join code {code})."
