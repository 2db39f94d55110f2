"""The scoping helper: a manager reaches only their cohorts, members and attempts."""

import pytest
from django.http import Http404

from quizzes.cohorts.scope import (
    attempts_for_viewer,
    cohort_for_manager_or_404,
    cohorts_for_manager,
    memberships_for_manager,
    trainee_cohorts_for_manager,
    trainee_for_manager_or_404,
    trainees_for_manager,
)
from quizzes.models import Attempt
from tests.builders import make_cohort

pytestmark = pytest.mark.django_db


def test_scoping_helpers(manager, other_manager, superuser, trainee, other_trainee):
    mine = make_cohort(managers=[manager], trainees=[trainee])
    theirs = make_cohort(managers=[other_manager], trainees=[other_trainee])
    assert list(cohorts_for_manager(manager)) == [mine]
    assert set(cohorts_for_manager(superuser)) == {mine, theirs}
    assert list(trainees_for_manager(manager)) == [trainee]
    assert set(trainees_for_manager(superuser)) == {trainee, other_trainee}


def test_memberships_and_a_trainees_cohorts_stay_in_scope(
    manager, other_manager, trainee, other_trainee
):
    mine = make_cohort(managers=[manager], trainees=[trainee])
    theirs = make_cohort(managers=[other_manager], trainees=[trainee, other_trainee])
    assert {(m.cohort_id, m.user_id) for m in memberships_for_manager(manager)} == {
        (mine.pk, trainee.pk)
    }
    assert memberships_for_manager(None, cohorts=cohorts_for_manager(other_manager)).count() == 2
    assert list(trainee_cohorts_for_manager(manager, trainee)) == [mine]
    assert list(trainee_cohorts_for_manager(other_manager, trainee)) == [theirs]


def test_objects_outside_the_scope_are_404(manager, other_manager, trainee, other_trainee):
    mine = make_cohort(managers=[manager], trainees=[trainee])
    theirs = make_cohort(managers=[other_manager], trainees=[other_trainee])
    assert cohort_for_manager_or_404(manager, mine.slug) == mine
    assert trainee_for_manager_or_404(manager, trainee.pk) == trainee
    with pytest.raises(Http404):
        cohort_for_manager_or_404(manager, theirs.slug)
    with pytest.raises(Http404):
        trainee_for_manager_or_404(manager, other_trainee.pk)


def test_attempts_for_viewer_by_role(world, manager, educator, superuser):
    attempts = Attempt.objects.counted().filter(quiz=world.quiz)
    assert attempts_for_viewer(educator, attempts).count() == 4
    assert attempts_for_viewer(superuser, attempts).count() == 4
    assert attempts_for_viewer(manager, attempts).count() == 3
    assert attempts_for_viewer(manager, attempts, cohort=world.cohort_a).count() == 3
    assert attempts_for_viewer(superuser, attempts, cohort=world.cohort_b).count() == 1
