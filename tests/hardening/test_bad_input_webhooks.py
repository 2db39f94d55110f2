"""Bad input, generated, for the webhook pages' POSTs: register, test, disable, delete.

Besides "no 5xx, a message, nothing stored on a refusal": a registered endpoint always has
an allowed address, known events and a whsec_ secret, and never belongs to anyone else.
"""

from __future__ import annotations

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from quizzes.models import WebhookDelivery, WebhookEndpoint
from quizzes.webhooks.services import SUBSCRIBABLE
from tests.hardening.test_bad_input import (
    counts,
    form,
    fuzz_settings,
    keep_cookies,
    or_valid,
    post_form,
    rolled_back,
    run_case,
    signed_in,
    values,
)
from trainingsite.models import AuditEvent

WEBHOOK_FUZZ = fuzz_settings(60)
STATE = counts(WebhookEndpoint, WebhookDelivery, AuditEvent)
URLS = (
    "http://127.0.0.1:9/hook",
    "https://127.0.0.1/hook",
    "https://10.0.0.1/x",
    "ftp://127.0.0.1/",
    "javascript:alert(1)",
    "http://[::1",
    "https://",
    "//127.0.0.1/x",
)


def test_register_never_fails_and_stores_only_a_sound_endpoint(world, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    client = signed_in(world.manager)
    restore = keep_cookies(client)
    url = reverse("webhooks:create")
    fields = {"url": values(*URLS), "events": values(*SUBSCRIBABLE, "webhook.test", "nope")}
    valid = {
        "url": st.just("http://127.0.0.1:9/hook"),
        "events": st.sampled_from(SUBSCRIBABLE),
    }

    @WEBHOOK_FUZZ
    @given(pairs=or_valid(valid, form(fields)))
    def case(pairs):
        restore()
        with rolled_back():
            before = set(WebhookEndpoint.objects.values_list("pk", flat=True))
            response = run_case(
                "webhooks register",
                lambda: post_form(client, url, pairs),
                allowed={302, 400},
                state=STATE,
                rollback=False,
            )
            new = WebhookEndpoint.objects.exclude(pk__in=before)
            if response.status_code == 302:
                (endpoint,) = new
                assert endpoint.owner == world.manager
                assert endpoint.secret.startswith("whsec_")
                assert endpoint.events and set(endpoint.events) <= set(SUBSCRIBABLE)
                assert endpoint.url.startswith(("http://127.0.0.1", "https://127.0.0.1"))
            else:
                assert not new.exists()

    case()


def test_test_disable_and_delete_ignore_any_fields_and_never_fail(world):
    client = signed_in(world.manager)
    restore = keep_cookies(client)
    noise = form({"pk": values("1", "-1"), "active": values("1", "0"), "url": values(*URLS)})

    def fuzz(name):
        url = reverse(name, kwargs={"pk": world.webhook_endpoint.pk})

        @WEBHOOK_FUZZ
        @given(pairs=noise)
        def case(pairs):
            restore()
            run_case(name, lambda: post_form(client, url, pairs), allowed={302}, state=None)

        case()

    for name in ("webhooks:test", "webhooks:disable", "webhooks:delete"):
        fuzz(name)


def test_another_managers_endpoint_is_a_404_whatever_is_posted(world):
    client = signed_in(world.other_manager)
    for name in ("webhooks:test", "webhooks:disable", "webhooks:delete"):
        url = reverse(name, kwargs={"pk": world.webhook_endpoint.pk})
        before = STATE()
        response = post_form(client, url, [("url", "https://evil.example/")])
        assert response.status_code == 404
        assert STATE() == before
