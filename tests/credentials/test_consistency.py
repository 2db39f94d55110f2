"""One certificate, one story: its page, PDF, verification page, credential and status bit agree.

Each surface is read the way its audience reads it (the owner's page, the downloaded
PDF's text, the public page by code, the pasted credential, the published status list
verified with PyJWT) and reduced to the same few facts, which are compared with
literal expectations, never with values computed by the code under test. Then the
certificate changes (revoked, expired, renewed) and every surface is read again.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import urlsplit

import jwt as pyjwt
import pytest
from django.test import Client
from django.urls import reverse

from quizzes.certification.services import certificate_issue_if_complete, certificate_revoke
from quizzes.credentials.selectors import (
    CredentialState,
    credential_verify,
    issuer,
    jwks,
)
from quizzes.credentials.status_list import bit_test, bitstring_decode
from quizzes.models import Certificate, Credential
from tests.builders import do_everything, graded_attempt, make_cohort, make_program
from tests.certification.pdf_text import pdf_lines

pytestmark = pytest.mark.django_db

PROGRAM = "Bleeding control in microneedling"
HOLDER = "Tara Trainee"
# Midday UTC, so that no time zone moves a date across midnight.
ISSUED = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
EXPIRES = datetime(2028, 3, 10, 12, 0, tzinfo=UTC)  # 24 months later
REVOKED_AT = datetime(2026, 4, 19, 12, 0, tzinfo=UTC)
RENEWED = datetime(2028, 2, 20, 12, 0, tzinfo=UTC)  # within the 30 days before expiry
RENEWED_EXPIRES = datetime(2030, 2, 20, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Story:
    """What a surface says about a certificate: who, what, and when."""

    holder: str
    program: str
    issued: str
    valid_until: str


FIRST_CYCLE = Story(HOLDER, PROGRAM, "10 March 2026", "10 March 2028")
SECOND_CYCLE = Story(HOLDER, PROGRAM, "20 February 2028", "20 February 2030")


# --- Reading each surface --------------------------------------------------------------


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _definitions(html: str) -> dict[str, str]:
    """The page's <dt>/<dd> pairs, as text."""
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", html, re.S)
    return {_text(term): _text(value) for term, value in pairs}


def _verdict(html: str) -> str:
    """The verification page's verdict: "Valid", "Expired", "Revoked"..."""
    match = re.search(r'data-testid="verdict"[^>]*><strong>([^<]+)\.</strong>', html)
    assert match, "the page shows no verdict"
    return match.group(1)


def signed_in(user) -> Client:
    """A client signed in now (a session from months ago would have ended)."""
    client = Client()
    client.force_login(user)
    return client


def page_story(certificate: Certificate) -> tuple[Story, str]:
    """The owner's certificate page: its story, and its whole text."""
    response = signed_in(certificate.user).get(
        reverse("certificates:detail", args=[certificate.display_code])
    )
    assert response.status_code == 200
    html = response.content.decode()
    holder = re.search(r'data-testid="holder">([^<]*)<', html).group(1)
    program = re.search(r"has completed the certification program</p>\s*<p[^>]*>([^<]*)<", html)
    facts = _definitions(html)
    story = Story(
        unescape(holder), unescape(program.group(1)), facts["Issued"], facts["Valid until"]
    )
    return story, html


def _pdf_strings(data: bytes) -> list[str]:
    """The lines a PDF draws, decoded through its fonts (DejaVu subsets and standard fonts)."""
    return pdf_lines(data)


def pdf_story(certificate: Certificate) -> Story:
    """The downloaded PDF's text."""
    response = signed_in(certificate.user).get(
        reverse("certificates:download", args=[certificate.display_code])
    )
    assert response.status_code == 200
    drawn = _pdf_strings(response.content)
    holder = drawn[drawn.index("This certifies that") + 1]
    program = drawn[drawn.index("has completed the certification program") + 1]
    dates = next(line for line in drawn if line.startswith("Issued "))
    issued, valid_until = re.fullmatch(r"Issued (.+?)\s+·\s+Valid until (.+)", dates).groups()
    assert certificate.display_code in drawn
    return Story(holder, program, issued, valid_until)


def verify_page(certificate: Certificate) -> tuple[Story, str]:
    """The public verification page by code, seen by someone not signed in."""
    response = Client().get(reverse("certificates:verify", args=[certificate.display_code]))
    assert response.status_code == 200
    html = response.content.decode()
    facts = _definitions(html)
    assert facts["Code"] == certificate.display_code
    story = Story(facts["Holder"], facts["Program"], facts["Issued"], facts["Valid until"])
    return story, _verdict(html)


def credential_page(credential: Credential) -> tuple[Story, str]:
    """The verification page with the credential pasted, seen by someone not signed in."""
    response = Client().post(reverse("certificates:verify_form"), {"credential": credential.jwt})
    assert response.status_code == 200
    html = response.content.decode()
    facts = _definitions(html)
    story = Story(facts["Holder"], facts["Program"], facts["Issued"], facts["Valid until"])
    return story, _verdict(html)


def pyjwt_claims(token: str, **options) -> dict:
    """Verify a VC-JWT with PyJWT (no code shared with the signing path) and the JWKS."""
    keys = {key.key_id: key for key in pyjwt.PyJWKSet.from_dict(jwks()).keys}
    kid = pyjwt.get_unverified_header(token)["kid"]
    return pyjwt.decode(
        token, key=keys[kid].key, algorithms=["EdDSA"], issuer=issuer().id, options=options
    )


def status_bit(credential: Credential) -> bool:
    """The credential's bit in the published, signed status list."""
    claims = pyjwt_claims(credential.jwt, verify_exp=False)
    entry = claims["credentialStatus"]
    list_path = reverse("credentials:status_list")
    assert urlsplit(entry["statusListCredential"]).path == list_path
    response = Client().get(list_path)
    assert response.status_code == 200
    status_list = pyjwt_claims(response.content.decode())
    bits = bitstring_decode(status_list["credentialSubject"]["encodedList"])
    return bit_test(bits, int(entry["statusListIndex"]))


def _seconds(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- The certificate ---------------------------------------------------------------------


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(ISSUED, tick=False)
    return time_machine


@pytest.fixture
def program(db):
    return make_program(name=PROGRAM, lessons=1, quizzes=1, validity_months=24)


@pytest.fixture
def certificate(clock, trainee, program):
    """Issued by the service that issues everything, on 10 March 2026, for 24 months."""
    do_everything(trainee, program, at=ISSUED - timedelta(days=1))
    issued = certificate_issue_if_complete(user=trainee, program=program)
    assert issued is not None
    return issued


def test_an_issued_certificate_is_valid_everywhere_with_the_same_facts(certificate):
    credential = Credential.objects.get(certificate=certificate)

    page, html = page_story(certificate)
    on_code_page, code_verdict = verify_page(certificate)
    on_credential_page, credential_verdict = credential_page(credential)
    verified = credential_verify(text=credential.jwt)
    claims = pyjwt_claims(credential.jwt)

    assert page == pdf_story(certificate) == FIRST_CYCLE
    assert on_code_page == on_credential_page == FIRST_CYCLE
    assert "revoked" not in _text(html).lower()
    assert 'data-testid="download-jwt"' in html
    assert (code_verdict, credential_verdict) == ("Valid", "Valid")
    assert verified.state == CredentialState.VALID
    assert (verified.holder_name, verified.program_name) == (HOLDER, PROGRAM)
    assert (verified.issued_at, verified.expires_at) == (ISSUED, EXPIRES)
    assert (claims["validFrom"], claims["validUntil"]) == (
        "2026-03-10T12:00:00Z",
        "2028-03-10T12:00:00Z",
    )
    assert (certificate.issued_at, certificate.expires_at) == (ISSUED, EXPIRES)
    assert status_bit(credential) is False


def test_revoking_through_the_service_makes_every_surface_say_revoked(
    clock, trainee, manager, certificate
):
    credential = Credential.objects.get(certificate=certificate)
    make_cohort(managers=[manager], trainees=[trainee])
    clock.move_to(REVOKED_AT, tick=False)

    certificate_revoke(certificate=certificate, by=manager, reason="Issued in error.")

    page, html = page_story(certificate)
    on_code_page, code_verdict = verify_page(certificate)
    on_credential_page, credential_verdict = credential_page(credential)
    verified = credential_verify(text=credential.jwt)
    code = certificate.display_code

    assert page == on_code_page == on_credential_page == FIRST_CYCLE
    assert "This certificate was revoked on 19 April 2026." in _text(html)
    assert (code_verdict, credential_verdict) == ("Revoked", "Revoked")
    assert verified.state == CredentialState.REVOKED
    assert verified.revoked_at == REVOKED_AT
    assert status_bit(credential) is True
    # Nothing that could still be shown as valid is handed out any more.
    assert 'data-testid="download' not in html
    for name in ("certificates:download", "credentials:jwt", "credentials:json"):
        assert signed_in(trainee).get(reverse(name, args=[code])).status_code == 404


def test_past_its_expiry_every_surface_says_expired_and_the_list_stays_clear(clock, certificate):
    credential = Credential.objects.get(certificate=certificate)
    clock.move_to(EXPIRES - SECOND, tick=False)
    assert credential_verify(text=credential.jwt).state == CredentialState.VALID
    assert verify_page(certificate)[1] == "Valid"

    clock.move_to(EXPIRES, tick=False)

    on_code_page, code_verdict = verify_page(certificate)
    on_credential_page, credential_verdict = credential_page(credential)
    verified = credential_verify(text=credential.jwt)

    assert on_code_page == on_credential_page == FIRST_CYCLE
    assert (code_verdict, credential_verdict) == ("Expired", "Expired")
    assert verified.state == CredentialState.EXPIRED
    assert verified.expires_at == certificate.expires_at == EXPIRES
    assert pyjwt_claims(credential.jwt, verify_exp=False)["validUntil"] == _seconds(EXPIRES)
    # The independent verifier agrees: the JWT's exp is the certificate's expiry.
    with pytest.raises(pyjwt.ExpiredSignatureError):
        pyjwt_claims(credential.jwt)
    # The PDF and the page keep the dates they were issued with.
    assert page_story(certificate)[0] == FIRST_CYCLE
    assert pdf_story(certificate) == FIRST_CYCLE
    # Expiry needs no list: the bit stays clear (it means revoked, nothing else).
    assert status_bit(credential) is False


def test_the_owners_page_says_expired_once_past_its_expiry(clock, certificate):
    clock.move_to(EXPIRES + timedelta(days=1), tick=False)

    _story, html = page_story(certificate)

    assert re.search(r"\bexpired on 10 March 2028\b", _text(html), re.IGNORECASE)


def _renew(clock, trainee, program) -> Certificate:
    """Pass the quiz again in the 30 days before expiry and claim the next cycle."""
    clock.move_to(RENEWED, tick=False)
    for quiz in program.required_quizzes.all():
        graded_attempt(trainee, quiz, at=RENEWED - timedelta(hours=1))
    renewed = certificate_issue_if_complete(user=trainee, program=program)
    assert renewed is not None
    return renewed


def test_renewal_issues_a_new_credential_and_the_old_one_stays_valid_until_its_own_end(
    clock, trainee, program, certificate
):
    old = Credential.objects.get(certificate=certificate)

    renewed = _renew(clock, trainee, program)

    new = Credential.objects.get(certificate=renewed)
    new_claims = pyjwt_claims(new.jwt)
    assert renewed.cycle == 2
    assert new.pk != old.pk and new.uuid != old.uuid
    assert new.status_index != old.status_index
    assert new_claims["credentialStatus"]["statusListIndex"] == str(new.status_index)
    assert (new_claims["validFrom"], new_claims["validUntil"]) == (
        _seconds(RENEWED),
        _seconds(RENEWED_EXPIRES),
    )
    assert page_story(renewed)[0] == SECOND_CYCLE
    assert pdf_story(renewed) == SECOND_CYCLE
    assert verify_page(renewed) == (SECOND_CYCLE, "Valid")
    assert credential_page(new) == (SECOND_CYCLE, "Valid")
    # The old credential is untouched and still good, with its own dates.
    assert Credential.objects.get(pk=old.pk).jwt == old.jwt
    assert credential_page(old) == (FIRST_CYCLE, "Valid")
    assert verify_page(certificate) == (FIRST_CYCLE, "Valid")

    clock.move_to(EXPIRES - SECOND, tick=False)
    assert credential_verify(text=old.jwt).state == CredentialState.VALID

    clock.move_to(EXPIRES, tick=False)
    assert credential_verify(text=old.jwt).state == CredentialState.EXPIRED
    assert verify_page(certificate) == (FIRST_CYCLE, "Expired")
    assert credential_verify(text=new.jwt).state == CredentialState.VALID
    assert verify_page(renewed) == (SECOND_CYCLE, "Valid")
    assert (status_bit(old), status_bit(new)) == (False, False)


def test_revoking_the_renewal_flips_only_its_own_bit(
    clock, trainee, educator, program, certificate
):
    old = Credential.objects.get(certificate=certificate)
    renewed = _renew(clock, trainee, program)
    new = Credential.objects.get(certificate=renewed)

    certificate_revoke(certificate=renewed, by=educator, reason="Renewal issued in error.")

    assert (status_bit(old), status_bit(new)) == (False, True)
    assert credential_verify(text=old.jwt).state == CredentialState.VALID
    assert credential_verify(text=new.jwt).state == CredentialState.REVOKED
    assert verify_page(certificate)[1] == "Valid"
    assert verify_page(renewed)[1] == "Revoked"


# --- A renewal that supersedes -------------------------------------------------------------


def test_where_the_program_says_so_a_renewal_supersedes_the_old_certificate_everywhere(
    clock, trainee, program, certificate
):
    program.renewal_supersedes = True
    program.save(update_fields=["renewal_supersedes"])
    old = Credential.objects.get(certificate=certificate)

    renewed = _renew(clock, trainee, program)

    certificate.refresh_from_db()
    assert certificate.superseded_by == renewed
    assert certificate.revoked_at == RENEWED
    assert (
        certificate.revoke_reason
        == f"Superseded by the renewed certificate {renewed.display_code}."
    )
    assert verify_page(certificate) == (FIRST_CYCLE, "Superseded")
    assert credential_page(old) == (FIRST_CYCLE, "Superseded")
    result = credential_verify(text=old.jwt)
    assert (result.state, result.superseded) == (CredentialState.REVOKED, True)
    assert status_bit(old) is True
    _story, html = page_story(certificate)
    assert "superseded by a renewal on 20 February 2028" in _text(html)
    # The renewal itself is valid everywhere, its bit clear.
    new = Credential.objects.get(certificate=renewed)
    assert verify_page(renewed) == (SECOND_CYCLE, "Valid")
    assert credential_verify(text=new.jwt).state == CredentialState.VALID
    assert status_bit(new) is False


def test_a_renewal_after_expiry_leaves_the_expired_certificate_expired(
    clock, trainee, program, certificate
):
    program.renewal_supersedes = True
    program.save(update_fields=["renewal_supersedes"])
    later = EXPIRES + timedelta(days=5)
    clock.move_to(later, tick=False)
    for quiz in program.required_quizzes.all():
        graded_attempt(trainee, quiz, at=later - timedelta(hours=1))
    renewed = certificate_issue_if_complete(user=trainee, program=program)
    assert renewed is not None and renewed.cycle == 2
    certificate.refresh_from_db()
    assert (certificate.revoked_at, certificate.superseded_by) == (None, None)
    assert verify_page(certificate)[1] == "Expired"
