"""Credential pages: the published keys, issuer and status list, and the holder's downloads.

The verification of a pasted or uploaded credential is part of the certificates'
verification page (quizzes/certification/views.py, `verify_form`).
"""

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from quizzes.credentials.selectors import (
    credential_envelope,
    credential_get_for_holder,
    issuer_document,
    jwks,
    status_list_jwt,
)

JWT_CONTENT_TYPE = "application/vc+jwt"
# The public documents change only with a rotation or a revocation: a short cache.
PUBLIC_CACHE = "public, max-age=300"


def _public(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = PUBLIC_CACHE
    response["Access-Control-Allow-Origin"] = "*"  # verifiers fetch these from anywhere
    return response


@require_GET
def jwks_document(request):
    """Every signing key's public part, with its kid (old ones stay after a rotation)."""
    return _public(JsonResponse(jwks(), content_type="application/jwk-set+json"))


@require_GET
def issuer_profile(request):
    """The issuer's Open Badges Profile, naming its keys and the JWKS address."""
    return _public(JsonResponse(issuer_document(), content_type="application/json"))


@require_GET
def status_list(request):
    """The signed revocation list (BitstringStatusListCredential), as a VC-JWT."""
    response = HttpResponse(status_list_jwt(), content_type=JWT_CONTENT_TYPE)
    response["Cache-Control"] = "no-cache"  # a revocation shows at once
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def credential_jwt(request, code):
    """The holder's credential as a VC-JWT file."""
    credential = credential_get_for_holder(user=request.user, code=code)
    name = f"credential-{credential.certificate.display_code}.jwt"
    return _attachment(HttpResponse(credential.jwt, content_type=JWT_CONTENT_TYPE), name)


@login_required
@require_GET
def credential_json(request, code):
    """The holder's credential as a VC 2.0 EnvelopedVerifiableCredential (JSON)."""
    credential = credential_get_for_holder(user=request.user, code=code)
    body = json.dumps(credential_envelope(credential.jwt), indent=2) + "\n"
    name = f"credential-{credential.certificate.display_code}.json"
    return _attachment(HttpResponse(body, content_type="application/json"), name)
