"""A small Open Badges 3.0 checker, built from the specification's required fields.

Source: 1EdTech Open Badges Specification 3.0 (OpenBadgeCredential, Profile, AchievementSubject,
Achievement, Criteria) and W3C Bitstring Status List v1.0 (BitstringStatusListEntry). No
schema package installs here, so the required fields are checked one by one.
"""

from datetime import datetime

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0"


def _types(value) -> list:
    return value if isinstance(value, list) else [value]


def _timestamp(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def ob3_problems(credential: dict) -> list[str]:
    """Return what an OpenBadgeCredential lacks (an empty list when it is complete)."""
    problems = []
    context = credential.get("@context")
    if not isinstance(context, list) or len(context) < 2 or context[0] != VC_CONTEXT:
        problems.append("@context must start with the VC 2.0 context")
    elif not str(context[1]).startswith(OB_CONTEXT_PREFIX):
        problems.append("@context's second entry must be the OB 3.0 context")
    types = _types(credential.get("type"))
    if "VerifiableCredential" not in types or "OpenBadgeCredential" not in types:
        problems.append("type must hold VerifiableCredential and OpenBadgeCredential")
    if not str(credential.get("id", "")).startswith(("urn:uuid:", "http")):
        problems.append("id must be a URI")
    issuer = credential.get("issuer")
    if (
        not isinstance(issuer, dict)
        or not issuer.get("id")
        or "Profile" not in _types(issuer.get("type"))
    ):
        problems.append("issuer must be a Profile with an id")
    if not _timestamp(credential.get("validFrom")):
        problems.append("validFrom must be a dateTimeStamp")
    if "validUntil" in credential and not _timestamp(credential["validUntil"]):
        problems.append("validUntil must be a dateTimeStamp")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict) or "AchievementSubject" not in _types(subject.get("type")):
        problems.append("credentialSubject must be an AchievementSubject")
        return problems
    achievement = subject.get("achievement")
    if not isinstance(achievement, dict):
        return [*problems, "credentialSubject.achievement is required"]
    for field in ("id", "name", "description"):
        if not achievement.get(field):
            problems.append(f"achievement.{field} is required")
    if "Achievement" not in _types(achievement.get("type")):
        problems.append("achievement.type must hold Achievement")
    criteria = achievement.get("criteria")
    if not isinstance(criteria, dict) or not (criteria.get("narrative") or criteria.get("id")):
        problems.append("achievement.criteria needs a narrative or an id")
    status = credential.get("credentialStatus")
    if not isinstance(status, dict):
        return [*problems, "credentialStatus is required here"]
    if status.get("type") != "BitstringStatusListEntry":
        problems.append("credentialStatus.type must be BitstringStatusListEntry")
    if status.get("statusPurpose") != "revocation":
        problems.append("credentialStatus.statusPurpose must be revocation")
    index = status.get("statusListIndex")
    if not (isinstance(index, str) and index.isdigit()):
        problems.append("credentialStatus.statusListIndex must be a string of digits")
    if not str(status.get("statusListCredential", "")).startswith("http"):
        problems.append("credentialStatus.statusListCredential must be a URL")
    return problems
