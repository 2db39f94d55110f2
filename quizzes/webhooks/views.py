"""The webhook pages: list, register (the secret is shown), detail with deliveries, test,
disable, delete. For managers and superusers; an endpoint is reached only through
selectors.webhook_endpoint_for_owner_or_404, so anyone else's is a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quizzes.webhooks.forms import WebhookEndpointForm
from quizzes.webhooks.selectors import (
    endpoint_deliveries,
    endpoints_listed,
    event_names,
    webhook_endpoint_for_owner_or_404,
)
from quizzes.webhooks.services import (
    endpoint_create,
    endpoint_delete,
    endpoint_disable,
    endpoint_send_test,
)
from trainingsite.access import manager_required

ENDPOINT_CREATED = "The endpoint was registered. Use its signing secret to verify deliveries."
TEST_QUEUED = "A test event was queued for this endpoint."
ENDPOINT_DISABLED = "The endpoint was disabled; it receives no more events."
ENDPOINT_ALREADY_DISABLED = "The endpoint was already disabled."
ENDPOINT_INACTIVE = "A disabled endpoint receives no test events."
ENDPOINT_DELETED = "The endpoint “{url}” and its delivery records were deleted."


@manager_required
@require_GET
def endpoint_list(request):
    endpoints = endpoints_listed(request.user)
    return render(request, "webhooks/list.html", {"endpoints": endpoints, "section": "webhooks"})


@manager_required
@require_http_methods(["GET", "POST"])
def endpoint_new(request):
    form = WebhookEndpointForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = endpoint_create(
                owner=request.user,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, ENDPOINT_CREATED)
            return redirect("webhooks:detail", pk=endpoint.pk)
    status = 400 if request.method == "POST" else 200  # refused: the form says why
    return render(
        request, "webhooks/form.html", {"form": form, "section": "webhooks"}, status=status
    )


@manager_required
@require_GET
def endpoint_detail(request, pk: int):
    endpoint = webhook_endpoint_for_owner_or_404(request.user, pk)
    response = render(
        request,
        "webhooks/detail.html",
        {
            "endpoint": endpoint,
            "event_names": event_names(endpoint.events),
            "deliveries": endpoint_deliveries(endpoint),
            "section": "webhooks",
        },
    )
    response["Cache-Control"] = "no-store"  # the page shows the signing secret
    return response


@manager_required
@require_POST
def endpoint_test(request, pk: int):
    endpoint = webhook_endpoint_for_owner_or_404(request.user, pk)
    if not endpoint.active:
        messages.error(request, ENDPOINT_INACTIVE)
    else:
        endpoint_send_test(endpoint=endpoint)
        messages.success(request, TEST_QUEUED)
    return redirect("webhooks:detail", pk=endpoint.pk)


@manager_required
@require_POST
def endpoint_off(request, pk: int):
    endpoint = webhook_endpoint_for_owner_or_404(request.user, pk)
    if endpoint_disable(endpoint=endpoint, by=request.user):
        messages.success(request, ENDPOINT_DISABLED)
    else:
        messages.info(request, ENDPOINT_ALREADY_DISABLED)
    return redirect("webhooks:detail", pk=endpoint.pk)


@manager_required
@require_POST
def endpoint_remove(request, pk: int):
    endpoint = webhook_endpoint_for_owner_or_404(request.user, pk)
    url = endpoint.url
    endpoint_delete(endpoint=endpoint, by=request.user)
    messages.success(request, ENDPOINT_DELETED.format(url=url))
    return redirect("webhooks:list")
