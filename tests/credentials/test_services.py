"""Issuing credentials: with the certificate, in its transaction, verifiable by a second library."""

import io
import json
from datetime import UTC, datetime, timedelta

import jwt as pyjwt
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lessons.services import lesson_complete
from quizzes.certification.services import certificate_issue_if_complete
from quizzes.credentials.keys import KEYS_MISSING, CredentialKeysError
from quizzes.credentials.selectors import issuer, jwks
from quizzes.credentials.services import credential_issue, credentials_backfill
from quizzes.models import Certificate, Credential
from tests.builders import UserFactory, do_everything, make_certificate, make_program
from tests.credentials.ob3 import ob3_problems

pytestmark = pytest.mark.django_db


def verified_by_pyjwt(token: str, **options) -> dict:
    """Verify with PyJWT (shares no code with joserfc) against the published JWKS."""
    header = pyjwt.get_unverified_header(token)
    keys = {key.key_id: key for key in pyjwt.PyJWKSet.from_dict(jwks()).keys}
    return pyjwt.decode(
        token,
        key=keys[header["kid"]].key,
        algorithms=["EdDSA"],
        issuer=issuer().id,
        options={"require": ["iss", "jti", "nbf", "iat"], **options},
    )


def test_a_completed_program_issues_the_certificate_with_its_credential(trainee):
    program = make_program(lessons=1, quizzes=1, validity_months=24)
    do_everything(trainee, program)
    certificate = certificate_issue_if_complete(user=trainee, program=program)

    credential = Credential.objects.get(certificate=certificate)
    claims = verified_by_pyjwt(credential.jwt)

    assert ob3_problems(claims) == []
    assert pyjwt.get_unverified_header(credential.jwt) == {
        "alg": "EdDSA",
        "typ": "vc+jwt",
        "kid": credential.kid,
    }
    assert claims["id"] == claims["jti"] == credential.urn
    assert claims["credentialSubject"]["name"] == certificate.holder_name
    assert claims["credentialSubject"]["achievement"]["name"] == program.name
    assert claims["validFrom"] == certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert claims["validUntil"] == certificate.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert claims["credentialStatus"]["statusListIndex"] == str(credential.status_index)
    narrative = claims["credentialSubject"]["achievement"]["criteria"]["narrative"]
    for item in [*program.required_lessons.all(), *program.required_quizzes.all()]:
        assert item.title in narrative


def test_if_signing_fails_no_certificate_is_left(trainee, settings, tmp_path):
    program = make_program(lessons=1, quizzes=0)
    settings.CREDENTIAL_KEYS_FILE = tmp_path / "absent.json"

    # The lesson completion issues the certificate in its own transaction.
    with pytest.raises(CredentialKeysError) as raised:
        lesson_complete(user=trainee, lesson=program.required_lessons.get())

    assert str(tmp_path / "absent.json") in str(raised.value)
    assert "credential_keys --generate" in str(raised.value)
    assert Certificate.objects.count() == 0
    assert Credential.objects.count() == 0


def test_issue_if_complete_rolls_back_when_signing_raises(trainee, settings, tmp_path):
    program = make_program(lessons=0, quizzes=1)
    do_everything(trainee, program)
    settings.CREDENTIAL_KEYS_FILE = tmp_path / "absent.json"

    with pytest.raises(CredentialKeysError, match="No credential signing key"):
        certificate_issue_if_complete(user=trainee, program=program)

    assert Certificate.objects.count() == 0
    assert KEYS_MISSING.split(",")[0] == "No credential signing key is configured"


def test_a_certificate_that_never_expires_has_a_credential_without_exp(trainee):
    program = make_program(lessons=0, quizzes=1, validity_months=None)
    do_everything(trainee, program)
    certificate_issue_if_complete(user=trainee, program=program)

    claims = verified_by_pyjwt(Credential.objects.get().jwt)

    assert "validUntil" not in claims and "exp" not in claims


def test_each_credential_gets_its_own_status_index(trainee):
    program = make_program(lessons=0, quizzes=0)
    now = timezone.now()
    credentials = [
        credential_issue(certificate=make_certificate(trainee, program, issued_at=now, cycle=n))
        for n in range(1, 31)
    ]

    assert len({c.status_index for c in credentials}) == 30
    assert len({c.uuid for c in credentials}) == 30


def test_backfill_signs_only_certificates_without_a_credential(trainee, other_trainee):
    program = make_program(lessons=1, quizzes=1)
    issued_at = datetime(2026, 1, 5, tzinfo=UTC)
    old = [
        make_certificate(user, program, issued_at=issued_at, expires_at=issued_at + timedelta(700))
        for user in (trainee, other_trainee)
    ]
    credential_issue(certificate=old[0])

    assert credentials_backfill() == 1
    assert credentials_backfill() == 0
    claims = json.loads(json.dumps(verified_by_pyjwt(old[1].credential.jwt, verify_exp=False)))
    assert claims["credentialSubject"]["name"] == old[1].holder_name


def test_every_certificate_the_demo_shows_has_a_credential():
    call_command("setup_demo", stdout=io.StringIO())

    certificates = Certificate.objects.all()
    assert certificates.exists()
    assert Credential.objects.filter(certificate__in=certificates).count() == certificates.count()
    for credential in Credential.objects.select_related("certificate"):
        claims = verified_by_pyjwt(credential.jwt, verify_exp=False)
        assert claims["credentialSubject"]["name"] == credential.certificate.holder_name


@pytest.mark.parametrize("count", [2, 6])
def test_backfill_reads_the_taken_indexes_once_whatever_the_number(count):
    program = make_program(lessons=1, quizzes=1)
    issued_at = datetime(2026, 1, 5, tzinfo=UTC)
    certificates = [
        make_certificate(UserFactory(), program, issued_at=issued_at) for _ in range(count)
    ]
    with CaptureQueriesContext(connection) as queries:
        assert credentials_backfill() == count
    index_reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT")
        and "status_index" in q["sql"]
        and "quizzes_credential" in q["sql"]
    ]
    assert len(index_reads) == 1, index_reads
    indexes = {
        c.credential.status_index
        for c in Certificate.objects.filter(pk__in=[c.pk for c in certificates])
    }
    assert len(indexes) == count
