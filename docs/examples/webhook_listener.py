"""A local webhook listener that checks each delivery's signature and prints it (standard library).

    python3 docs/examples/webhook_listener.py --port 8200 --secret 'whsec_...'

Register http://127.0.0.1:8200/hook as the endpoint's address (plain http:// to loopback is
allowed with DJANGO_DEBUG=1), copy its signing secret from the endpoint's page, start this.
Each POST is checked with the Standard Webhooks scheme: the signature, a timestamp within five
minutes, and the event id seen once (a retry of an event already handled is answered 200 and
not handled again). A verified delivery is answered 200, a forged or stale one 401 (the site
then retries it). One JSON line per request goes to standard output.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 5 * 60
SECRET_PREFIX = "whsec_"


class SignatureError(Exception):
    """The delivery is not signed with the secret, or its timestamp is too far off."""


def expected_signature(*, secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """Return the base64 HMAC-SHA256 of "id.timestamp.body", keyed with the decoded secret."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def verify(*, secret: str, headers: dict[str, str], body: bytes, now: float | None = None) -> dict:
    """Return the event when the delivery is genuine; raise SignatureError otherwise."""
    headers = {name.lower(): value for name, value in headers.items()}
    msg_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    if not msg_id or not timestamp.isdigit():
        raise SignatureError("webhook-id or webhook-timestamp missing")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        raise SignatureError("timestamp more than five minutes away")
    wanted = expected_signature(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body)
    # The header may carry several space-separated signatures (during a secret rotation).
    given = [
        part.split(",", 1)[1]
        for part in headers.get("webhook-signature", "").split()
        if part.startswith("v1,")
    ]
    if not any(hmac.compare_digest(wanted, signature) for signature in given):
        raise SignatureError("signature does not match")
    return json.loads(body)


def make_server(*, host: str, port: int, secret: str, out=sys.stdout) -> ThreadingHTTPServer:
    """Return a server (not yet serving) that verifies, prints and answers each delivery."""
    seen: set[str] = set()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {name.lower(): value for name, value in self.headers.items()}
            line = {
                "path": self.path,
                "webhook-id": headers.get("webhook-id"),
                "webhook-timestamp": headers.get("webhook-timestamp"),
                "webhook-signature": headers.get("webhook-signature"),
            }
            try:
                event = verify(secret=secret, headers=headers, body=body)
            except (SignatureError, ValueError) as error:
                status, line["verified"], line["error"] = 401, False, str(error)
            else:
                with lock:
                    repeat = event.get("id") in seen
                    seen.add(event.get("id"))
                status, line["verified"], line["repeat"] = 200, True, repeat
                line["type"], line["data"] = event.get("type"), event.get("data")
            # Logged before the answer, so the line is there once the sender has its status.
            print(json.dumps(line), file=out, flush=True)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass  # the JSON line above is the log

    return ThreadingHTTPServer((host, port), Handler)


def make_parser() -> argparse.ArgumentParser:
    """Return the command line's parser."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8200)
    parser.add_argument("--secret", required=True, help="The endpoint's whsec_... secret.")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = make_parser().parse_args(argv)
    server = make_server(host=args.host, port=args.port, secret=args.secret)
    print(f"Listening on http://{args.host}:{server.server_address[1]}/hook", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
