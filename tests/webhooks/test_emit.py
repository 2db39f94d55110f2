"""`event_emit` runs inside the submit's transaction: a fixed number of queries, in scope only."""

import pytest

from quizzes.models import WebhookDelivery
from quizzes.webhooks.services import event_emit
from tests.builders import make_cohort, make_manager

pytestmark = pytest.mark.django_db
ISSUED = "certificate.issued"
# Whether any endpoint takes the event (one column), the endpoints, the owners who see the
# trainee, the deliveries already held, one INSERT, read-back.
EMIT_QUERIES = 6


def _emit(trainee, key="certificate:1"):
    return event_emit(event_type=ISSUED, key=key, trainee_id=trainee.pk, data={"n": 1})


def _managers_in_scope(count, trainee):
    managers = [make_manager() for _ in range(count)]
    make_cohort(managers=managers, trainees=[trainee])
    return managers


@pytest.mark.parametrize("endpoints", [1, 5])
def test_emit_takes_the_same_queries_for_1_or_5_endpoints(
    trainee, make_endpoint, django_assert_num_queries, endpoints
):
    for index, owner in enumerate(_managers_in_scope(endpoints, trainee)):
        make_endpoint(owner, f"https://127.0.0.1/{index}")
    with django_assert_num_queries(EMIT_QUERIES):
        recorded = _emit(trainee)
    assert len(recorded) == endpoints
    assert WebhookDelivery.objects.filter(event_type=ISSUED).count() == endpoints


def test_emit_records_only_for_owners_who_see_the_trainee(
    trainee, other_trainee, manager, other_manager, superuser, make_endpoint
):
    make_cohort(managers=[manager], trainees=[trainee])
    make_cohort(managers=[other_manager], trainees=[other_trainee])
    gone = make_manager(is_active=False)
    make_cohort(managers=[gone], trainees=[trainee])
    mine = make_endpoint(manager, "https://127.0.0.1/maya")
    make_endpoint(other_manager, "https://127.0.0.1/olga")
    root = make_endpoint(superuser, "https://127.0.0.1/root")
    make_endpoint(gone, "https://127.0.0.1/gone")
    make_endpoint(manager, "https://127.0.0.1/other-event", events=["certificate.revoked"])

    recorded = _emit(trainee)
    assert {d.endpoint_id for d in recorded} == {mine.pk, root.pk}
    assert len({d.event_id for d in recorded}) == 1
    assert recorded[0].payload["type"] == ISSUED


def test_a_superusers_endpoint_hears_of_a_trainee_in_no_cohort(trainee, superuser, make_endpoint):
    root = make_endpoint(superuser, "https://127.0.0.1/root")
    assert [d.endpoint_id for d in _emit(trainee)] == [root.pk]


def test_emitting_the_same_event_again_records_nothing_new(
    trainee, make_endpoint, django_assert_max_num_queries
):
    first, second = _managers_in_scope(2, trainee)
    make_endpoint(first, "https://127.0.0.1/first")
    assert len(_emit(trainee)) == 1
    make_endpoint(second, "https://127.0.0.1/second")  # a newer endpoint gets it once
    assert [d.endpoint.owner_id for d in _emit(trainee)] == [second.pk]
    with django_assert_max_num_queries(4):
        assert _emit(trainee) == []
    assert WebhookDelivery.objects.count() == 2


def test_an_event_no_endpoint_takes_costs_one_query(
    trainee, manager, make_endpoint, django_assert_num_queries
):
    make_cohort(managers=[manager], trainees=[trainee])
    make_endpoint(manager, "https://127.0.0.1/other-event", events=["certificate.revoked"])
    disabled = make_endpoint(manager, "https://127.0.0.1/disabled")
    disabled.active = False
    disabled.save()
    with django_assert_num_queries(1):
        assert _emit(trainee) == []
    assert WebhookDelivery.objects.count() == 0


def test_an_endpoint_enabled_again_hears_the_next_event_at_once(trainee, manager, make_endpoint):
    make_cohort(managers=[manager], trainees=[trainee])
    endpoint = make_endpoint(manager, "https://127.0.0.1/back")
    endpoint.active = False
    endpoint.save()
    assert _emit(trainee, key="certificate:1") == []
    endpoint.active = True
    endpoint.save()
    assert [d.endpoint_id for d in _emit(trainee, key="certificate:2")] == [endpoint.pk]
