"""The trainees table and its export against the hand-computed world (see conftest.py)."""

import pytest

from quizzes.certification.rules import ProgressStatus as S
from quizzes.reports.trainees import TraineeFilters, report_trainees, report_trainees_export
from tests.reports.conftest import NOW

pytestmark = pytest.mark.django_db


def test_trainees_filter_by_status(world, manager):
    table = report_trainees(user=manager, filters=TraineeFilters(status=S.OVERDUE), now=NOW)
    assert [r.user_id for r in table.rows] == [world.overdue.pk]
    row = table.rows[0]
    assert str(row.due_date) == "2026-11-01"
    assert row.status_label == "Overdue"


def test_trainees_rows_carry_progress_and_best_scores(world, manager):
    table = report_trainees(user=manager, filters=TraineeFilters(sort="name"), now=NOW)
    by_user = {r.user_id: r for r in table.rows}
    assert table.total == 6
    assert by_user[world.in_progress.pk].percent == 50  # the lesson; the quiz is not passed
    assert by_user[world.in_progress.pk].best_scores == ((world.quiz.title, 0.0),)
    assert by_user[world.expiring.pk].best_scores_text == f"{world.quiz.title}: 50%"
    assert by_user[world.certified.pk].percent == 100
    assert by_user[world.certified.pk].certificate_code != ""
    assert by_user[world.expired.pk].certificate_code == ""


def test_trainees_search_sort_and_pages(world, manager):
    searched = report_trainees(user=manager, filters=TraineeFilters(q="expir"), now=NOW)
    assert {r.user_id for r in searched.rows} == {world.expiring.pk, world.expired.pk}
    by_status = report_trainees(user=manager, filters=TraineeFilters(sort="status"), now=NOW)
    assert [r.status for r in by_status.rows][:2] == [S.OVERDUE, S.EXPIRED]
    page = report_trainees(
        user=manager,
        filters=TraineeFilters(sort="name", descending=True),
        page=2,
        per_page=4,
        now=NOW,
    )
    assert (page.total, page.pages, page.page, len(page.rows)) == (6, 2, 2, 2)
    assert page.has_previous is True
    assert page.has_next is False


def test_trainees_search_never_leaves_the_scope(world, manager):
    table = report_trainees(user=manager, filters=TraineeFilters(q="outsider"), now=NOW)
    assert table.total == 0


def test_export_matches_the_filters(world, manager):
    filters = TraineeFilters(status=S.OVERDUE)
    rows = list(report_trainees_export(user=manager, filters=filters, now=NOW))
    assert [r.user_id for r in rows] == [world.overdue.pk]
    everyone = list(report_trainees_export(user=manager, filters=TraineeFilters(), now=NOW))
    assert [r.name for r in everyone] == sorted(r.name for r in everyone)
    assert len(everyone) == 6
