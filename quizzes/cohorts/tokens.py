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

JOIN_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
JOIN_CODE_BITS = 80
JOIN_CODE_LENGTH = JOIN_CODE_BITS // 5  # 5 bits per character
JOIN_CODE_GROUP = 4

LINK_TOKEN_BYTES = 32
LINK_TOKEN_MAX_LENGTH = 64

# What people type instead of the real characters.
_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = re.compile(r"[\s\-_.]+")
_LINK_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def join_code_new() -> str:
    """Return a new join code: 16 characters carrying 80 bits from a cryptographic source."""
    number = secrets.randbits(JOIN_CODE_BITS)
    characters = []
    for _ in range(JOIN_CODE_LENGTH):
        number, index = divmod(number, 32)
        characters.append(JOIN_CODE_ALPHABET[index])
    return "".join(reversed(characters))


def join_code_format(code: str) -> str:
    """Group a stored join code for reading: XXXX-XXXX-XXXX-XXXX."""
    return "-".join(code[i : i + JOIN_CODE_GROUP] for i in range(0, len(code), JOIN_CODE_GROUP))


def join_code_normalise(typed: object) -> str | None:
    """Return the stored form of a typed join code, or None if it cannot be one.

    Case, spaces and dashes are ignored; I and L read as 1, O as 0.
    """
    if not isinstance(typed, str) or len(typed) > 64:
        return None
    code = _SEPARATORS.sub("", typed).upper().translate(_LOOKALIKES)
    if len(code) != JOIN_CODE_LENGTH or any(c not in JOIN_CODE_ALPHABET for c in code):
        return None
    return code


def link_token_new() -> tuple[str, str]:
    """Return a new link token and the digest to store for it."""
    token = secrets.token_urlsafe(LINK_TOKEN_BYTES)
    return token, link_token_digest(token)


def link_token_digest(token: object) -> str | None:
    """Return the stored digest of a token from a link, or None if it cannot be one."""
    if not isinstance(token, str) or not _LINK_TOKEN.fullmatch(token):
        return None
    return hashlib.sha256(token.encode("ascii")).hexdigest()
