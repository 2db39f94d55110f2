"""`send_webhook_due_events`: expiring soon, expired and overdue, each once per state."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quizzes.models import WebhookDelivery
from quizzes.webhooks.selectors import due_events
from quizzes.webhooks.services import event_id_for
from tests.builders import assign, make_certificate, make_cohort, make_program, make_trainee

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)
EVENTS = ("certificate.expiring_soon", "certificate.expired", "trainee.overdue")
OVERDUE = "trainee.overdue"
User = get_user_model()


def run(capture, *args) -> str:
    out = StringIO()
    with capture(execute=True):
        call_command("send_webhook_due_events", *args, stdout=out)
    return out.getvalue()


def test_each_due_state_is_delivered_once_and_only_in_scope(
    manager,
    other_manager,
    trainee,
    other_trainee,
    listener,
    make_endpoint,
    django_capture_on_commit_callbacks,
):
    now = timezone.now()
    make_cohort(managers=[manager], trainees=[trainee])
    make_cohort(managers=[other_manager], trainees=[other_trainee])
    make_endpoint(manager, listener.url, events=EVENTS)
    expiring = make_program(slug="expiring")
    expired = make_program(slug="expired")
    overdue = make_program(slug="overdue")
    for person in (trainee, other_trainee):
        make_certificate(person, expiring, issued_at=now - 700 * DAY, expires_at=now + 10 * DAY)
        make_certificate(person, expired, issued_at=now - 800 * DAY, expires_at=now - 10 * DAY)
        assign(person, overdue, due_date=timezone.localdate() - DAY)

    assert "3 deliveries recorded, 0 retries queued." in run(django_capture_on_commit_callbacks)
    bodies = [json.loads(request.body) for request in listener.received]
    assert sorted(body["type"] for body in bodies) == sorted(EVENTS)
    assert {body["data"]["trainee"]["username"] for body in bodies} == {trainee.username}
    assert WebhookDelivery.objects.filter(status="succeeded").count() == 3

    assert "0 deliveries recorded" in run(django_capture_on_commit_callbacks)
    assert len(listener.received) == 3


def test_dry_run_records_nothing(
    manager, trainee, listener, make_endpoint, django_capture_on_commit_callbacks
):
    make_cohort(managers=[manager], trainees=[trainee])
    make_endpoint(manager, listener.url, events=EVENTS)
    assign(trainee, make_program(slug="late"), due_date=timezone.localdate() - DAY)
    output = run(django_capture_on_commit_callbacks, "--dry-run")
    assert "Would record: trainee.overdue" in output
    assert "Dry run: 1 event due, none recorded." in output
    assert not WebhookDelivery.objects.exists()
    assert listener.received == []


def test_overdue_keys_name_the_person_not_only_their_id(trainee):
    """A fresh database's trainee of the same id joined at another moment: another event."""
    assign(trainee, make_program(slug="late"), due_date=timezone.localdate() - DAY)
    (first,) = due_events()
    User.objects.filter(pk=trainee.pk).update(username="renamed")
    (renamed,) = due_events()
    assert renamed.key == first.key  # a new username is the same person
    User.objects.filter(pk=trainee.pk).update(date_joined=trainee.date_joined - 90 * DAY)
    (other_database,) = due_events()
    assert other_database.key != first.key
    assert event_id_for(event_type=OVERDUE, key=other_database.key) != event_id_for(
        event_type=OVERDUE, key=first.key
    )


def test_expiry_keys_follow_the_certificates_code_not_its_pk(trainee):
    now = timezone.now()
    program = make_program(slug="expiring")
    certificate = make_certificate(
        trainee, program, issued_at=now - 700 * DAY, expires_at=now + 10 * DAY
    )
    (event,) = due_events()
    assert event.key == f"certificate:{certificate.code}:{certificate.expires_at.date()}"


def _expiring_certificates(count):
    now = timezone.now()
    program = make_program(slug=f"expiring-{count}", lessons=0, quizzes=0)
    for index in range(count):
        make_certificate(
            make_trainee(username=f"expiring-{count}-{index}"),
            program,
            issued_at=now - 700 * DAY,
            expires_at=now + 10 * DAY,
        )


def test_due_events_take_the_same_queries_for_1_or_6_certificates(django_assert_num_queries):
    _expiring_certificates(1)
    with CaptureQueriesContext(connection) as one:
        assert len(due_events()) == 1
    _expiring_certificates(5)
    with django_assert_num_queries(len(one)):
        assert len(due_events()) == 6
