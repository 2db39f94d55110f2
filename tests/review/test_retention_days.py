"""The stored retention days (quizzes.spaced_review.retention_days): the daily job, its command,
the refresh after a trainee's own reviews, and the load data set's days.

The job is run on the hand-computed world of retention_world.py at NOW: Ann recall
0.863775 / critical 0.9 / due 2, done 1; Ben 0.6515905 / 0.362837 / 2, 1; Out (another
cohort) 0.362837 / 0.362837 / none due; Cat holds no card and gets no row.
"""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quizzes import services as engine
from quizzes.models import ReviewCard, TraineeRetention
from quizzes.practice import services as practice
from quizzes.spaced_review import services
from quizzes.spaced_review.retention_days import (
    retention_day_refresh,
    retention_days_record,
    retention_days_trainees,
)
from quizzes.synthetic.load_data import load_data_generate
from quizzes.synthetic.load_retention import HISTORY_DAYS
from tests.builders import correct_ids, make_trainee
from tests.review.conftest import cards_due, exam_with_misses
from tests.review.retention_cases import NOW
from tests.review.retention_world import build_retention_world, card

pytestmark = pytest.mark.django_db

ANN_RECALL = (0.9 + 0.692827 + 0.998497) / 3
BEN_RECALL = (0.362837 + 0.940344) / 2
FIELDS = ("cards", "recall", "critical_recall", "reviews_due", "reviews_done")


@pytest.fixture
def world(manager, other_manager):
    return build_retention_world(manager, other_manager)


def _days(**filters) -> dict[str, tuple]:
    return {
        row.user.username: tuple(getattr(row, name) for name in FIELDS)
        for row in TraineeRetention.objects.filter(**filters).select_related("user")
    }


def _approx(found: dict[str, tuple]) -> dict[str, tuple]:
    return {
        name: tuple(pytest.approx(v, abs=1e-6) for v in values) for name, values in found.items()
    }


def test_the_job_stores_each_card_holders_figures_for_the_day(world):
    assert retention_days_record(now=NOW) == 3
    assert _days(taken_on=NOW.date()) == _approx(
        {
            "ann": (3, ANN_RECALL, 0.9, 2, 1),
            "ben": (2, BEN_RECALL, 0.362837, 2, 1),
            "out": (1, 0.362837, 0.362837, 0, 0),
        }
    )
    assert not TraineeRetention.objects.filter(user=world.cat).exists()
    assert set(TraineeRetention.objects.values_list("computed_at", flat=True)) == {NOW}


def test_running_twice_the_same_day_updates_the_rows(world):
    retention_days_record(now=NOW)
    # Ben reviews his tourniquet point: recall 0.9 now (stability 3, three days ago).
    world.ben.review_cards.filter(question=world.tourniquet).update(
        stability=3.0, last_review=NOW - timedelta(days=3)
    )
    later = NOW + timedelta(hours=2)
    assert retention_days_record(now=later) == 3
    assert TraineeRetention.objects.count() == 3
    ben = TraineeRetention.objects.get(user=world.ben)
    assert (ben.taken_on, ben.computed_at) == (NOW.date(), later)
    assert ben.critical_recall == pytest.approx(0.9, abs=1e-6)
    assert ben.recall == pytest.approx((0.9 + 0.940344) / 2, abs=1e-6)


def test_another_day_is_a_row_of_its_own(world):
    retention_days_record(now=NOW)
    retention_days_record(now=NOW + timedelta(days=1))
    assert TraineeRetention.objects.filter(user=world.ann).count() == 2
    assert retention_days_record(on=date(2026, 1, 5), now=NOW) == 3
    assert _days(taken_on=date(2026, 1, 5)) == _days(taken_on=NOW.date())


@pytest.mark.parametrize("batch", [1, 2, 3, 500])
def test_batches_store_the_same_rows(world, batch):
    assert retention_days_record(now=NOW, batch=batch) == 3
    assert _days() == _approx(
        {
            "ann": (3, ANN_RECALL, 0.9, 2, 1),
            "ben": (2, BEN_RECALL, 0.362837, 2, 1),
            "out": (1, 0.362837, 0.362837, 0, 0),
        }
    )


def test_a_batch_is_four_queries_whatever_its_size(world):
    for i in range(20):
        card(make_trainee(username=f"more-{i}"), world.airway, stability=2.0, days_ago=1)
    # 23 card holders in batches of 10: three batches of a keyset read, the two
    # aggregates and one upsert; a full batch reads the keyset once more.
    with CaptureQueriesContext(connection) as queries:
        assert retention_days_record(now=NOW, batch=10) == 23
    assert len(queries) == 3 * 4
    with CaptureQueriesContext(connection) as queries:
        assert retention_days_record(now=NOW, batch=23) == 23
    assert len(queries) == 4 + 1


def test_the_job_can_be_limited_to_some_trainees(world):
    assert retention_days_record(now=NOW, user_ids=[world.ben.pk, world.cat.pk]) == 1
    assert list(_days()) == ["ben"]


def test_the_trainees_holding_cards_are_counted(world):
    assert retention_days_trainees() == 3


# The command and the queued job


def _command(*args) -> str:
    out = StringIO()
    call_command("record_retention", *args, stdout=out)
    return out.getvalue()


def test_the_command_stores_todays_days(world):
    assert _command() == "3 trainees' retention days stored.\n"
    assert TraineeRetention.objects.filter(taken_on=timezone.localdate()).count() == 3


def test_the_command_stores_a_given_day_in_batches(world):
    assert _command("--on", "2026-11-20", "--batch", "1") == "3 trainees' retention days stored.\n"
    assert set(TraineeRetention.objects.values_list("taken_on", flat=True)) == {date(2026, 11, 20)}


def test_the_dry_run_counts_and_stores_nothing(world):
    assert _command("--dry-run") == "Dry run: 3 trainees hold review cards; nothing stored.\n"
    assert not TraineeRetention.objects.exists()


def test_the_command_queues_the_job_for_the_worker(world):
    # The suite's task backend runs a queued job at once.
    assert _command("--queue") == "Retention job queued.\n"
    assert TraineeRetention.objects.count() == 3


# The refresh after a trainee's own reviews


def test_a_practice_check_or_an_exam_leaves_the_day_to_the_job(trainee, immediate_quiz, exam):
    """Checks and submits stay cheap: their cards are recorded by the nightly job (and at
    the end of a review session), not in the request."""
    attempt = engine.attempt_start(user=trainee, quiz=immediate_quiz)
    entry = attempt.paper["questions"][0]
    practice.practice_answer_check(
        attempt=attempt, question_id=entry["id"], choice_ids=correct_ids(entry)
    )
    exam_with_misses(trainee, exam)
    assert ReviewCard.objects.filter(user=trainee).exists()
    assert not TraineeRetention.objects.filter(user=trainee).exists()
    assert retention_days_record(user_ids=[trainee.pk]) == 1
    day = TraineeRetention.objects.get(user=trainee)
    assert day.cards == ReviewCard.objects.filter(user=trainee).count()


def test_finishing_a_review_session_stores_the_day(trainee, variants):
    cards_due(trainee, [variants["lone"]])
    session = services.review_session_start(user=trainee)
    TraineeRetention.objects.all().delete()
    services.review_session_finish(attempt=session)
    day = TraineeRetention.objects.get(user=trainee)
    assert (day.taken_on, day.cards) == (timezone.localdate(), 1)


def test_the_refresh_reads_one_trainees_cards_in_three_queries(world):
    with CaptureQueriesContext(connection) as queries:
        assert retention_day_refresh(user_id=world.ann.pk, now=NOW) is True
    assert len(queries) == 3
    assert _days() == _approx({"ann": (3, ANN_RECALL, 0.9, 2, 1)})


def test_a_trainee_without_cards_gets_no_row(world):
    assert retention_day_refresh(user_id=world.cat.pk, now=NOW) is False
    assert not TraineeRetention.objects.exists()


# The load data set


def test_the_load_data_stores_today_for_all_and_six_months_for_some():
    result = load_data_generate(
        trainees=30, cohorts=2, attempts=0, today=date(2026, 11, 26), review_cards=10
    )
    today = date(2026, 11, 26)
    assert TraineeRetention.objects.filter(taken_on=today).count() == 30
    per_user = {}
    for user_id, taken_on in TraineeRetention.objects.values_list("user_id", "taken_on"):
        per_user.setdefault(user_id, set()).add(taken_on)
    history = {uid: days for uid, days in per_user.items() if len(days) > 1}
    assert 0 < len(history) < 30
    full = {today - timedelta(days=back) for back in range(HISTORY_DAYS + 1)}
    assert all(days == full for days in history.values())
    assert result.retention_days == TraineeRetention.objects.count()
    assert TraineeRetention.objects.count() == 30 + len(history) * HISTORY_DAYS
    noon = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert set(
        TraineeRetention.objects.filter(taken_on=today).values_list("computed_at", flat=True)
    ) == {noon}
