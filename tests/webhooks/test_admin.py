"""The deliveries admin's Replay action, through the changelist as each role posts it."""

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.urls import reverse

from quizzes.models import WebhookDelivery
from quizzes.webhooks.services import endpoint_send_test
from tests.builders import make_educator
from tests.webhooks.listener import Listener
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:quizzes_webhookdelivery_changelist")


def _replay(client, *deliveries):
    return client.post(
        CHANGELIST,
        {
            "action": "replay",
            helpers.ACTION_CHECKBOX_NAME: [str(d.pk) for d in deliveries],
            "index": "0",
        },
    )


@pytest.fixture
def failed_delivery(superuser, make_endpoint, django_capture_on_commit_callbacks):
    """A test event whose one try met a 500 from the listener, marked failed."""
    listener = Listener(statuses=[500, 200]).start()
    endpoint = make_endpoint(superuser, listener.url)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = endpoint_send_test(endpoint=endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.FAILED, next_attempt_at=None
    )
    delivery.refresh_from_db()
    yield delivery, listener
    listener.stop()


def test_a_superuser_replays_from_the_changelist_and_it_is_delivered_and_audited(
    client, superuser, failed_delivery, django_capture_on_commit_callbacks
):
    delivery, listener = failed_delivery
    client.force_login(superuser)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert b'value="replay"' in page.content

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _replay(client, delivery)
    assert response.status_code == 302
    assert len(callbacks) == 1  # the delivery's job, queued on commit
    messages = [str(m) for m in client.get(response.url).context["messages"]]
    assert messages == ["1 delivery queued again."]

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 2, 200)
    first, second = listener.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == str(delivery.event_id)
    event = AuditEvent.objects.get(action=AuditEvent.Action.WEBHOOK_REPLAYED)
    assert event.actor == superuser
    assert event.details == {"event_id": str(delivery.event_id), "previous_status": "failed"}


def test_a_manager_is_sent_to_the_admin_login_and_nothing_is_replayed(
    client, manager, failed_delivery, django_capture_on_commit_callbacks
):
    delivery, listener = failed_delivery
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _replay(client, delivery)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    _assert_untouched(delivery, listener, callbacks)


def test_an_educator_gets_403_and_nothing_is_replayed(
    client, educator, failed_delivery, django_capture_on_commit_callbacks
):
    delivery, listener = failed_delivery
    client.force_login(educator)
    assert client.get(CHANGELIST).status_code == 403
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert _replay(client, delivery).status_code == 403
    _assert_untouched(delivery, listener, callbacks)


def test_staff_who_may_view_deliveries_are_not_offered_replay_and_cannot_post_it(
    client, failed_delivery, django_capture_on_commit_callbacks
):
    delivery, listener = failed_delivery
    viewer = make_educator()
    viewer.user_permissions.add(Permission.objects.get(codename="view_webhookdelivery"))
    client.force_login(viewer)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert b'value="replay"' not in page.content
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _replay(client, delivery)
    _assert_untouched(delivery, listener, callbacks)


def _assert_untouched(delivery, listener, callbacks) -> None:
    assert callbacks == []
    refreshed = WebhookDelivery.objects.get(pk=delivery.pk)
    assert (refreshed.status, refreshed.attempts) == ("failed", 1)
    assert len(listener.received) == 1  # the first try only
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.WEBHOOK_REPLAYED).exists()
