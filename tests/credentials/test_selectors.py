"""Verification and the status list: every state, refusals, and a flat query count."""

import base64
import json
import random
from datetime import UTC, datetime, timedelta

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.certification.codes import code_generate
from quizzes.credentials.keys import key_set
from quizzes.credentials.selectors import (
    CREDENTIAL_ALGORITHM_REFUSED,
    CREDENTIAL_EMPTY,
    CREDENTIAL_NOT_ENVELOPE,
    CREDENTIAL_NOT_JSON,
    CREDENTIAL_NOT_JWT,
    CREDENTIAL_NUMBER_TOO_LARGE,
    CREDENTIAL_TOO_DEEP,
    CREDENTIAL_TOO_LARGE,
    CredentialState,
    CredentialUnreadable,
    credential_envelope,
    credential_verify,
    issuer,
    jwks,
    status_list_jwt,
)
from quizzes.credentials.status_list import STATUS_LIST_BYTES, bit_test, bitstring_decode
from quizzes.models import Certificate, Credential
from tests.builders import make_program

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def parts(token: str) -> tuple[dict, dict, str]:
    header, payload, signature = token.split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # noqa: E731
    return decode(header), decode(payload), signature


def reassembled(header: dict, payload: dict, signature: str) -> str:
    return ".".join(
        [b64(json.dumps(header).encode()), b64(json.dumps(payload).encode()), signature]
    )


@pytest.fixture
def current(issued):
    return issued(issued_at=NOW - timedelta(days=30), expires_at=NOW + timedelta(days=700))


def test_a_credential_we_issued_is_valid_with_holder_program_and_dates(current):
    result = credential_verify(text=current.jwt, now=NOW)

    assert result.state == CredentialState.VALID
    assert result.holder_name == current.certificate.holder_name
    assert result.program_name == "Bleeding management foundation"
    assert result.issued_at == current.certificate.issued_at.replace(microsecond=0)
    assert result.expires_at == current.certificate.expires_at.replace(microsecond=0)
    assert result.revoked_at is None


def test_the_json_envelope_verifies_like_the_jwt(current):
    text = json.dumps(credential_envelope(current.jwt), indent=2)

    assert credential_verify(text=text, now=NOW).state == CredentialState.VALID


def test_a_changed_payload_is_tampered(current):
    header, payload, signature = parts(current.jwt)
    payload["credentialSubject"]["name"] = "Someone Else"

    result = credential_verify(text=reassembled(header, payload, signature), now=NOW)

    assert result.state == CredentialState.TAMPERED
    assert result.holder_name == ""  # nothing of a forgery is shown


def test_a_signature_by_another_key_under_our_kid_is_tampered(current):
    _, payload, _ = parts(current.jwt)
    forged = pyjwt.encode(
        payload, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": current.kid}
    )

    assert credential_verify(text=forged, now=NOW).state == CredentialState.TAMPERED


def test_a_key_we_never_published_is_not_ours(current):
    _, payload, _ = parts(current.jwt)
    forged = pyjwt.encode(
        payload, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": "elsewhere-1"}
    )

    assert credential_verify(text=forged, now=NOW).state == CredentialState.NOT_OURS


def test_another_issuer_signed_with_our_key_is_not_ours(current):
    # Only we hold the key, so this cannot happen outside a test; the check still holds.
    _, payload, _ = parts(current.jwt)
    payload["iss"] = "https://elsewhere.example/issuer.json"
    token = pyjwt.encode(
        payload,
        key_set()[0].private_key,
        algorithm="EdDSA",
        headers={"kid": current.kid, "typ": "vc+jwt"},
    )

    assert credential_verify(text=token, now=NOW).state == CredentialState.NOT_OURS


def test_expired_and_not_yet_valid(issued):
    expired = issued(issued_at=NOW - timedelta(days=800), expires_at=NOW - timedelta(days=70))
    future = issued(issued_at=NOW + timedelta(days=3), slug="later")

    assert credential_verify(text=expired.jwt, now=NOW).state == CredentialState.EXPIRED
    assert credential_verify(text=future.jwt, now=NOW).state == CredentialState.NOT_YET_VALID


def test_revoking_the_certificate_makes_its_credential_revoked(current):
    revoked_at = NOW - timedelta(days=1)
    Certificate.objects.filter(pk=current.certificate_id).update(
        revoked_at=revoked_at, revoke_reason="Issued in error."
    )

    result = credential_verify(text=current.jwt, now=NOW)

    assert result.state == CredentialState.REVOKED
    assert result.revoked_at == revoked_at


def _token(header: dict, payload: dict) -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}."


@pytest.mark.parametrize(
    "text, message",
    [
        ("", CREDENTIAL_EMPTY),
        ("   \n", CREDENTIAL_EMPTY),
        ("hello there", CREDENTIAL_NOT_JWT),
        ("a.b", CREDENTIAL_NOT_JWT),
        ("a.b.c.d", CREDENTIAL_NOT_JWT),
        ("!!.??.**", CREDENTIAL_NOT_JWT),
        (f"{b64(b'not json')}.{b64(b'{}')}.", CREDENTIAL_NOT_JWT),
        (f"{b64(b'[1]')}.{b64(b'{}')}.", CREDENTIAL_NOT_JWT),
        ("{not json", CREDENTIAL_NOT_JSON),
        ('{"type": "VerifiableCredential"}', CREDENTIAL_NOT_ENVELOPE),
        ('{"type": "EnvelopedVerifiableCredential", "id": "data:text/plain,x"}', None),
        ('{"a": ' + "9" * 5000 + "}", CREDENTIAL_NUMBER_TOO_LARGE),
        ('{"a": 1e999}', CREDENTIAL_NUMBER_TOO_LARGE),
        ('{"a": NaN}', CREDENTIAL_NUMBER_TOO_LARGE),
        ('{"a": ' * 40 + "1" + "}" * 40, CREDENTIAL_TOO_DEEP),
        ("[" * 20000 + "]" * 20000, CREDENTIAL_NOT_JWT),
        ('{"a":' * 10000 + "1" + "}" * 10000, CREDENTIAL_TOO_DEEP),
        ("x" * (64 * 1024 + 1), CREDENTIAL_TOO_LARGE),
        ("é" * (40 * 1024), CREDENTIAL_TOO_LARGE),
    ],
)
def test_what_is_not_a_credential_is_refused_with_a_message(text, message):
    with pytest.raises(CredentialUnreadable) as raised:
        credential_verify(text=text, now=NOW)

    assert raised.value.message == (message or CREDENTIAL_NOT_ENVELOPE)


@pytest.mark.parametrize("alg", ["none", "None", "HS256", "RS256", "ES256", None])
def test_any_algorithm_but_eddsa_is_refused(current, alg):
    _, payload, _ = parts(current.jwt)
    header = {"typ": "vc+jwt", "kid": current.kid} | ({"alg": alg} if alg else {})

    with pytest.raises(CredentialUnreadable) as raised:
        credential_verify(text=_token(header, payload), now=NOW)

    assert raised.value.message == CREDENTIAL_ALGORITHM_REFUSED.format(alg=str(alg))


def test_huge_numbers_inside_a_jwt_are_refused(current):
    header, payload, signature = parts(current.jwt)
    raw_payload = json.dumps(payload)[:-1] + ', "n": ' + "9" * 400 + "}"
    token = f"{b64(json.dumps(header).encode())}.{b64(raw_payload.encode())}.{signature}"

    with pytest.raises(CredentialUnreadable) as raised:
        credential_verify(text=token, now=NOW)

    assert raised.value.message == CREDENTIAL_NUMBER_TOO_LARGE


# --- The status list ---------------------------------------------------------------------


def _status_bits(token: str) -> bytearray:
    keys = {key.key_id: key for key in pyjwt.PyJWKSet.from_dict(jwks()).keys}
    kid = pyjwt.get_unverified_header(token)["kid"]
    claims = pyjwt.decode(token, key=keys[kid].key, algorithms=["EdDSA"], issuer=issuer().id)
    assert claims["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert claims["credentialSubject"]["statusPurpose"] == "revocation"
    return bitstring_decode(claims["credentialSubject"]["encodedList"])


def _bulk_certificates(trainee, count: int) -> list[Credential]:
    program = make_program(slug=f"bulk-{count}", lessons=0, quizzes=0)
    issued_at = timezone.now() - timedelta(days=10)
    certificates = Certificate.objects.bulk_create(
        Certificate(
            user=trainee,
            program=program,
            holder_name="Tara Trainee",
            issued_at=issued_at,
            code=code_generate(),
            cycle=cycle,
        )
        for cycle in range(1, count + 1)
    )
    indexes = random.Random(count).sample(range(131_072), count)
    return Credential.objects.bulk_create(
        Credential(certificate=certificate, jwt="x", kid="bulk", status_index=index)
        for certificate, index in zip(certificates, indexes, strict=True)
    )


def test_revoking_one_of_ten_thousand_flips_exactly_one_bit(trainee, client):
    credentials = _bulk_certificates(trainee, 10_000)
    before = _status_bits(client.get(reverse("credentials:status_list")).content.decode())
    target = credentials[4321]

    Certificate.objects.filter(pk=target.certificate_id).update(
        revoked_at=timezone.now(), revoke_reason="Issued in error."
    )
    after = _status_bits(client.get(reverse("credentials:status_list")).content.decode())

    assert len(after) == STATUS_LIST_BYTES == 16 * 1024
    assert not any(before)
    assert sum(bin(byte).count("1") for byte in after) == 1
    assert bit_test(after, target.status_index) is True


def test_the_status_endpoint_reads_in_a_flat_number_of_queries(trainee, client):
    url = reverse("credentials:status_list")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/vc+jwt"
        return len(captured)

    _bulk_certificates(trainee, 10)
    few = queries()
    credentials = _bulk_certificates(trainee, 10_000)
    Certificate.objects.filter(pk__in=[c.certificate_id for c in credentials[:500]]).update(
        revoked_at=timezone.now(), revoke_reason="Issued in error."
    )

    assert queries() == few == 1
    assert sum(bin(b).count("1") for b in _status_bits(status_list_jwt())) == 500
