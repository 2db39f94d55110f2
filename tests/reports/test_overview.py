"""The cohort overview selector against the hand-computed world (see conftest.py)."""

import pytest

from quizzes.certification.rules import ProgressStatus as S
from quizzes.reports.overview import report_overview
from tests.reports.conftest import NOW

pytestmark = pytest.mark.django_db


def test_overview_counts_each_status_once(world, manager):
    overview = report_overview(user=manager, now=NOW)
    (summary,) = overview.summaries
    assert summary.cohort == world.cohort_a
    assert summary.counts == {
        S.NOT_STARTED: 1,
        S.IN_PROGRESS: 1,
        S.CERTIFIED: 1,
        S.EXPIRING_SOON: 1,
        S.EXPIRED: 1,
        S.OVERDUE: 1,
    }
    assert summary.total == 6
    assert summary.completion_percent == 33  # 2 of 6 hold a valid certificate
    assert [t.user_id for t in summary.overdue] == [world.overdue.pk]
    assert overview.trainee_count == 6


def test_overview_of_the_other_manager_sees_only_cohort_b(world, other_manager):
    (summary,) = report_overview(user=other_manager, now=NOW).summaries
    assert summary.cohort == world.cohort_b
    assert summary.counts[S.OVERDUE] == 1
    assert summary.total == 1


def test_superuser_sees_both_cohorts(world, superuser):
    summaries = report_overview(user=superuser, now=NOW).summaries
    assert [s.cohort.name for s in summaries] == ["Alpha Clinic", "Beta Clinic"]


def test_certifications_per_month(world, manager):
    chart = report_overview(user=manager, now=NOW).certifications_chart
    counts = dict(chart.rows)
    assert len(chart.rows) == 24
    assert chart.rows[0][0] == "2024-12"
    assert chart.rows[-1][0] == "2026-11"
    assert (counts["2025-10"], counts["2025-12"], counts["2026-06"]) == ("1", "1", "1")
    assert sum(int(v) for v in counts.values()) == 3
