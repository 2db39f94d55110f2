"""API tokens (make, revoke, authenticate) and the stored answers of idempotent requests.

A token is ``tsk_`` + 8 characters shown in lists to recognise it + 43 random characters,
all from ``secrets``; only its SHA-256 digest is stored, so it is shown once, when it is
made. Only managers and superusers own tokens, and a token acts with its owner's scope
(quizzes/cohorts/scope.py), so a token whose owner is no longer a manager opens nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from quizzes.models import ApiIdempotencyKey, ApiToken
from trainingsite.audit import audit_record
from trainingsite.models import AuditEvent
from trainingsite.roles import user_is_manager

TOKEN_SCHEME = "tsk_"
PREFIX_LENGTH = 8
TOKEN_RANDOM_BYTES = 32
TOKEN_MAX_LENGTH = 100  # anything longer is not one of ours: refused before hashing
# last_used_at is written at most once a minute per token: a busy integration must not
# turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
NAME_MAX_LENGTH = 100
EXPIRY_DAYS_DEFAULT = 90
EXPIRY_DAYS_MAX = 3650

ERROR_OWNER_NOT_MANAGER = "Only managers and superusers may own API tokens."
ERROR_OWNER_INACTIVE = "This account is inactive and may not own API tokens."
ERROR_NAME_REQUIRED = "Give the token a name, e.g. the system that will use it."
ERROR_NAME_TOO_LONG = f"A token's name has at most {NAME_MAX_LENGTH} characters."
ERROR_EXPIRY_PAST = "A token's expiry must be in the future."
ERROR_ALREADY_REVOKED = "This token was already revoked."
ERROR_TOKEN_MISSING = "Send an API token: Authorization: Bearer tsk_..."
ERROR_TOKEN_INVALID = "This API token is not valid (unknown, revoked or expired)."
ERROR_IDEMPOTENCY_MISMATCH = (
    "This Idempotency-Key was already used for a different request; use a new key."
)


class ApiTokenError(Exception):
    """A token request that the rules refuse; the message is for the person making it."""


def token_digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8", "surrogatepass")).hexdigest()


def _token_new() -> tuple[str, str]:
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    return f"{TOKEN_SCHEME}{prefix}{secrets.token_urlsafe(TOKEN_RANDOM_BYTES)}", prefix


def owner_may_hold_tokens(user) -> bool:
    return bool(user and user.is_active) and user_is_manager(user)


@transaction.atomic
def api_token_create(
    *, owner, name: str, expires_at: datetime | None, actor=None
) -> tuple[ApiToken, str]:
    """Make a token for `owner`; return it with its plaintext, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise ApiTokenError(ERROR_NAME_REQUIRED)
    if len(name) > NAME_MAX_LENGTH:
        raise ApiTokenError(ERROR_NAME_TOO_LONG)
    if not owner.is_active:
        raise ApiTokenError(ERROR_OWNER_INACTIVE)
    if not user_is_manager(owner):
        raise ApiTokenError(ERROR_OWNER_NOT_MANAGER)
    if expires_at is not None and expires_at <= timezone.now():
        raise ApiTokenError(ERROR_EXPIRY_PAST)
    plaintext, prefix = _token_new()
    token = ApiToken.objects.create(
        owner=owner, name=name, prefix=prefix, digest=token_digest(plaintext), expires_at=expires_at
    )
    audit_record(
        actor=actor or owner,
        action=AuditEvent.Action.API_TOKEN_CREATED,
        target=token,
        summary=f"API token {name!r} ({prefix}) for {owner.get_username()}",
        details={
            "owner": owner.get_username(),
            "prefix": prefix,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return token, plaintext


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor) -> ApiToken:
    """Revoke the token at once (a conditional update: a second revoke is refused)."""
    now = timezone.now()
    if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        raise ApiTokenError(ERROR_ALREADY_REVOKED)
    token.revoked_at = now
    audit_record(
        actor=actor,
        action=AuditEvent.Action.API_TOKEN_REVOKED,
        target=token,
        summary=f"API token {token.name!r} ({token.prefix}) revoked",
        details={"owner_id": token.owner_id, "prefix": token.prefix},
    )
    return token


TOKENS_REVOKED_WITH_ROLE = "revoked: the owner is no longer an active manager"


@transaction.atomic
def api_tokens_revoke_if_owner_lost_role(*, user) -> int:
    """Revoke every open token of a user who may no longer hold tokens; return how many.

    Called when a user's groups or flags change, so a demoted (or deactivated) manager's
    tokens stay dead if the role comes back: a new token must be made. One query when the
    user holds no open token.
    """
    open_tokens = list(
        ApiToken.objects.filter(owner=user, revoked_at__isnull=True).values_list(
            "pk", "name", "prefix"
        )
    )
    if not open_tokens or owner_may_hold_tokens(user):
        return 0
    now = timezone.now()
    ApiToken.objects.filter(
        pk__in=[pk for pk, _, _ in open_tokens], revoked_at__isnull=True
    ).update(revoked_at=now)
    for pk, name, prefix in open_tokens:
        audit_record(
            actor=None,
            action=AuditEvent.Action.API_TOKEN_REVOKED,
            target=ApiToken(pk=pk, owner=user, name=name, prefix=prefix),
            summary=f"API token {name!r} ({prefix}) {TOKENS_REVOKED_WITH_ROLE}",
            details={"owner_id": user.pk, "prefix": prefix, "reason": "role"},
        )
    return len(open_tokens)


def api_token_authenticate(plaintext: str, *, now: datetime | None = None) -> ApiToken | None:
    """Return the active token with this plaintext (its owner loaded), or None.

    Refuses unknown, revoked and expired tokens, and tokens whose owner is inactive or
    no longer a manager. Records the use at most once a minute with a conditional update.
    """
    if (
        not plaintext
        or len(plaintext) > TOKEN_MAX_LENGTH
        or not plaintext.startswith(TOKEN_SCHEME)
        or not plaintext.isascii()
    ):
        return None
    now = now or timezone.now()
    token = (
        ApiToken.objects.active(now=now)
        .select_related("owner")
        .filter(digest=token_digest(plaintext))
        .first()
    )
    if token is None or not owner_may_hold_tokens(token.owner):
        return None
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    if ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now):
        token.last_used_at = now
    return token


# --- Idempotency keys -------------------------------------------------------------------


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: str


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode("utf-8", "surrogatepass"), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def idempotent_response_find(
    *, token: ApiToken, key: str, fingerprint: str
) -> StoredResponse | None:
    """The stored answer for this key, or None; the key used for another request refuses."""
    stored = ApiIdempotencyKey.objects.filter(token=token, key=key).first()
    if stored is None:
        return None
    if stored.fingerprint != fingerprint:
        raise ApiTokenError(ERROR_IDEMPOTENCY_MISMATCH)
    return StoredResponse(status=stored.response_status, body=stored.response_body)


def idempotent_response_store(
    *, token: ApiToken, key: str, fingerprint: str, status: int, body: str
) -> bool:
    """Store the answer for the key; False if a concurrent request stored one first.

    Called inside the request's transaction, so the effect and its stored answer commit
    together or not at all; the unique (token, key) constraint lets only one through.
    """
    try:
        with transaction.atomic():
            ApiIdempotencyKey.objects.create(
                token=token,
                key=key,
                fingerprint=fingerprint,
                response_status=status,
                response_body=body,
            )
    except IntegrityError:
        return False
    return True
