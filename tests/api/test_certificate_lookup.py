"""GET /api/v1/certificates/{code}: one certificate, its holder checked against the scope."""

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import CohortMembership
from tests.builders import make_certificate, make_cohort, make_trainee

pytestmark = pytest.mark.django_db

# The token (read, its owner's roles, last use written once a minute) and the certificate.
BUDGET = 4


def by_code(client, certificate):
    return client.get(reverse("api:certificate", kwargs={"code": certificate.display_code}))


def test_certificate_not_found_once_its_holder_left_the_cohort(manager_api, api_world):
    assert by_code(manager_api, api_world.certificate).status_code == 200
    CohortMembership.objects.filter(cohort=api_world.cohort_a).delete()
    assert by_code(manager_api, api_world.certificate).status_code == 404


def test_certificate_of_a_holder_in_two_managed_cohorts_is_found(
    manager, manager_api, trainee, api_world
):
    make_cohort(name="Ward C", managers=[manager], trainees=[trainee])
    body = by_code(manager_api, api_world.certificate).json()
    assert body["code"] == api_world.certificate.display_code


def test_superuser_finds_the_certificate_of_any_cohort(superuser_api, api_world):
    assert by_code(superuser_api, api_world.other_certificate).status_code == 200


def test_certificate_by_code_queries_are_flat_in_the_scope(
    manager, manager_api, api_world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(BUDGET):
        assert by_code(manager_api, api_world.certificate).status_code == 200
    people = [make_trainee(username=f"holder{i}") for i in range(20)]
    make_cohort(name="Ward D", managers=[manager], trainees=people)
    for person in people:
        make_certificate(person, api_world.program, issued_at=timezone.now())
    with django_assert_max_num_queries(BUDGET):
        assert by_code(manager_api, api_world.certificate).status_code == 200
