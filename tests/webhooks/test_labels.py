"""The webhook pages name events by their labels, with the value receivers see as code."""

import pytest
from django.urls import reverse

from quizzes.models import WebhookDelivery, WebhookEvent
from quizzes.webhooks.selectors import EventName, event_names

pytestmark = pytest.mark.django_db
EVENTS = ["certificate.issued", "trainee.overdue"]


def test_event_names_pair_each_value_with_its_label_and_keep_an_unknown_value():
    assert event_names([*EVENTS, "gone.event"]) == [
        EventName(value="certificate.issued", label="Certificate issued"),
        EventName(value="trainee.overdue", label="Trainee overdue"),
        EventName(value="gone.event", label="gone.event"),
    ]


def test_the_list_shows_the_labels_not_the_raw_values(manager_client, manager, make_endpoint):
    make_endpoint(manager, "https://127.0.0.1/hooks", events=EVENTS)
    html = manager_client.get(reverse("webhooks:list")).content.decode()
    assert "<li>Certificate issued</li><li>Trainee overdue</li>" in html
    assert "certificate.issued" not in html


def test_the_detail_page_shows_labels_with_the_values_as_code(
    manager_client, manager, make_endpoint
):
    endpoint = make_endpoint(manager, "https://127.0.0.1/hooks", events=EVENTS)
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type=WebhookEvent.TEST,
        event_id="00000000-0000-4000-8000-000000000001",
        payload={},
    )
    html = manager_client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    assert "<li>Certificate issued <code>certificate.issued</code></li>" in html
    assert "<li>Trainee overdue <code>trainee.overdue</code></li>" in html
    assert 'Test event <code class="d-block small">webhook.test</code>' in html
    assert "certificate.issued, trainee.overdue" not in html


def test_the_form_offers_each_event_by_label_with_its_value_as_code(manager_client):
    html = manager_client.get(reverse("webhooks:create")).content.decode()
    for event in WebhookEvent:
        if event == WebhookEvent.TEST:
            continue
        assert f"{event.label} <code>{event.value}</code>" in html
    assert "&lt;code&gt;" not in html  # the markup is the form's own, not escaped text
