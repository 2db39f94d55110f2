"""The webhook pages as a manager uses them: list, register, detail, test, disable, delete.

Another manager reaches none of them (404, nothing changes); a trainee is refused; the
superuser registers their own here and sees every endpoint in the admin.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from standardwebhooks import Webhook

from quizzes.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from quizzes.webhooks import views
from quizzes.webhooks.forms import WebhookEndpointForm
from quizzes.webhooks.services import ENDPOINT_LIMIT, TOO_MANY_ENDPOINTS
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db

ISSUED = WebhookEvent.CERTIFICATE_ISSUED.value
REVOKED = WebhookEvent.CERTIFICATE_REVOKED.value


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _deliveries(endpoint, count: int) -> None:
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event_type=ISSUED,
            event_id=f"00000000-0000-4000-8000-{endpoint.pk:06d}{index:06d}",
            payload={"n": index},
            status=WebhookDelivery.Status.FAILED if index % 2 else WebhookDelivery.Status.PENDING,
            attempts=index,
            last_status_code=500 if index % 2 else None,
            last_error=f"error number {index}" if index % 2 else "",
        )
        for index in range(count)
    )


# The list.


def test_the_list_shows_the_managers_own_endpoints_only(
    manager_client, manager, other_manager, make_endpoint
):
    make_endpoint(manager, "https://127.0.0.1/mine")
    make_endpoint(other_manager, "https://127.0.0.1/theirs")

    response = manager_client.get(reverse("webhooks:list"))

    assert response.status_code == 200
    assert [e.url for e in response.context["endpoints"]] == ["https://127.0.0.1/mine"]
    assert b"https://127.0.0.1/mine" in response.content
    assert b"theirs" not in response.content


def test_an_empty_list_says_so_and_offers_a_new_endpoint(manager_client):
    response = manager_client.get(reverse("webhooks:list"))
    assert b"You have no webhook endpoints yet." in response.content
    assert reverse("webhooks:create").encode() in response.content


# Registering.


def test_a_valid_endpoint_is_registered_audited_and_its_detail_page_shows_the_secret(
    manager_client, manager, allow_private
):
    response = manager_client.post(
        reverse("webhooks:create"),
        {"url": "https://127.0.0.1/hooks/training", "events": [ISSUED, REVOKED]},
        follow=True,
    )

    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.owner, endpoint.url) == (manager, "https://127.0.0.1/hooks/training")
    assert endpoint.events == sorted([ISSUED, REVOKED])
    assert response.redirect_chain == [(reverse("webhooks:detail", args=[endpoint.pk]), 302)]
    assert views.ENDPOINT_CREATED in _messages(response)
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret.encode() in response.content
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.WEBHOOK_ENDPOINT_CREATED, actor=manager
    ).exists()


def test_the_form_page_offers_every_subscribable_event_but_not_the_test_event(manager_client):
    response = manager_client.get(reverse("webhooks:create"))
    assert response.status_code == 200
    assert ISSUED.encode() in response.content
    assert f'value="{WebhookEvent.TEST.value}"'.encode() not in response.content


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": "", "events": [ISSUED]}, "url", "This field is required."),
        ({"url": "not a url at all", "events": [ISSUED]}, "url", "Enter a valid URL."),
        ({"url": "https://127.0.0.1/x"}, "events", "This field is required."),
        (
            {"url": "https://127.0.0.1/x", "events": ["nonsense.event"]},
            "events",
            "Select a valid choice.",
        ),
    ],
)
def test_bad_data_is_refused_with_400_and_the_reason(
    manager_client, allow_private, data, field, message
):
    response = manager_client.post(reverse("webhooks:create"), data)

    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert message.encode() in response.content
    assert not WebhookEndpoint.objects.exists()


def test_a_private_address_is_refused_unless_private_addresses_are_allowed(
    manager_client, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    response = manager_client.post(
        reverse("webhooks:create"), {"url": "http://127.0.0.1:9/hook", "events": [ISSUED]}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["url"]
    assert not WebhookEndpoint.objects.exists()


def test_the_endpoint_limit_is_refused_with_400_and_the_message(
    manager_client, manager, make_endpoint
):
    for index in range(ENDPOINT_LIMIT):
        make_endpoint(manager, f"https://127.0.0.1/{index}")

    response = manager_client.post(
        reverse("webhooks:create"), {"url": "https://127.0.0.1/one-more", "events": [ISSUED]}
    )

    assert response.status_code == 400
    assert TOO_MANY_ENDPOINTS in response.context["form"].non_field_errors()
    assert WebhookEndpoint.objects.count() == ENDPOINT_LIMIT


def test_the_form_validates_without_side_effects(allow_private):
    form = WebhookEndpointForm({"url": "127.0.0.1/hooks", "events": [ISSUED]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["url"] == "https://127.0.0.1/hooks"
    assert not WebhookEndpoint.objects.exists()


# The detail page, and a test event to a real listener.


def test_the_detail_page_lists_the_recent_deliveries(manager_client, manager, make_endpoint):
    endpoint = make_endpoint(manager, "https://127.0.0.1/hooks")
    _deliveries(endpoint, 3)

    response = manager_client.get(reverse("webhooks:detail", args=[endpoint.pk]))

    assert response.status_code == 200
    assert len(response.context["deliveries"]) == 3
    assert b"error number 1" in response.content
    assert b"Failed" in response.content and b"Pending" in response.content
    assert b"Nothing has been delivered" not in response.content


def test_a_test_event_is_recorded_and_posted_signed_to_the_listener(
    manager_client, manager, listener, make_endpoint, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(manager, listener.url)

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("webhooks:test", args=[endpoint.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("webhooks:detail", args=[endpoint.pk])
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.event_type == WebhookEvent.TEST
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    (received,) = listener.received
    payload = Webhook(endpoint.secret).verify(received.body, received.headers)
    assert payload["type"] == WebhookEvent.TEST.value
    assert received.headers["webhook-id"] == str(delivery.event_id)

    page = manager_client.get(response["Location"])
    assert views.TEST_QUEUED in _messages(page)
    assert b"Succeeded" in page.content
    assert WebhookEvent.TEST.value.encode() in page.content


def test_disabling_stops_test_events_and_hides_the_buttons(manager_client, manager, make_endpoint):
    endpoint = make_endpoint(manager, "https://127.0.0.1/hooks")

    response = manager_client.post(reverse("webhooks:disable", args=[endpoint.pk]), follow=True)

    endpoint.refresh_from_db()
    assert endpoint.active is False
    assert views.ENDPOINT_DISABLED in _messages(response)
    assert b"Disabled" in response.content
    assert reverse("webhooks:test", args=[endpoint.pk]).encode() not in response.content
    assert AuditEvent.objects.filter(action=AuditEvent.Action.WEBHOOK_ENDPOINT_CHANGED).exists()

    again = manager_client.post(reverse("webhooks:disable", args=[endpoint.pk]), follow=True)
    assert views.ENDPOINT_ALREADY_DISABLED in _messages(again)

    refused = manager_client.post(reverse("webhooks:test", args=[endpoint.pk]), follow=True)
    assert views.ENDPOINT_INACTIVE in _messages(refused)
    assert not WebhookDelivery.objects.exists()


def test_deleting_removes_the_endpoint_and_its_deliveries(manager_client, manager, make_endpoint):
    endpoint = make_endpoint(manager, "https://127.0.0.1/hooks")
    _deliveries(endpoint, 2)

    response = manager_client.post(reverse("webhooks:delete", args=[endpoint.pk]), follow=True)

    assert response.redirect_chain == [(reverse("webhooks:list"), 302)]
    assert views.ENDPOINT_DELETED.format(url="https://127.0.0.1/hooks") in _messages(response)
    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.WEBHOOK_ENDPOINT_CHANGED, summary__endswith="deleted"
    ).exists()


def test_the_object_pages_answer_get_only_or_post_only(manager_client, manager, make_endpoint):
    endpoint = make_endpoint(manager, "https://127.0.0.1/hooks")
    assert manager_client.post(reverse("webhooks:detail", args=[endpoint.pk])).status_code == 405
    for name in ("webhooks:test", "webhooks:disable", "webhooks:delete"):
        assert manager_client.get(reverse(name, args=[endpoint.pk])).status_code == 405
    assert WebhookEndpoint.objects.get().active is True


# Other people.


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("webhooks:detail", "get"),
        ("webhooks:test", "post"),
        ("webhooks:disable", "post"),
        ("webhooks:delete", "post"),
    ],
)
def test_another_manager_gets_404_on_each_object_page_and_changes_nothing(
    client, manager, other_manager, make_endpoint, name, method
):
    endpoint = make_endpoint(manager, "https://127.0.0.1/hooks")
    client.force_login(other_manager)

    response = getattr(client, method)(reverse(name, args=[endpoint.pk]))

    assert response.status_code == 404
    endpoint.refresh_from_db()
    assert endpoint.active is True
    assert not WebhookDelivery.objects.exists()


def test_an_unknown_endpoint_is_404(manager_client):
    assert manager_client.get(reverse("webhooks:detail", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("webhooks:list", "get"),
        ("webhooks:create", "get"),
        ("webhooks:create", "post"),
        ("webhooks:detail", "get"),
        ("webhooks:test", "post"),
        ("webhooks:disable", "post"),
        ("webhooks:delete", "post"),
    ],
)
def test_a_trainee_is_refused_everywhere_and_changes_nothing(
    trainee_client, manager, make_endpoint, name, method
):
    endpoint = make_endpoint(manager, "https://127.0.0.1/hooks")
    args = [] if name in ("webhooks:list", "webhooks:create") else [endpoint.pk]
    data = {"url": "https://127.0.0.1/trainee", "events": [ISSUED]}

    response = getattr(trainee_client, method)(reverse(name, args=args), data)

    assert response.status_code in (403, 404)
    assert list(WebhookEndpoint.objects.values_list("url", "active")) == [
        ("https://127.0.0.1/hooks", True)
    ]
    assert not WebhookDelivery.objects.exists()


def test_the_superuser_registers_their_own_and_sees_every_endpoint_in_the_admin(
    client, superuser, manager, other_manager, make_endpoint
):
    make_endpoint(manager, "https://127.0.0.1/maya")
    make_endpoint(other_manager, "https://127.0.0.1/olga")
    client.force_login(superuser)

    response = client.post(
        reverse("webhooks:create"), {"url": "https://127.0.0.1/root", "events": [ISSUED]}
    )
    assert response.status_code == 302
    listed = client.get(reverse("webhooks:list")).context["endpoints"]
    assert [e.url for e in listed] == ["https://127.0.0.1/root"]

    admin = client.get(reverse("admin:quizzes_webhookendpoint_changelist"))
    assert admin.status_code == 200
    for address in ("maya", "olga", "root"):
        assert f"https://127.0.0.1/{address}".encode() in admin.content


# Query counts stay flat as endpoints and deliveries grow.


def test_the_list_takes_the_same_queries_for_1_or_12_endpoints(
    manager_client, manager, make_endpoint, django_assert_max_num_queries
):
    url = reverse("webhooks:list")
    make_endpoint(manager, "https://127.0.0.1/0")
    few = _queries(manager_client, url)
    for index in range(1, 12):
        make_endpoint(manager, f"https://127.0.0.1/{index}")

    with django_assert_max_num_queries(few):
        response = manager_client.get(url)
    assert len(response.context["endpoints"]) == 12
    assert few <= 8, few


def test_the_detail_page_takes_the_same_queries_for_1_or_60_deliveries(
    manager_client, manager, make_endpoint, django_assert_max_num_queries
):
    endpoint = make_endpoint(manager, "https://127.0.0.1/hooks")
    url = reverse("webhooks:detail", args=[endpoint.pk])
    _deliveries(endpoint, 1)
    few = _queries(manager_client, url)
    WebhookDelivery.objects.all().delete()
    _deliveries(endpoint, 60)

    with django_assert_max_num_queries(few):
        response = manager_client.get(url)
    assert len(response.context["deliveries"]) == 50  # the most recent only
    assert few <= 8, few
