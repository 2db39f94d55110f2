"""Addresses that leave the site: a path under the site's public address.

Webhook payloads and API answers are read by other systems, which cannot resolve a path on
their own; the public address is the one the signed credentials name as their issuer.
"""

from urllib.parse import urljoin

from django.conf import settings


def public_url(path: str) -> str:
    """The path under the site's public address (the credentials' issuer address)."""
    return urljoin(settings.CREDENTIAL_ISSUER_URL, path)
