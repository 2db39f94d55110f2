"""Credentials: the signed Open Badges 3.0 credential of each certificate.

The revocation status is not stored here: the status list is built from the
certificates' ``revoked_at`` (quizzes/credentials/selectors.py), so it can never
disagree with the revocation record.
"""

import uuid

from django.db import models

from quizzes.credentials.status_list import STATUS_LIST_BITS
from quizzes.models.certification import Certificate

__all__ = ["Credential"]


class Credential(models.Model):
    certificate = models.OneToOneField(
        Certificate, on_delete=models.CASCADE, related_name="credential"
    )
    uuid = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="The credential's urn:uuid id."
    )
    jwt = models.TextField(help_text="The signed credential (VC-JWT, EdDSA).")
    kid = models.CharField(max_length=100, help_text="The key that signed it.")
    status_index = models.PositiveIntegerField(
        unique=True, help_text="Its bit in the revocation status list."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status_index__lt=STATUS_LIST_BITS),
                name="credential_status_index_in_list",
            )
        ]

    def __str__(self) -> str:
        return f"Credential {self.urn} of {self.certificate_id}"

    @property
    def urn(self) -> str:
        return f"urn:uuid:{self.uuid}"
