"""Signed deliveries to a real listener: signature, retries with back-off, replay, SSRF."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook

from quizzes.certification.services import certificate_issue_if_complete, certificate_revoke
from quizzes.certification.signals import certificate_issued
from quizzes.models import Certificate, WebhookDelivery, WebhookEvent
from quizzes.webhooks import rules, transport
from quizzes.webhooks.delivery import delivery_attempt
from quizzes.webhooks.services import (
    deliveries_enqueue_due,
    delivery_replay,
    endpoint_create,
    endpoint_send_test,
)
from tests.builders import (
    do_everything,
    make_certificate,
    make_certificate_in_the_same_slot,
    make_cohort,
    make_program,
)
from tests.webhooks.listener import Listener
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _certify(trainee, capture):
    program = make_program(slug="hooked", lessons=1, quizzes=1)
    do_everything(trainee, program)
    with capture(execute=True):
        certificate = certificate_issue_if_complete(user=trainee, program=program)
    assert certificate is not None
    return certificate


def test_an_issued_certificate_arrives_signed_and_an_independent_verifier_accepts_it(
    superuser, trainee, listener, make_endpoint, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(superuser, listener.url)
    assert endpoint.secret.startswith("whsec_")
    certificate = _certify(trainee, django_capture_on_commit_callbacks)

    (request,) = listener.received
    payload = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert payload["type"] == "certificate.issued"
    assert payload["data"]["certificate"]["code"] == certificate.display_code
    assert payload["data"]["trainee"]["username"] == trainee.username
    delivery = WebhookDelivery.objects.get()
    assert request.headers["webhook-id"] == str(delivery.event_id) == payload["id"]
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert delivery.delivered_at is not None


def test_the_certificates_addresses_are_absolute_under_the_sites_public_address(
    superuser, trainee, listener, make_endpoint, settings, django_capture_on_commit_callbacks
):
    settings.CREDENTIAL_ISSUER_URL = "https://training.example.org/"
    make_endpoint(superuser, listener.url)
    certificate = _certify(trainee, django_capture_on_commit_callbacks)
    (request,) = listener.received
    sent = json.loads(request.body)["data"]["certificate"]
    code = certificate.display_code
    assert sent["url"] == f"https://training.example.org/certificates/{code}/"
    assert sent["verification_url"] == f"https://training.example.org/certificates/verify/{code}/"


def test_a_fresh_databases_certificate_of_the_same_pk_is_a_new_event(
    superuser, trainee, listener, make_endpoint, django_capture_on_commit_callbacks
):
    make_endpoint(superuser, listener.url)
    first = make_certificate(trainee, make_program(slug="hooked"), issued_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        certificate_issued.send(sender=Certificate, certificate=first)
    first_code = first.display_code
    second = make_certificate_in_the_same_slot(first)
    with django_capture_on_commit_callbacks(execute=True):
        certificate_issued.send(sender=Certificate, certificate=second)
        certificate_issued.send(sender=Certificate, certificate=second)  # the same event again
    bodies = [json.loads(request.body) for request in listener.received]
    assert [body["data"]["certificate"]["code"] for body in bodies] == [
        first_code,
        second.display_code,
    ]
    assert bodies[0]["id"] != bodies[1]["id"]
    assert [str(d.event_id) for d in WebhookDelivery.objects.order_by("pk")] == [
        body["id"] for body in bodies
    ]


def test_a_tampered_body_or_another_secret_fails_the_independent_verifier(
    superuser, trainee, listener, make_endpoint, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(superuser, listener.url)
    _certify(trainee, django_capture_on_commit_callbacks)
    (request,) = listener.received
    with pytest.raises(Exception, match="(?i)signature"):
        Webhook(endpoint.secret).verify(request.body.replace(b"hooked", b"forged"), request.headers)
    other = endpoint_create(owner=superuser, url=listener.url, events=["certificate.issued"])
    with pytest.raises(Exception, match="(?i)signature"):
        Webhook(other.secret).verify(request.body, request.headers)


def test_a_failed_try_is_retried_with_back_off_until_the_listener_answers(
    superuser, trainee, make_endpoint, django_capture_on_commit_callbacks
):
    listener = Listener(statuses=[500, 200]).start()
    try:
        make_endpoint(superuser, listener.url)
        _certify(trainee, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "pending",
            1,
            500,
        )
        assert delivery.last_error == "HTTP 500: ok"
        wait = delivery.next_attempt_at - timezone.now()
        assert timedelta(seconds=50) < wait <= rules.BACKOFF[0]

        # Not yet due: nothing is queued.
        with django_capture_on_commit_callbacks(execute=True):
            assert deliveries_enqueue_due() == 0
        with django_capture_on_commit_callbacks(execute=True):
            assert deliveries_enqueue_due(now=delivery.next_attempt_at) == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "succeeded",
            2,
            200,
        )
        first, second = listener.received
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
    finally:
        listener.stop()


def test_the_back_off_grows_and_the_delivery_fails_after_the_last_try(
    superuser, make_endpoint, django_capture_on_commit_callbacks
):
    listener = Listener(statuses=[503]).start()
    try:
        endpoint = make_endpoint(superuser, listener.url)
        with django_capture_on_commit_callbacks(execute=True):
            delivery = endpoint_send_test(endpoint=endpoint)
        waits = []
        for _ in range(rules.MAX_ATTEMPTS - 1):
            delivery.refresh_from_db()
            waits.append(delivery.next_attempt_at - timezone.now())
            assert delivery_attempt(delivery_id=delivery.pk) in ("retry", "failed")
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("failed", rules.MAX_ATTEMPTS)
        assert delivery.next_attempt_at is None
        assert len(listener.received) == rules.MAX_ATTEMPTS
        for wait, expected in zip(waits, rules.BACKOFF, strict=True):
            assert expected - timedelta(seconds=30) < wait <= expected
        assert delivery_attempt(delivery_id=delivery.pk) == "skipped"
    finally:
        listener.stop()


@override_settings(TASKS=DATABASE_TASKS)
def test_with_the_database_backend_a_retry_is_a_job_deferred_by_the_back_off(
    superuser, make_endpoint, django_capture_on_commit_callbacks
):
    listener = Listener(statuses=[500]).start()
    try:
        endpoint = make_endpoint(superuser, listener.url)
        with django_capture_on_commit_callbacks(execute=True):
            delivery = endpoint_send_test(endpoint=endpoint)
        (first,) = DBTaskResult.objects.all()
        assert first.task_path == "quizzes.webhooks.delivery.webhook_deliver"
        assert first.args_kwargs["kwargs"] == {"delivery_id": delivery.pk}
        with django_capture_on_commit_callbacks(execute=True):
            assert delivery_attempt(delivery_id=delivery.pk) == "retry"
        delivery.refresh_from_db()
        retry = DBTaskResult.objects.exclude(pk=first.pk).get()
        assert retry.run_after == delivery.next_attempt_at
    finally:
        listener.stop()


def test_a_superuser_replays_a_delivery_with_the_same_id_and_it_is_audited(
    superuser, manager, listener, make_endpoint, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(superuser, listener.url)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = endpoint_send_test(endpoint=endpoint)
    with pytest.raises(PermissionDenied):
        delivery_replay(delivery=delivery, by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        delivery_replay(delivery=delivery, by=superuser)
    first, second = listener.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    event = AuditEvent.objects.get(action=AuditEvent.Action.WEBHOOK_REPLAYED)
    assert event.actor == superuser


def test_other_managers_trainees_events_never_reach_an_endpoint(
    manager,
    other_manager,
    superuser,
    trainee,
    other_trainee,
    make_endpoint,
    django_capture_on_commit_callbacks,
):
    make_cohort(managers=[manager], trainees=[trainee])
    make_cohort(managers=[other_manager], trainees=[other_trainee])
    listeners = {name: Listener().start() for name in ("manager", "other", "root")}
    try:
        make_endpoint(manager, listeners["manager"].url)
        make_endpoint(other_manager, listeners["other"].url)
        make_endpoint(superuser, listeners["root"].url)
        program = make_program(slug="scoped", lessons=1, quizzes=1)
        for person in (trainee, other_trainee):
            do_everything(person, program)
            with django_capture_on_commit_callbacks(execute=True):
                certificate_issue_if_complete(user=person, program=program)

        def holders(name):
            return [
                json.loads(r.body)["data"]["trainee"]["username"] for r in listeners[name].received
            ]

        assert holders("manager") == [trainee.username]
        assert holders("other") == [other_trainee.username]
        assert sorted(holders("root")) == sorted([trainee.username, other_trainee.username])
    finally:
        for running in listeners.values():
            running.stop()


def test_a_revocation_is_its_own_event(
    superuser, trainee, listener, make_endpoint, django_capture_on_commit_callbacks
):
    make_endpoint(superuser, listener.url, events=["certificate.revoked"])
    certificate = _certify(trainee, django_capture_on_commit_callbacks)
    assert listener.received == []
    with django_capture_on_commit_callbacks(execute=True):
        certificate_revoke(certificate=certificate, by=superuser, reason="Issued in error.")
    (request,) = listener.received
    body = json.loads(request.body)
    assert body["type"] == WebhookEvent.CERTIFICATE_REVOKED
    assert body["data"]["certificate"]["revoke_reason"] == "Issued in error."


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://localhost/hook",
        "https://[::ffff:192.168.0.1]/hook",
    ],
)
def test_private_loopback_and_link_local_destinations_are_refused(superuser, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(ValidationError) as refused:
        endpoint_create(owner=superuser, url=url, events=["certificate.issued"])
    assert refused.value.messages in (
        [transport.URL_PRIVATE_REFUSED],
        [transport.URL_HTTP_PUBLIC_REFUSED],
    )


def test_a_destination_that_became_private_is_refused_at_delivery_without_a_request(
    superuser, listener, make_endpoint, settings, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(superuser, listener.url)
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with django_capture_on_commit_callbacks(execute=True):
        delivery = endpoint_send_test(endpoint=endpoint)
    delivery.refresh_from_db()
    assert listener.received == []
    assert delivery.last_error == transport.URL_PRIVATE_REFUSED
    assert (delivery.status, delivery.attempts) == ("pending", 1)


def test_plain_http_to_a_public_address_and_other_schemes_are_refused(superuser, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    for url, message in (
        ("http://8.8.8.8/hook", transport.URL_HTTP_PUBLIC_REFUSED),
        ("ftp://127.0.0.1/hook", transport.URL_SCHEME_REFUSED),
        ("https:///nohost", transport.URL_HOST_MISSING),
    ):
        with pytest.raises(ValidationError) as refused:
            endpoint_create(owner=superuser, url=url, events=["certificate.issued"])
        assert refused.value.messages == [message]


def test_only_managers_and_superusers_register_endpoints(trainee, educator, allow_private):
    for person in (trainee, educator):
        with pytest.raises(PermissionDenied):
            endpoint_create(owner=person, url="http://127.0.0.1/x", events=["certificate.issued"])
