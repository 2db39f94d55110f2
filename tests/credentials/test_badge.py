"""The credential's JSON: plain data in, no database (no django_db mark)."""

from datetime import UTC, datetime

from quizzes.credentials.badge import (
    OB_CONTEXT,
    VC_CONTEXT,
    BadgeFacts,
    Issuer,
    badge_credential,
    criteria_narrative,
    jwt_claims,
    status_list_credential,
    timestamp,
)
from tests.credentials.ob3 import ob3_problems

ISSUER = Issuer(
    id="https://training.example.org/credentials/issuer.json",
    name="Bleeding management training",
    url="https://training.example.org/",
    jwks_url="https://training.example.org/credentials/jwks.json",
    status_list_url="https://training.example.org/credentials/status/1.json",
)
ISSUED = datetime(2026, 6, 1, 9, 30, 12, 345678, tzinfo=UTC)
EXPIRES = datetime(2028, 6, 1, 9, 30, 12, tzinfo=UTC)


def facts(**overrides) -> BadgeFacts:
    values = {
        "credential_id": "urn:uuid:5b7e6c1e-0d7c-4b55-9d2c-2f0a0d7f3a11",
        "holder_name": "Tara Trainee",
        "program_name": "Foundation",
        "program_description": "Bleeding in microneedling.",
        "achievement_id": "https://training.example.org/certificates/programs/foundation/",
        "lesson_titles": ["Applying pressure", "What is normal"],
        "quiz_titles": ["Bleeding basics"],
        "issued_at": ISSUED,
        "expires_at": EXPIRES,
        "status_index": 4242,
    }
    values.update(overrides)
    return BadgeFacts(**values)


def test_credential_has_every_required_open_badges_field():
    credential = badge_credential(facts=facts(), issuer=ISSUER)

    assert ob3_problems(credential) == []
    assert credential["@context"] == [VC_CONTEXT, OB_CONTEXT]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"] == {
        "id": ISSUER.id,
        "type": ["Profile"],
        "name": "Bleeding management training",
        "url": "https://training.example.org/",
    }


def test_dates_are_the_certificates_to_the_second_in_utc():
    credential = badge_credential(facts=facts(), issuer=ISSUER)

    assert credential["validFrom"] == "2026-06-01T09:30:12Z"
    assert credential["validUntil"] == "2028-06-01T09:30:12Z"


def test_a_certificate_that_never_expires_has_no_valid_until():
    credential = badge_credential(facts=facts(expires_at=None), issuer=ISSUER)

    assert "validUntil" not in credential
    assert ob3_problems(credential) == []


def test_subject_is_the_holder_by_name_and_the_achievement_the_program():
    subject = badge_credential(facts=facts(), issuer=ISSUER)["credentialSubject"]

    assert subject["type"] == ["AchievementSubject"]
    assert subject["name"] == "Tara Trainee"
    assert subject["achievement"]["name"] == "Foundation"
    assert subject["achievement"]["criteria"]["narrative"] == (
        "Completed the lessons: Applying pressure; What is normal. "
        "Passed the graded quizzes: Bleeding basics."
    )


def test_status_entry_points_at_the_bit_in_the_list():
    status = badge_credential(facts=facts(), issuer=ISSUER)["credentialStatus"]

    assert status == {
        "id": f"{ISSUER.status_list_url}#4242",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "4242",
        "statusListCredential": ISSUER.status_list_url,
    }


def test_criteria_without_requirements_still_says_something():
    assert criteria_narrative(lesson_titles=[], quiz_titles=[]) == (
        "Completed the certification program."
    )


def test_jwt_claims_are_the_credential_plus_the_registered_claims():
    credential = badge_credential(facts=facts(), issuer=ISSUER)
    now = datetime(2026, 6, 2, tzinfo=UTC)

    claims = jwt_claims(credential=credential, issuer=ISSUER, issued_at=ISSUED, now=now)

    assert {k: v for k, v in claims.items() if k in credential} == credential
    assert claims["iss"] == ISSUER.id
    assert claims["jti"] == credential["id"]
    assert claims["iat"] == int(now.timestamp())
    assert claims["nbf"] == int(ISSUED.timestamp())
    assert claims["exp"] == int(EXPIRES.timestamp())


def test_status_list_credential_names_the_list_and_its_purpose():
    listed = status_list_credential(issuer=ISSUER, encoded_list="uH4sI", valid_from=ISSUED)

    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["id"] == ISSUER.status_list_url
    assert listed["credentialSubject"]["statusPurpose"] == "revocation"
    assert listed["credentialSubject"]["encodedList"] == "uH4sI"
    assert timestamp(ISSUED) == listed["validFrom"]
