"""Posting a delivery: the destination checked after resolving it (SSRF), then one request.

The host is resolved once, every address is checked (private, loopback, link-local and other
non-public addresses are refused unless WEBHOOKS_ALLOW_PRIVATE_ADDRESSES), and the connection
goes to the checked address, so a name that resolves differently a moment later (DNS
rebinding) cannot reach an address that was never checked. Redirects are not followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.parse
from dataclasses import dataclass

URL_SCHEME_REFUSED = (
    "The address must start with https:// (http:// only for a private test address)."
)
URL_HOST_MISSING = "The address has no host name."
URL_NOT_RESOLVED = "The address's host name could not be resolved."
URL_PRIVATE_REFUSED = (
    "The address points at a private, loopback or link-local network, which webhooks may not reach."
)
URL_HTTP_PUBLIC_REFUSED = "Plain http:// is allowed only for a private test address; use https://."


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    target: str  # path and query
    address: str  # the checked IP address to connect to


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    body: str = ""


def _is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def destination_check(url: str, *, allow_private: bool) -> Destination:
    """Resolve and check `url`; raise ValueError with a clear message when it is refused."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise ValueError(URL_SCHEME_REFUSED)
    try:
        host, port = parts.hostname, parts.port
    except ValueError as error:
        raise ValueError(URL_HOST_MISSING) from error
    if not host:
        raise ValueError(URL_HOST_MISSING)
    port = port or (443 if scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ValueError(URL_NOT_RESOLVED) from error
    addresses = sorted({info[4][0] for info in infos})
    if not addresses:
        raise ValueError(URL_NOT_RESOLVED)
    private = any(_is_private(address) for address in addresses)
    if private and not allow_private:
        raise ValueError(URL_PRIVATE_REFUSED)
    if scheme == "http" and not (allow_private and private):
        raise ValueError(URL_HTTP_PUBLIC_REFUSED)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return Destination(scheme=scheme, host=host, port=port, target=target, address=addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, destination: Destination, timeout: float):
        super().__init__(destination.host, destination.port, timeout=timeout)
        self._address = destination.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, destination: Destination, timeout: float):
        super().__init__(
            destination.host,
            destination.port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
        self._address = destination.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(
    url: str, *, body: bytes, headers: dict[str, str], timeout: float, allow_private: bool
) -> Outcome:
    """POST `body` to `url` after checking it; never raises for a refused or failed request."""
    try:
        destination = destination_check(url, allow_private=allow_private)
    except ValueError as error:
        return Outcome(status_code=None, error=str(error))
    connection_class = (
        _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    )
    connection = connection_class(destination, timeout)
    try:
        connection.request(
            "POST",
            destination.target,
            body=body,
            headers={**headers, "User-Agent": "trainingsite-webhooks/1"},
        )
        response = connection.getresponse()
        text = response.read(2000).decode("utf-8", "replace")
        return Outcome(status_code=response.status, error="", body=text)
    except (OSError, http.client.HTTPException) as error:
        return Outcome(status_code=None, error=f"{type(error).__name__}: {error}"[:500])
    finally:
        connection.close()
