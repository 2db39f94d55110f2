"""Reads for credentials: the issuer, its keys, the status list, downloads and verification.

The status list is built from the certificates' ``revoked_at`` on every request (one
query for the revoked credentials' indexes, whatever the number of certificates), so it
can never disagree with the revocation record. Verification checks the signature with
the published keys, the dates the credential states and its bit in that list.
"""

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urljoin

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from quizzes.certification.codes import code_normalise
from quizzes.certification.selectors import CERTIFICATE_NOT_FOUND, certificate_get_for_owner
from quizzes.credentials.badge import (
    OB_CONTEXT,
    VC_CONTEXT,
    Issuer,
    issuer_profile,
    jwt_claims,
    status_list_credential,
)
from quizzes.credentials.keys import (
    ALGORITHM,
    jws_signature_valid,
    jwt_sign,
    public_jwks,
    public_key,
)
from quizzes.credentials.status_list import (
    STATUS_LIST_BITS,
    bit_test,
    bitstring_encode,
    bitstring_from_indexes,
)
from quizzes.models import Certificate, Credential
from trainingsite.links import public_url

JWT_TYPE = "vc+jwt"
ENVELOPE_PREFIX = "data:application/vc+jwt,"
MAX_CREDENTIAL_BYTES = 64 * 1024
MAX_JSON_DEPTH = 16
MAX_NUMBER_CHARACTERS = 24

CREDENTIAL_NOT_FOUND = "This certificate has no credential yet."
CREDENTIAL_REVOKED = "The credential of a revoked certificate cannot be downloaded."
CREDENTIAL_EMPTY = "Paste a credential or choose a credential file."
CREDENTIAL_TOO_LARGE = "That is too large to be a credential (the limit is 64 KB)."
CREDENTIAL_NOT_JSON = "That is not valid JSON, so it cannot be a credential file."
CREDENTIAL_TOO_DEEP = "That JSON is nested too deeply to be a credential."
CREDENTIAL_NUMBER_TOO_LARGE = "That JSON holds a number too large for a credential."
CREDENTIAL_NOT_ENVELOPE = (
    "That JSON is not a credential from this site: expected an "
    '"EnvelopedVerifiableCredential" whose id starts with "data:application/vc+jwt,".'
)
CREDENTIAL_NOT_JWT = (
    "That is not a signed credential: expected a JWT (three parts separated by dots) "
    "or the .json file downloaded from a certificate page."
)
CREDENTIAL_ALGORITHM_REFUSED = (
    "This credential says it is signed with {alg!r}; only EdDSA (Ed25519) signatures are accepted."
)
CREDENTIAL_CONTENT_INVALID = (
    "The signature is ours, but the credential lacks the fields this site always writes."
)
BASE64URL = re.compile(r"\A[A-Za-z0-9_-]*\Z")


class CredentialUnreadable(Exception):
    """The input is not a credential this site can check; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CredentialState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_YET_VALID = "not_yet_valid"
    NOT_OURS = "not_ours"
    TAMPERED = "tampered"


@dataclass(frozen=True)
class CredentialVerification:
    """What the public may learn from a credential: its state, holder, program and dates."""

    state: CredentialState
    holder_name: str = ""
    program_name: str = ""
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    superseded: bool = False  # revoked because a renewal replaced its certificate


# --- The issuer ---------------------------------------------------------------------------


def _public_url(name: str) -> str:
    return public_url(reverse(name))


def issuer() -> Issuer:
    """The issuer from settings, with the addresses it publishes."""
    return Issuer(
        id=_public_url("credentials:issuer"),
        name=settings.CREDENTIAL_ISSUER_NAME,
        url=settings.CREDENTIAL_ISSUER_URL,
        jwks_url=_public_url("credentials:jwks"),
        status_list_url=_public_url("credentials:status_list"),
    )


def achievement_url(program_slug: str) -> str:
    return urljoin(
        settings.CREDENTIAL_ISSUER_URL,
        reverse("certificates:program", kwargs={"slug": program_slug}),
    )


def issuer_document() -> dict:
    """The issuer profile, naming its public keys (as JsonWebKey methods) and the JWKS."""
    current = issuer()
    keys = public_jwks()["keys"]
    methods = [
        {
            "id": f"{current.id}#{key['kid']}",
            "type": "JsonWebKey",
            "controller": current.id,
            "publicKeyJwk": key,
        }
        for key in keys
    ]
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        **issuer_profile(current),
        "jwks_uri": current.jwks_url,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def jwks() -> dict:
    return public_jwks()


# --- The status list ------------------------------------------------------------------------


def revoked_status_indexes() -> list[int]:
    """The status list indexes of the revoked certificates' credentials (one query)."""
    return list(
        Credential.objects.filter(certificate__revoked_at__isnull=False)
        .order_by()
        .values_list("status_index", flat=True)
    )


def status_list_jwt(*, now: datetime | None = None) -> str:
    """The signed BitstringStatusListCredential, built now from the revocation records."""
    now = now or timezone.now()
    current = issuer()
    credential = status_list_credential(
        issuer=current,
        encoded_list=bitstring_encode(bitstring_from_indexes(revoked_status_indexes())),
        valid_from=now,
    )
    claims = jwt_claims(credential=credential, issuer=current, issued_at=now, now=now)
    token, _kid = jwt_sign(claims=claims, typ=JWT_TYPE)
    return token


# --- Downloads ------------------------------------------------------------------------------


def credential_get_for_holder(*, user, code: str) -> Credential:
    """Return the credential of the user's own certificate (any, for a superuser), or 404."""
    if user.is_superuser:
        normalised = code_normalise(code)
        certificate = Certificate.objects.filter(code=normalised).first() if normalised else None
        if certificate is None:
            raise Http404(CERTIFICATE_NOT_FOUND)
    else:
        certificate = certificate_get_for_owner(user=user, code=code)
    if certificate.is_revoked:
        raise Http404(CREDENTIAL_REVOKED)
    credential = Credential.objects.filter(certificate=certificate).first()
    if credential is None:
        raise Http404(CREDENTIAL_NOT_FOUND)
    credential.certificate = certificate
    return credential


def credential_exists(*, certificate: Certificate) -> bool:
    return Credential.objects.filter(certificate=certificate).exists()


def credential_envelope(jwt: str) -> dict:
    """The VC 2.0 EnvelopedVerifiableCredential of a VC-JWT: the .json download."""
    return {
        "@context": [VC_CONTEXT],
        "id": ENVELOPE_PREFIX + jwt,
        "type": "EnvelopedVerifiableCredential",
    }


# --- Verification ---------------------------------------------------------------------------


def _parse_int(raw: str) -> int:
    if len(raw) > MAX_NUMBER_CHARACTERS:
        raise CredentialUnreadable(CREDENTIAL_NUMBER_TOO_LARGE)
    return int(raw)


def _parse_float(raw: str) -> float:
    value = float(raw) if len(raw) <= MAX_NUMBER_CHARACTERS else float("inf")
    if value in (float("inf"), float("-inf")):
        raise CredentialUnreadable(CREDENTIAL_NUMBER_TOO_LARGE)
    return value


def _refuse_constant(raw: str):
    raise CredentialUnreadable(CREDENTIAL_NUMBER_TOO_LARGE)


def _depth(value, limit: int) -> int:
    """The nesting depth of parsed JSON, walked without recursion; stops past `limit`."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def json_load_limited(text: str | bytes):
    """Parse JSON with limits on depth and numbers; raise CredentialUnreadable."""
    try:
        value = json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_refuse_constant,
        )
    except RecursionError as error:
        raise CredentialUnreadable(CREDENTIAL_TOO_DEEP) from error
    except (ValueError, TypeError) as error:
        raise CredentialUnreadable(CREDENTIAL_NOT_JSON) from error
    if _depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise CredentialUnreadable(CREDENTIAL_TOO_DEEP)
    return value


def _token_from_envelope(data) -> str:
    if not isinstance(data, dict):
        raise CredentialUnreadable(CREDENTIAL_NOT_ENVELOPE)
    identifier = data.get("id")
    if data.get("type") != "EnvelopedVerifiableCredential" or not isinstance(identifier, str):
        raise CredentialUnreadable(CREDENTIAL_NOT_ENVELOPE)
    if not identifier.startswith(ENVELOPE_PREFIX):
        raise CredentialUnreadable(CREDENTIAL_NOT_ENVELOPE)
    return identifier[len(ENVELOPE_PREFIX) :].strip()


def _segment(raw: str) -> dict:
    """Decode one base64url JSON part of a JWT; it must be an object."""
    try:
        decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except (ValueError, binascii.Error) as error:
        raise CredentialUnreadable(CREDENTIAL_NOT_JWT) from error
    try:
        value = json_load_limited(decoded)
    except CredentialUnreadable as error:
        if error.message == CREDENTIAL_NOT_JSON:
            raise CredentialUnreadable(CREDENTIAL_NOT_JWT) from error
        raise
    if not isinstance(value, dict):
        raise CredentialUnreadable(CREDENTIAL_NOT_JWT)
    return value


def jwt_parts(token: str) -> tuple[dict, dict]:
    """Return a compact JWS's header and claims, unverified; raise CredentialUnreadable."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts[:2]) or not all(BASE64URL.match(p) for p in parts):
        raise CredentialUnreadable(CREDENTIAL_NOT_JWT)
    return _segment(parts[0]), _segment(parts[1])


def _moment(raw) -> datetime:
    if not isinstance(raw, str):
        raise CredentialUnreadable(CREDENTIAL_CONTENT_INVALID)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as error:
        raise CredentialUnreadable(CREDENTIAL_CONTENT_INVALID) from error
    if moment.tzinfo is None:
        raise CredentialUnreadable(CREDENTIAL_CONTENT_INVALID)
    return moment


def _issuer_id(claims: dict) -> object:
    stated = claims.get("issuer")
    return stated.get("id") if isinstance(stated, dict) else stated


def _status_index(claims: dict) -> int:
    status = claims.get("credentialStatus")
    raw = status.get("statusListIndex") if isinstance(status, dict) else None
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit():
        raise CredentialUnreadable(CREDENTIAL_CONTENT_INVALID)
    index = int(raw)
    if index >= STATUS_LIST_BITS or status.get("statusListCredential") != issuer().status_list_url:
        raise CredentialUnreadable(CREDENTIAL_CONTENT_INVALID)
    return index


def _names(claims: dict) -> tuple[str, str]:
    subject = claims.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    holder = subject.get("name") if isinstance(subject, dict) else None
    program = achievement.get("name") if isinstance(achievement, dict) else None
    if not isinstance(holder, str) or not isinstance(program, str):
        raise CredentialUnreadable(CREDENTIAL_CONTENT_INVALID)
    return holder, program


def credential_verify(*, text: str, now: datetime | None = None) -> CredentialVerification:
    """Check a pasted or uploaded credential (a VC-JWT or its .json envelope).

    Raise CredentialUnreadable (with a message for the page) for input that is not a
    credential at all, or one signed with another algorithm than EdDSA (never "none").
    Otherwise say: not ours (a key or issuer this site never used), tampered (the
    signature does not match), revoked (its bit in the status list), expired, not yet
    valid, or valid; the holder, program and dates only for a credential we signed.
    """
    now = now or timezone.now()
    if len(text) > MAX_CREDENTIAL_BYTES or len(text.encode("utf-8")) > MAX_CREDENTIAL_BYTES:
        raise CredentialUnreadable(CREDENTIAL_TOO_LARGE)
    text = text.strip().lstrip("\ufeff")
    if not text:
        raise CredentialUnreadable(CREDENTIAL_EMPTY)
    token = _token_from_envelope(json_load_limited(text)) if text.startswith("{") else text
    header, claims = jwt_parts(token)
    algorithm = header.get("alg")
    if algorithm != ALGORITHM:
        raise CredentialUnreadable(CREDENTIAL_ALGORITHM_REFUSED.format(alg=str(algorithm)[:20]))
    kid = header.get("kid")
    key = public_key(kid) if isinstance(kid, str) else None
    if key is None:
        return CredentialVerification(state=CredentialState.NOT_OURS)
    if not jws_signature_valid(token=token, key=key):
        return CredentialVerification(state=CredentialState.TAMPERED)
    ours = issuer().id
    if claims.get("iss") != ours or _issuer_id(claims) != ours:
        return CredentialVerification(state=CredentialState.NOT_OURS)

    holder_name, program_name = _names(claims)
    issued_at = _moment(claims.get("validFrom"))
    expires_at = _moment(claims["validUntil"]) if claims.get("validUntil") else None
    index = _status_index(claims)
    revoked = bit_test(bitstring_from_indexes(revoked_status_indexes()), index)
    revoked_at, superseded = None, False
    if revoked:
        revoked_at, superseded_by = (
            Credential.objects.filter(status_index=index)
            .values_list("certificate__revoked_at", "certificate__superseded_by")
            .first()
        ) or (None, None)
        superseded = superseded_by is not None
    if revoked:
        state = CredentialState.REVOKED
    elif expires_at is not None and expires_at <= now:
        state = CredentialState.EXPIRED
    elif issued_at > now:
        state = CredentialState.NOT_YET_VALID
    else:
        state = CredentialState.VALID
    return CredentialVerification(
        state=state,
        holder_name=holder_name,
        program_name=program_name,
        issued_at=issued_at,
        expires_at=expires_at,
        revoked_at=revoked_at,
        superseded=superseded,
    )
