"""Credential pages: the published documents, the downloads, verification by paste or file."""

import base64
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.certification.views import (
    CREDENTIAL_BOTH_GIVEN,
    CREDENTIAL_FILE_NOT_TEXT,
    VERIFY_LIMIT,
    VERIFY_RATE_LIMITED,
)
from quizzes.credentials.keys import key_set
from quizzes.credentials.selectors import (
    CREDENTIAL_EMPTY,
    CREDENTIAL_NOT_JWT,
    CREDENTIAL_TOO_LARGE,
    credential_envelope,
    issuer,
)
from quizzes.models import Certificate
from tests.builders import make_cohort

pytestmark = pytest.mark.django_db

VERIFY = reverse("certificates:verify_form")


@pytest.fixture
def credential(issued):
    now = timezone.now()
    return issued(issued_at=now - timedelta(days=3), expires_at=now + timedelta(days=700))


def _urls(credential) -> dict[str, str]:
    code = credential.certificate.display_code
    return {
        "jwt": reverse("credentials:jwt", kwargs={"code": code}),
        "json": reverse("credentials:json", kwargs={"code": code}),
    }


def test_jwks_lists_every_public_key_with_its_kid(client):
    response = client.get(reverse("credentials:jwks"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/jwk-set+json"
    keys = response.json()["keys"]
    assert [key["kid"] for key in keys] == [key.kid for key in key_set()]
    assert all("d" not in key for key in keys)


def test_issuer_profile_references_the_jwks(client):
    profile = client.get(reverse("credentials:issuer")).json()

    assert profile["id"] == issuer().id
    assert profile["type"] == ["Profile"]
    assert profile["jwks_uri"] == issuer().jwks_url
    assert profile["verificationMethod"][0]["publicKeyJwk"]["kid"] == key_set()[0].kid


def test_the_holder_downloads_the_jwt_and_the_json(trainee_client, credential):
    urls = _urls(credential)
    code = credential.certificate.display_code

    as_jwt = trainee_client.get(urls["jwt"])
    as_json = trainee_client.get(urls["json"])

    assert as_jwt.status_code == 200
    assert as_jwt["Content-Type"] == "application/vc+jwt"
    assert as_jwt["Content-Disposition"] == f'attachment; filename="credential-{code}.jwt"'
    assert as_jwt.content.decode() == credential.jwt
    assert as_json.status_code == 200
    assert as_json["Content-Disposition"] == f'attachment; filename="credential-{code}.json"'
    assert json.loads(as_json.content) == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"data:application/vc+jwt,{credential.jwt}",
        "type": "EnvelopedVerifiableCredential",
    }


@pytest.mark.parametrize("kind", ["jwt", "json"])
def test_another_trainee_gets_404(client, other_trainee, credential, kind):
    client.force_login(other_trainee)

    assert client.get(_urls(credential)[kind]).status_code == 404


@pytest.mark.parametrize("kind", ["jwt", "json"])
def test_the_trainees_own_manager_gets_404_too(client, manager, trainee, credential, kind):
    # A manager sees a trainee's status in the reports, never the trainee's credential.
    make_cohort(managers=[manager], trainees=[trainee])
    client.force_login(manager)

    assert client.get(_urls(credential)[kind]).status_code == 404


def test_a_superuser_may_download_any(client, superuser, credential):
    client.force_login(superuser)

    assert client.get(_urls(credential)["jwt"]).content.decode() == credential.jwt


def test_a_revoked_certificates_credential_is_not_offered(trainee_client, credential):
    Certificate.objects.filter(pk=credential.certificate_id).update(
        revoked_at=timezone.now(), revoke_reason="Issued in error."
    )

    assert trainee_client.get(_urls(credential)["jwt"]).status_code == 404
    page = trainee_client.get(credential.certificate.get_absolute_url()).content.decode()
    assert 'data-testid="download-jwt"' not in page


def test_the_certificate_page_offers_both_downloads_next_to_the_pdf(trainee_client, credential):
    page = trainee_client.get(credential.certificate.get_absolute_url()).content.decode()

    for kind, url in _urls(credential).items():
        assert f'href="{url}" data-testid="download-{kind}"' in page
    assert "Download credential (.jwt)" in page and "Download credential (.json)" in page
    assert 'data-testid="download"' in page


def test_pasting_the_jwt_says_valid_with_the_holder(client, credential):
    response = client.post(VERIFY, {"credential": credential.jwt})

    body = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Valid.</strong>" in body and 'role="status"' in body
    assert credential.certificate.holder_name in body


def test_uploading_the_json_file_says_valid(client, credential):
    text = json.dumps(credential_envelope(credential.jwt))
    upload = SimpleUploadedFile("credential.json", text.encode(), "application/json")

    response = client.post(VERIFY, {"file": upload})

    assert response.status_code == 200
    assert "<strong>Valid.</strong>" in response.content.decode()


def test_a_revoked_credential_says_revoked(client, credential):
    Certificate.objects.filter(pk=credential.certificate_id).update(
        revoked_at=timezone.now(), revoke_reason="Issued in error."
    )

    body = client.post(VERIFY, {"credential": credential.jwt}).content.decode()

    assert "<strong>Revoked.</strong>" in body and 'role="alert"' in body


def test_a_tampered_credential_says_tampered_and_shows_no_holder(client, credential):
    header, payload, signature = credential.jwt.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["validUntil"] = "2099-01-01T00:00:00Z"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")

    body = client.post(VERIFY, {"credential": f"{header}.{forged}.{signature}"}).content.decode()

    assert "<strong>Tampered.</strong>" in body
    assert credential.certificate.holder_name not in body


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, CREDENTIAL_EMPTY),
        ({"credential": "hello"}, CREDENTIAL_NOT_JWT),
        ({"credential": "x" * (64 * 1024 + 1)}, "Ensure this value has at most"),
        (
            {"file": SimpleUploadedFile("c.jwt", b"x" * (64 * 1024 + 1), "text/plain")},
            CREDENTIAL_TOO_LARGE,
        ),
        ({"file": SimpleUploadedFile("c.jwt", b"\xff\xfe\x00bin", "text/plain")}, None),
        (
            {"credential": "a.b.c", "file": SimpleUploadedFile("c.jwt", b"a.b.c", "text/plain")},
            CREDENTIAL_BOTH_GIVEN,
        ),
    ],
)
def test_what_cannot_be_checked_is_a_400_with_the_reason(client, data, message):
    response = client.post(VERIFY, data)

    body = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in body
    assert (message or CREDENTIAL_FILE_NOT_TEXT) in body


def test_the_credential_form_is_csrf_protected(credential):
    client = Client(enforce_csrf_checks=True)

    assert client.post(VERIFY, {"credential": credential.jwt}).status_code == 403
    page = client.get(VERIFY)
    token = page.cookies["csrftoken"].value
    response = client.post(VERIFY, {"credential": credential.jwt, "csrfmiddlewaretoken": token})
    assert response.status_code == 200


def test_checking_credentials_is_rate_limited_like_codes(client, credential):
    for _ in range(VERIFY_LIMIT):
        assert client.post(VERIFY, {"credential": credential.jwt}).status_code == 200

    refused = client.post(VERIFY, {"credential": credential.jwt})

    assert refused.status_code == 429
    assert VERIFY_RATE_LIMITED in refused.content.decode()
