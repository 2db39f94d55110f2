"""The issuer's signing keys: a key set of Ed25519 private JWKs, the newest first.

The key set is JSON, ``{"keys": [<private JWK with a "kid">, ...]}``, read from
the CREDENTIAL_KEYS setting (the JSON itself, for app servers without a disk of
their own) or else from the file CREDENTIAL_KEYS_FILE. The first key signs; every
key's public part is published (the JWKS), so a credential signed before a
rotation still verifies. Nothing is read at import: a missing key set fails
when something is signed, with what to do about it.

Signing uses joserfc; the tests verify with PyJWT, a second implementation.
"""

import json
import os
import secrets
import tempfile
import warnings
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import OKPKey

ALGORITHM = "EdDSA"
CURVE = "Ed25519"
# RFC 9864 prefers the fully specified "Ed25519" name, but VC-JOSE-COSE and the Open Badges
# verifiers in use expect "EdDSA" (with an Ed25519 key): keep it, without the warning.
warnings.filterwarnings("ignore", message="EdDSA is deprecated", category=SecurityWarning)

KEYS_MISSING = (
    "No credential signing key is configured, so no credential can be signed. "
    "Run `manage.py credential_keys --generate` (it writes {path}), or set "
    "DJANGO_CREDENTIAL_KEYS (the key set's JSON) or DJANGO_CREDENTIAL_KEYS_FILE "
    "(README, 'Signed credentials')."
)
KEYS_INVALID = (
    "The credential key set ({source}) is not usable: {reason}. It must be JSON "
    '{{"keys": [...]}} of Ed25519 private keys (JWK, kty "OKP", crv "Ed25519", with "d" '
    'and a "kid"), the signing key first.'
)
KEYS_EXIST = "A credential key set already exists at {path}; use --rotate to add a new key."
KEYS_FROM_SETTING = (
    "The key set comes from DJANGO_CREDENTIAL_KEYS, which this command cannot change: "
    "generate a key set into a file and put its content in the variable instead."
)


class CredentialKeysError(ImproperlyConfigured):
    pass


def key_new() -> dict:
    """Return a new Ed25519 private JWK with a kid naming its day and 48 random bits."""
    kid = f"{datetime.now(UTC):%Y-%m-%d}-{secrets.token_hex(6)}"
    key = OKPKey.generate_key(CURVE, parameters={"kid": kid}, private=True)
    return key.as_dict(private=True)


def key_set_text(keys: list[dict]) -> str:
    return json.dumps({"keys": keys}, indent=2) + "\n"


def _source() -> tuple[str, str | None]:
    """Return (where the keys come from, their text or None when there are none)."""
    inline = (getattr(settings, "CREDENTIAL_KEYS", "") or "").strip()
    if inline:
        return "DJANGO_CREDENTIAL_KEYS", inline
    path = Path(settings.CREDENTIAL_KEYS_FILE)
    try:
        return str(path), path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return str(path), None
    except OSError as error:
        raise CredentialKeysError(
            KEYS_INVALID.format(source=path, reason=f"it cannot be read ({error.strerror})")
        ) from error


@lru_cache(maxsize=8)
def key_set_parse(text: str, source: str = "the key set") -> tuple[OKPKey, ...]:
    """Return the keys of a key set's JSON, signing key first; raise CredentialKeysError."""

    def invalid(reason: str) -> CredentialKeysError:
        return CredentialKeysError(KEYS_INVALID.format(source=source, reason=reason))

    try:
        data = json.loads(text)
    except ValueError as error:
        raise invalid("it is not JSON") from error
    entries = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise invalid('it has no "keys" list, or the list is empty')
    keys, kids = [], set()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or entry.get("kty") != "OKP" or entry.get("crv") != CURVE:
            raise invalid(f"key {number} is not an Ed25519 key")
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid or kid in kids:
            raise invalid(f"key {number} has no kid of its own")
        if "d" not in entry:
            raise invalid(f"key {number} ({kid}) has no private part")
        try:
            keys.append(OKPKey.import_key(entry))
        except (JoseError, ValueError, TypeError) as error:
            raise invalid(f"key {number} ({kid}) cannot be read") from error
        kids.add(kid)
    return tuple(keys)


def key_set() -> tuple[OKPKey, ...]:
    """Return the configured keys, signing key first; raise CredentialKeysError if none."""
    source, text = _source()
    if text is None:
        raise CredentialKeysError(KEYS_MISSING.format(path=source))
    return key_set_parse(text, source)


def public_jwks() -> dict:
    """The JWKS to publish: every key's public part, with its kid."""
    return {
        "keys": [
            {**key.as_dict(private=False), "alg": ALGORITHM, "use": "sig"} for key in key_set()
        ]
    }


def public_key(kid: str) -> OKPKey | None:
    """Return the public key with this kid, or None when it is not one of ours."""
    for key in key_set():
        if key.kid == kid:
            return OKPKey.import_key(key.as_dict(private=False))
    return None


def jwt_sign(*, claims: dict, typ: str) -> tuple[str, str]:
    """Sign the claims as a compact JWS with the newest key; return (token, kid)."""
    key = key_set()[0]
    header = {"alg": ALGORITHM, "typ": typ, "kid": key.kid}
    payload = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return jws.serialize_compact(header, payload, key, algorithms=[ALGORITHM]), key.kid


def jws_signature_valid(*, token: str, key: OKPKey) -> bool:
    """Return True when the compact JWS is signed by `key` with EdDSA (nothing else accepted)."""
    try:
        jws.deserialize_compact(token, key, algorithms=[ALGORITHM])
    except (JoseError, ValueError, TypeError):
        return False
    return True


# --- The key file (the management command) ----------------------------------------------


def _keys_file() -> Path:
    if (getattr(settings, "CREDENTIAL_KEYS", "") or "").strip():
        raise CredentialKeysError(KEYS_FROM_SETTING)
    return Path(settings.CREDENTIAL_KEYS_FILE)


def _write_private(path: Path, text: str) -> None:
    """Write the file atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".credential-keys-")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def key_set_generate() -> tuple[Path, str]:
    """Write a new key set of one key; refuse to overwrite one. Return (file, kid)."""
    path = _keys_file()
    if path.exists():
        raise CredentialKeysError(KEYS_EXIST.format(path=path))
    key = key_new()
    _write_private(path, key_set_text([key]))
    return path, key["kid"]


def key_set_rotate() -> tuple[Path, str]:
    """Put a new key first (it signs from now on), keeping the old ones. Return (file, kid)."""
    path = _keys_file()
    old = [key.as_dict(private=True) for key in key_set()]
    key = key_new()
    _write_private(path, key_set_text([key, *old]))
    return path, key["kid"]


def key_set_exists() -> bool:
    return _source()[1] is not None
