"""Reads: the assessor's home states, the viewer helper's scope, the dashboard card."""

import pytest
from django.http import Http404
from django.template.loader import render_to_string

from quizzes.models import Observation
from quizzes.observations.selectors import (
    assessor_home,
    observation_get_for_viewer_or_404,
    observations_awaiting_acknowledgement,
)
from quizzes.observations.services import observation_acknowledge

pytestmark = pytest.mark.django_db


def _states(user):
    home = assessor_home(user=user)
    return {
        row.trainee.username: [s.progress.label for s in row.checklists]
        for cohort in home.cohorts
        for row in cohort.trainees
    }


def test_home_shows_each_trainees_checklist_state(
    record, assessor, trainee, other_trainee, cohort, other_cohort, checklist
):
    assert _states(assessor) == {"tara": ["Not observed"]}
    not_yet = record(assessor, trainee, unmet=(0,), outcome=Observation.Outcome.NOT_YET)
    assert _states(assessor) == {"tara": ["Not yet competent"]}
    signed = record(assessor, trainee)
    assert _states(assessor) == {"tara": ["Awaiting acknowledgement"]}
    observation_acknowledge(trainee=trainee, observation=not_yet)
    observation_acknowledge(trainee=trainee, observation=signed)
    assert _states(assessor) == {"tara": ["Competent 1 of 1"]}


def test_home_never_lists_the_assessor_themselves(assessor, cohort, checklist):
    cohort.memberships.create(user=assessor)
    assert _states(assessor) == {"tara": ["Not observed"]}


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("trainee", True),
        ("other_trainee", False),
        ("assessor", True),
        ("other_assessor", False),
        ("educator", False),
        ("manager", True),
        ("other_manager", False),
        ("superuser", True),
    ],
)
def test_viewer_helper_scope(
    request, record, assessor, trainee, cohort, other_cohort, persona, sees
):
    observation = record(assessor, trainee)
    user = request.getfixturevalue(persona)
    if sees:
        assert observation_get_for_viewer_or_404(user, observation.pk) == observation
    else:
        with pytest.raises(Http404):
            observation_get_for_viewer_or_404(user, observation.pk)


def test_dashboard_card_lists_what_awaits_acknowledgement(record, assessor, trainee, cohort):
    assert (
        render_to_string(
            "observations/_dashboard_card.html",
            {"observations_awaiting": observations_awaiting_acknowledgement(trainee)},
        ).strip()
        == ""
    )
    first = record(assessor, trainee)
    second = record(assessor, trainee)
    observation_acknowledge(trainee=trainee, observation=first)
    awaiting = observations_awaiting_acknowledgement(trainee)
    assert awaiting == [second]
    html = render_to_string(
        "observations/_dashboard_card.html", {"observations_awaiting": awaiting}
    )
    assert (
        "Observations to acknowledge" in html and f"/assessment/observations/{second.pk}/" in html
    )
