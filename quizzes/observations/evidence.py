"""Observation evidence files: stored like CPD evidence, private, under random names.

The checks (PDF, PNG or JPEG of at most 5 MB, the type read from the content) and the
storage with no URL are CPD's (quizzes/cpd/evidence.py); only the folder differs. The
migration imports observation_evidence_path by this module's path: keep it here.
"""

from __future__ import annotations

import secrets

from django.utils import timezone

from quizzes.cpd.evidence import RANDOM_NAME_BYTES
from quizzes.cpd.rules import EVIDENCE_TYPES, PDF


def observation_evidence_path(instance, filename: str) -> str:
    """Where an observation's evidence is stored: observations/<year>/<month>/<random>.<type>."""
    kind = getattr(instance, "kind", "") or PDF
    extension = EVIDENCE_TYPES.get(kind, EVIDENCE_TYPES[PDF])[1]
    month = timezone.now().strftime("%Y/%m")
    return f"observations/{month}/{secrets.token_hex(RANDOM_NAME_BYTES)}.{extension}"
