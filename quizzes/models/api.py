"""API tokens and the stored answers of idempotent API requests.

A token is shown once, when it is made; only its SHA-256 digest and its first characters
(to recognise it in a list) are stored (quizzes/api/tokens.py).
"""

from django.conf import settings
from django.db import models

__all__ = ["ApiIdempotencyKey", "ApiToken"]


class ApiTokenQuerySet(models.QuerySet):
    def active(self, *, now):
        """The tokens that open the API at ``now``: not revoked, not expired."""
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. the HR system.")
    prefix = models.CharField(
        max_length=8, help_text="The token's first characters, shown to recognise it."
    )
    digest = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the whole token (never stored)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: the token never expires."
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"
        indexes = [models.Index(fields=["owner", "created_at"], name="api_token_owner_created")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class ApiIdempotencyKey(models.Model):
    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the request's method, path and body."
    )
    response_status = models.PositiveSmallIntegerField()
    response_body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "API idempotency key"
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_key_once"),
        ]

    def __str__(self):
        return self.key
