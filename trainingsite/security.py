"""Hooks for django-axes: the client's address and the lockout page."""

import ipaddress

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


# An IPv6 client is usually given a whole /64, so a per-address limit keyed on the
# full address could be dodged by rotating within it.
IPV6_LIMIT_PREFIX = 64


def client_limit_key(request: HttpRequest) -> str:
    """The client as the rate limits count it: an IPv4 address, or an IPv6 /64 network."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_LIMIT_PREFIX}", strict=False))
    return str(parsed)


# django-axes stores the typed username in a 255-character column.
AXES_USERNAME_MAX_LENGTH = 255


def client_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """Return the username axes records and keys lockouts on, cut to fit its column.

    Django's log-in form does not enforce the username's length before
    authenticating, so an over-long name would otherwise fail the insert on
    PostgreSQL (a 500) instead of counting as a failed log-in.
    """
    data = credentials if credentials else getattr(request, "data", request.POST)
    username = data.get(settings.AXES_USERNAME_FORM_FIELD)
    if not isinstance(username, str):
        return username
    return username.replace("\x00", "")[:AXES_USERNAME_MAX_LENGTH]


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
