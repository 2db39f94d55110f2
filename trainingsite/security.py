"""Hooks for django-axes: the client's address and the lockout page."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

LOCKOUT_STATUS = 429
LOCKOUT_MESSAGE = "Too many failed log-in attempts for this account from your network."


def client_ip(request: HttpRequest) -> str:
    """Return the client's address, trusting only the configured number of proxies.

    Each trusted proxy appends the address it received the request from to
    X-Forwarded-For, so the client is the entry TRUSTED_PROXY_COUNT from the
    right; anything further left was written by the client and can be forged.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")


def lockout_minutes() -> int:
    return max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """Render the friendly lockout page with 429 Too Many Requests."""
    return render(
        request,
        "registration/locked_out.html",
        {"message": LOCKOUT_MESSAGE, "cooloff_minutes": lockout_minutes()},
        status=LOCKOUT_STATUS,
    )
