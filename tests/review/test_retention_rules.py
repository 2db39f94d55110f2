"""The pure recall formula against the shared table of hand-computed cases, and the threshold.

No database: the threshold's bad values are checked in a fresh `manage.py check`.
"""

import pytest

from quizzes.spaced_review.retention import TraineeRetention, recall_flagged
from quizzes.spaced_review.rules import retrievability
from tests.review.retention_cases import CASE_IDS, CASES, NOW, RecallCase
from tests.trainingsite.test_settings import run_django_check


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_retrievability_matches_the_hand_computed_case(case: RecallCase):
    last_review = None if case.since is None else NOW - case.since
    recall = retrievability(stability=case.stability, last_review=last_review, at=NOW)
    assert recall == pytest.approx(case.expected, abs=1e-6)


@pytest.mark.parametrize(
    ("critical_recall", "threshold", "flagged"),
    [
        (None, 80, False),  # no critical card: nothing to flag
        (0.7999, 80, True),
        (0.8, 80, False),  # at the threshold is not below it
        (0.95, 96, True),
        (0.0, 1, True),
        (1.0, 100, False),
    ],
)
def test_recall_flagged_below_the_threshold_only(critical_recall, threshold, flagged):
    assert recall_flagged(critical_recall=critical_recall, threshold=threshold) is flagged


def test_done_share_is_none_when_nothing_fell_due():
    assert TraineeRetention().done_share is None
    assert TraineeRetention(reviews_due=4, reviews_done=3).done_share == 0.75


def test_the_default_threshold_is_eighty_percent(settings):
    assert settings.RETENTION_THRESHOLD_PERCENT == 80


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("101", "DJANGO_RETENTION_THRESHOLD_PERCENT must be from 1 to 100; got 101."),
        ("0", "DJANGO_RETENTION_THRESHOLD_PERCENT must be at least 1; got 0."),
        ("most", "DJANGO_RETENTION_THRESHOLD_PERCENT must be a whole number; got 'most'."),
    ],
)
def test_a_bad_threshold_stops_the_site_with_a_clear_message(value, message):
    result = run_django_check({"DJANGO_DEBUG": "1", "DJANGO_RETENTION_THRESHOLD_PERCENT": value})
    assert result.returncode != 0
    assert message in result.stderr
