"""generate_load_data and the demo cohort, through call_command."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from lessons.models import LessonCompletion
from quizzes.certification.rules import ProgressStatus
from quizzes.certification.selectors import program_progress
from quizzes.models import (
    Attempt,
    AttemptAnswer,
    Certificate,
    Cohort,
    Program,
    ReviewCard,
    ReviewLog,
)
from quizzes.reports.overview import report_overview
from quizzes.synthetic.demo_cohort import DEMO_COHORT_NAME, DEMO_COHORT_SLUG, DEMO_PEOPLE
from quizzes.synthetic.load_data import ERROR_EXISTS

pytestmark = pytest.mark.django_db
User = get_user_model()
SMALL = ["--trainees", "40", "--cohorts", "3", "--attempts", "400", "--today", "2026-11-26"]


def run(*args):
    out = StringIO()
    call_command("generate_load_data", *args, stdout=out)
    return out.getvalue()


def snapshot():
    return (
        list(
            User.objects.filter(username__startswith="load-").values_list("username", "last_name")
        ),
        list(Attempt.objects.order_by("id").values_list("quiz_id", "percent", "started_at")),
        list(Certificate.objects.order_by("id").values_list("code", "issued_at")),
    )


def test_dry_run_writes_nothing():
    out = run(*SMALL, "--dry-run")
    assert out.startswith("Would create 40 trainees in 3 cohorts")
    assert User.objects.count() == 0


def test_generates_consistent_data():
    out = run(*SMALL)
    assert "Created 40 trainees, 4 managers, 3 cohorts" in out
    assert User.objects.filter(username__startswith="load-trainee-").count() == 40
    assert Cohort.objects.filter(slug__startswith="load-cohort-").count() == 3
    attempts = Attempt.objects.all()
    assert 300 <= attempts.count() <= 500
    # One answer row per question of the attempt, awarded points adding up to its score.
    attempt = attempts.filter(points__gt=0).first()
    answers = AttemptAnswer.objects.filter(attempt=attempt)
    assert answers.count() > 0
    assert sum(a.awarded for a in answers) == attempt.points
    assert all(isinstance(a.selected, list) for a in answers)
    assert LessonCompletion.objects.exists() is True
    assert Certificate.objects.exists() is True
    manager = User.objects.get(username="load-manager-00")
    overview = report_overview(user=manager)
    assert sum(s.total for s in overview.summaries) == 40


def test_review_cards_per_trainee_are_chosen_on_the_command_line():
    out = run(*SMALL, "--review-cards", "5")
    assert ReviewCard.objects.count() == 40 * 5
    assert f"{40 * 5} review cards with {ReviewLog.objects.count()} reviews" in out
    assert "review cards each" in run(*SMALL, "--review-cards", "5", "--dry-run")


def test_review_cards_can_be_left_out_and_never_negative():
    run(*SMALL, "--review-cards", "0")
    assert ReviewCard.objects.exists() is False
    with pytest.raises(CommandError, match="--review-cards"):
        run(*SMALL, "--review-cards", "-1", "--replace")


def test_same_seed_same_data_and_refuses_to_duplicate():
    run(*SMALL, "--seed", "7")
    first = snapshot()
    with pytest.raises(CommandError) as exc:
        run(*SMALL, "--seed", "7")
    assert str(exc.value) == ERROR_EXISTS.format(count=44)
    run(*SMALL, "--seed", "7", "--replace")
    assert snapshot()[0] == first[0]
    assert [row[:2] for row in snapshot()[1]] == [row[:2] for row in first[1]]
    assert [row[1] for row in snapshot()[2]] == [row[1] for row in first[2]]


def test_setup_demo_creates_the_demo_cohort_once(settings):
    call_command("setup_demo", stdout=StringIO())
    cohort = Cohort.objects.get(slug=DEMO_COHORT_SLUG)
    assert cohort.name == DEMO_COHORT_NAME
    assert list(cohort.managers.values_list("username", flat=True)) == ["manager"]
    assert cohort.trainees.filter(username="trainee").exists() is True
    assert cohort.trainees.count() == len(DEMO_PEOPLE) + 1
    attempts = Attempt.objects.count()
    call_command("setup_demo", stdout=StringIO())
    assert Cohort.objects.filter(slug=DEMO_COHORT_SLUG).count() == 1
    assert cohort.trainees.count() == len(DEMO_PEOPLE) + 1
    assert Attempt.objects.count() == attempts
    (summary,) = report_overview(user=User.objects.get(username="manager")).summaries
    spread = {status for status, count in summary.counts.items() if count}
    assert {ProgressStatus.CERTIFIED, ProgressStatus.OVERDUE, ProgressStatus.IN_PROGRESS} <= spread
    # The demo trainee starts from scratch: no generated activity.
    assert Attempt.objects.filter(user__username="trainee").exists() is False


# What the demo's managers are told each planned person shows (an overdue date wins).
PLANNED_STATUS = {
    "certified": ProgressStatus.CERTIFIED,
    "expiring": ProgressStatus.EXPIRING_SOON,
    "expired": ProgressStatus.EXPIRED,
    "in_progress": ProgressStatus.IN_PROGRESS,
    "not_started": ProgressStatus.NOT_STARTED,
}


def test_setup_demo_people_show_their_planned_status():
    call_command("setup_demo", stdout=StringIO())
    program = Program.objects.get(cohorts__slug=DEMO_COHORT_SLUG)
    shown = {}
    for first, last, outcome, due_in_days in DEMO_PEOPLE:
        person = User.objects.get(first_name=first, last_name=last)
        expected = ProgressStatus.OVERDUE if due_in_days and due_in_days < 0 else None
        shown[first] = (
            program_progress(user=person, program=program).progress.status,
            outcome,
            expected,
        )
    wrong = {
        first: (status.value, outcome)
        for first, (status, outcome, overdue) in shown.items()
        if status != (overdue or PLANNED_STATUS[outcome])
    }
    assert wrong == {}
