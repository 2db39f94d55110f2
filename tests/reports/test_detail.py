"""The trainee drill-down against the hand-computed world (see conftest.py)."""

import pytest

from quizzes.certification.rules import ProgressStatus as S
from quizzes.reports.detail import report_trainee_detail
from tests.reports.conftest import NOW

pytestmark = pytest.mark.django_db


def test_trainee_detail(world, manager):
    detail = report_trainee_detail(user=manager, trainee_id=world.in_progress.pk, now=NOW)
    assert [c.lesson for c in detail.completions] == [world.lesson]
    assert [a.percent for a in detail.attempts] == [0.0]
    assert detail.certificates == []
    ((program, progress),) = detail.programs
    assert progress.status == S.IN_PROGRESS
