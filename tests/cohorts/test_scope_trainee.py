"""One answer to "does this manager see this trainee", for one user and for many at once."""

import pytest

from quizzes.cohorts.scope import manager_sees_trainee, managers_seeing_trainee
from tests.builders import make_cohort, make_manager, make_trainee

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(manager, other_manager, superuser, educator, trainee, other_trainee):
    make_cohort(managers=[manager], trainees=[trainee])
    make_cohort(managers=[other_manager], trainees=[other_trainee])
    # Listed as a cohort's manager but without the manager role: sees nobody.
    make_cohort(managers=[educator], trainees=[trainee])
    return {
        "manager": manager,
        "other_manager": other_manager,
        "superuser": superuser,
        "educator": educator,
    }


CASES = [
    # (viewer, trainee, sees)
    ("manager", "trainee", True),
    ("manager", "other_trainee", False),
    ("other_manager", "trainee", False),
    ("other_manager", "other_trainee", True),
    ("superuser", "trainee", True),
    ("superuser", "other_trainee", True),
    ("educator", "trainee", False),
]


@pytest.mark.parametrize(("viewer", "whom", "sees"), CASES)
def test_one_viewer_and_the_set_agree_on_every_case(people, request, viewer, whom, sees):
    user = people[viewer]
    trainee_id = request.getfixturevalue(whom).pk
    assert manager_sees_trainee(user=user, trainee_id=trainee_id) is sees
    found = managers_seeing_trainee(user_ids=[user.pk], trainee_id=trainee_id)
    assert found == ({user.pk} if sees else set())


def test_the_set_answers_for_many_owners_in_one_query(people, trainee, django_assert_num_queries):
    ids = [user.pk for user in people.values()]
    with django_assert_num_queries(1):
        found = managers_seeing_trainee(user_ids=ids, trainee_id=trainee.pk)
    assert found == {people["manager"].pk, people["superuser"].pk}


def test_a_trainee_in_no_cohort_is_seen_by_nobody_not_even_a_superuser(people, superuser):
    # The drill-down (trainee_for_manager_or_404) answers 404 there, so no link leads to it.
    loner = make_trainee()
    assert manager_sees_trainee(user=superuser, trainee_id=loner.pk) is False
    assert managers_seeing_trainee(user_ids=[superuser.pk], trainee_id=loner.pk) == set()


def test_an_inactive_manager_and_no_trainee_see_nothing(trainee, django_assert_num_queries):
    gone = make_manager(is_active=False)
    make_cohort(managers=[gone], trainees=[trainee])
    assert manager_sees_trainee(user=gone, trainee_id=trainee.pk) is False
    assert managers_seeing_trainee(user_ids=[gone.pk], trainee_id=trainee.pk) == set()
    with django_assert_num_queries(0):
        assert managers_seeing_trainee(user_ids=[gone.pk], trainee_id=None) == set()
        assert managers_seeing_trainee(user_ids=[], trainee_id=trainee.pk) == set()
    assert manager_sees_trainee(user=gone, trainee_id=None) is False
