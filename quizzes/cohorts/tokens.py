"""The cohorts' secrets: join codes people type, and link tokens people click.

A join code is 80 random bits from `secrets`, written as 16 Crockford base-32
characters (no I, L, O or U) and shown in four groups of four, like the
certificate codes: ``7KQ2-M9XD-4RTB-0HZW``. It is stored without the dashes;
what people type is read back ignoring case, spaces and dashes.

A link token (an invitation, an e-mail confirmation) is 256 random bits,
URL-safe. Only its SHA-256 digest is stored, so a copy of the database opens
no link; the digest is looked up, never the token itself.
"""

import hashlib
import re
import secrets

from trainingsite.codes import (
    CROCKFORD_ALPHABET,
    crockford_format,
    crockford_generate,
    crockford_normalise,
)

JOIN_CODE_ALPHABET = CROCKFORD_ALPHABET
JOIN_CODE_BITS = 80
JOIN_CODE_LENGTH = JOIN_CODE_BITS // 5  # 5 bits per character

LINK_TOKEN_BYTES = 32
LINK_TOKEN_MAX_LENGTH = 64

_LINK_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def join_code_new() -> str:
    """Return a new join code: 16 characters carrying 80 bits from a cryptographic source."""
    return crockford_generate(JOIN_CODE_BITS)


def join_code_format(code: str) -> str:
    """Group a stored join code for reading: XXXX-XXXX-XXXX-XXXX."""
    return crockford_format(code)


def join_code_normalise(typed: object) -> str | None:
    """Return the stored form of a typed join code, or None if it cannot be one.

    Case, spaces and dashes are ignored; I and L read as 1, O as 0.
    """
    return crockford_normalise(typed, length=JOIN_CODE_LENGTH, max_typed=64)


def link_token_new() -> tuple[str, str]:
    """Return a new link token and the digest to store for it."""
    token = secrets.token_urlsafe(LINK_TOKEN_BYTES)
    return token, link_token_digest(token)


def link_token_digest(token: object) -> str | None:
    """Return the stored digest of a token from a link, or None if it cannot be one."""
    if not isinstance(token, str) or not _LINK_TOKEN.fullmatch(token):
        return None
    return hashlib.sha256(token.encode("ascii")).hexdigest()
