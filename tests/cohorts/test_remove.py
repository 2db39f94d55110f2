"""cohort_remove_trainee: takes one membership away, audited once, harmless to repeat."""

import pytest

from quizzes.cohorts.services import cohort_remove_trainee
from quizzes.models import Attempt, CohortMembership
from tests.builders import make_cohort, make_quiz
from tests.builders.attempts import graded_attempt
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db


def _removals():
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.COHORT_MEMBERSHIP_CHANGED, details__has_key="removed"
    )


def test_remove_takes_the_membership_and_records_it(manager, trainee):
    cohort = make_cohort(name="Ward A", managers=[manager], trainees=[trainee])
    other = make_cohort(name="Ward B", trainees=[trainee])
    attempt = graded_attempt(trainee, make_quiz(questions=1, slug="q-remove"))
    assert cohort_remove_trainee(cohort=cohort, actor=manager, trainee_id=trainee.pk) is True
    assert not CohortMembership.objects.filter(cohort=cohort, user=trainee).exists()
    assert CohortMembership.objects.filter(cohort=other, user=trainee).exists()
    assert Attempt.objects.filter(pk=attempt.pk).exists()  # their records stay
    (event,) = _removals()
    assert event.actor == manager
    assert event.details == {"removed": [trainee.pk]}
    assert event.summary == f"Removed {trainee.email} from Ward A"


def test_removing_twice_or_a_non_member_records_nothing_more(manager, trainee, other_trainee):
    cohort = make_cohort(name="Ward A", managers=[manager], trainees=[trainee])
    assert cohort_remove_trainee(cohort=cohort, actor=manager, trainee_id=trainee.pk) is True
    assert cohort_remove_trainee(cohort=cohort, actor=manager, trainee_id=trainee.pk) is False
    assert cohort_remove_trainee(cohort=cohort, actor=manager, trainee_id=other_trainee.pk) is False
    assert _removals().count() == 1
