"""The Open Badges 3.0 credential of a certificate, and the status list credential. Pure.

Plain data in, the credential's JSON (a dict) out, following the W3C Verifiable
Credentials Data Model 2.0 and 1EdTech Open Badges 3.0: an
``OpenBadgeCredential`` whose subject is the holder (by name, as on the
certificate) and whose achievement is the program, with what it required.
``validFrom``/``validUntil`` are the certificate's issue and expiry moments, so
the credential expires with the certificate; ``credentialStatus`` points at the
certificate's bit in the revocation list. CPD hours, when the certificate has them, are
``creditsAvailable`` on the achievement and ``creditsEarned`` on the subject (numbers),
and the awarding body is named in the criteria's narrative.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from quizzes.credentials.status_list import STATUS_PURPOSE, status_entry

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CREDENTIAL_TYPE = ["VerifiableCredential", "OpenBadgeCredential"]
STATUS_LIST_TYPE = ["VerifiableCredential", "BitstringStatusListCredential"]


@dataclass(frozen=True)
class Issuer:
    """The issuing organisation and the addresses it publishes."""

    id: str  # the issuer profile's URL
    name: str
    url: str  # the organisation's home page
    jwks_url: str
    status_list_url: str


@dataclass(frozen=True)
class BadgeFacts:
    """What a certificate says, as plain data."""

    credential_id: str  # "urn:uuid:..."
    holder_name: str
    program_name: str
    program_description: str
    achievement_id: str  # the program's URL
    lesson_titles: Sequence[str]
    quiz_titles: Sequence[str]
    issued_at: datetime
    expires_at: datetime | None
    status_index: int
    cpd_hours: Decimal | None = None  # as copied onto the certificate when issued
    cpd_awarding_body: str = ""
    # Observed practice and attestations the program requires (titles), when it does.
    checklist_titles: Sequence[str] = ()
    statement_titles: Sequence[str] = ()


def timestamp(moment: datetime) -> str:
    """An XML Schema dateTimeStamp in UTC, to the second: 2026-06-01T09:30:00Z."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def criteria_narrative(
    *,
    lesson_titles: Sequence[str],
    quiz_titles: Sequence[str],
    cpd_hours: Decimal | None = None,
    cpd_awarding_body: str = "",
    checklist_titles: Sequence[str] = (),
    statement_titles: Sequence[str] = (),
) -> str:
    """What was required, in words: lessons, quizzes, observed practice, attestations, CPD."""
    parts = []
    if lesson_titles:
        parts.append("Completed the lessons: " + "; ".join(lesson_titles) + ".")
    if quiz_titles:
        parts.append("Passed the graded quizzes: " + "; ".join(quiz_titles) + ".")
    if checklist_titles:
        parts.append(
            "Observed in practice and signed off by an assessor: "
            + "; ".join(checklist_titles)
            + "."
        )
    if statement_titles:
        parts.append("Signed the attestations: " + "; ".join(statement_titles) + ".")
    narrative = " ".join(parts) or "Completed the certification program."
    if cpd_hours is not None:
        body = f", awarded by {cpd_awarding_body}" if cpd_awarding_body else ""
        narrative += f" Earns {cpd_hours:.1f} CPD hours{body}."
    elif cpd_awarding_body:
        narrative += f" CPD awarded by {cpd_awarding_body}."
    return narrative


def issuer_profile(issuer: Issuer) -> dict:
    """The issuer's Open Badges Profile, as embedded in each credential."""
    return {"id": issuer.id, "type": ["Profile"], "name": issuer.name, "url": issuer.url}


def badge_credential(*, facts: BadgeFacts, issuer: Issuer) -> dict:
    """Return the OpenBadgeCredential of one certificate (without a proof: the JWT signs it)."""
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": facts.credential_id,
        "type": list(CREDENTIAL_TYPE),
        "name": facts.program_name,
        "issuer": issuer_profile(issuer),
        "validFrom": timestamp(facts.issued_at),
    }
    if facts.expires_at is not None:
        credential["validUntil"] = timestamp(facts.expires_at)
    achievement = {
        "id": facts.achievement_id,
        "type": ["Achievement"],
        "name": facts.program_name,
        "description": facts.program_description or facts.program_name,
        "criteria": {
            "narrative": criteria_narrative(
                lesson_titles=facts.lesson_titles,
                quiz_titles=facts.quiz_titles,
                cpd_hours=facts.cpd_hours,
                cpd_awarding_body=facts.cpd_awarding_body,
                checklist_titles=facts.checklist_titles,
                statement_titles=facts.statement_titles,
            )
        },
    }
    subject = {"type": ["AchievementSubject"], "name": facts.holder_name}
    if facts.cpd_hours is not None:
        achievement["creditsAvailable"] = float(facts.cpd_hours)
        subject["creditsEarned"] = float(facts.cpd_hours)
    subject["achievement"] = achievement
    credential["credentialSubject"] = subject
    credential["credentialStatus"] = status_entry(
        list_url=issuer.status_list_url, index=facts.status_index
    )
    return credential


def status_list_credential(*, issuer: Issuer, encoded_list: str, valid_from: datetime) -> dict:
    """Return the BitstringStatusListCredential that publishes the revocation bits."""
    return {
        "@context": [VC_CONTEXT],
        "id": issuer.status_list_url,
        "type": list(STATUS_LIST_TYPE),
        "issuer": issuer.id,
        "validFrom": timestamp(valid_from),
        "credentialSubject": {
            "id": f"{issuer.status_list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encoded_list,
        },
    }


def jwt_claims(*, credential: dict, issuer: Issuer, issued_at: datetime, now: datetime) -> dict:
    """The VC-JWT claims: the credential itself (VC-JOSE-COSE), plus the registered claims."""
    claims = dict(credential)
    claims["iss"] = issuer.id
    claims["iat"] = int(now.timestamp())
    claims["nbf"] = int(issued_at.timestamp())
    if "id" in credential:
        claims["jti"] = credential["id"]
    valid_until = credential.get("validUntil")
    if valid_until:
        claims["exp"] = int(datetime.fromisoformat(valid_until).timestamp())
    return claims
