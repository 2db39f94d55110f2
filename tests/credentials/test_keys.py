"""The key set and `manage.py credential_keys`: generate, ensure, rotate, public, backfill."""

import io
import json
import stat
from datetime import UTC, datetime

import jwt as pyjwt
import pytest
from django.core.management import CommandError, call_command

from quizzes.credentials.keys import (
    KEYS_FROM_SETTING,
    CredentialKeysError,
    key_new,
    key_set,
    key_set_text,
    public_jwks,
)
from quizzes.credentials.selectors import CredentialState, credential_verify
from quizzes.models import Credential
from tests.builders import make_certificate, make_program


def run(*args) -> str:
    out = io.StringIO()
    call_command("credential_keys", *args, stdout=out)
    return out.getvalue()


def test_generate_writes_a_private_file_and_refuses_to_overwrite(tmp_path, settings):
    settings.CREDENTIAL_KEYS_FILE = path = tmp_path / "var" / "keys.json"

    assert "written to" in run("--generate")
    first = path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(CommandError, match="already exists"):
        run("--generate")
    assert path.read_text() == first


def test_ensure_generates_only_when_absent(tmp_path, settings):
    settings.CREDENTIAL_KEYS_FILE = path = tmp_path / "keys.json"

    run("--ensure")
    first = path.read_text()
    assert run("--ensure") == "Credential keys: present.\n"
    assert path.read_text() == first


def test_public_prints_no_private_part(own_keys):
    printed = json.loads(run("--public"))

    assert [key["kid"] for key in printed["keys"]] == [key_set()[0].kid]
    assert all("d" not in key and key["alg"] == "EdDSA" for key in printed["keys"])


def test_a_missing_key_set_fails_when_signing_with_what_to_do(tmp_path, settings):
    settings.CREDENTIAL_KEYS_FILE = tmp_path / "nowhere.json"

    with pytest.raises(CredentialKeysError, match="credential_keys --generate"):
        key_set()


@pytest.mark.parametrize(
    "text, reason",
    [
        ("not json", "not JSON"),
        ('{"keys": []}', "empty"),
        ('{"keys": [{"kty": "RSA"}]}', "not an Ed25519 key"),
        ('{"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "AA"}]}', "no kid"),
    ],
)
def test_an_unusable_key_set_says_what_is_wrong(settings, text, reason):
    settings.CREDENTIAL_KEYS = text

    with pytest.raises(CredentialKeysError, match=reason):
        key_set()


def test_a_public_key_alone_cannot_sign(settings):
    public = {k: v for k, v in key_new().items() if k != "d"}
    settings.CREDENTIAL_KEYS = key_set_text([public])

    with pytest.raises(CredentialKeysError, match="no private part"):
        key_set()


def test_the_setting_wins_over_the_file_and_the_command_will_not_write_it(own_keys, settings):
    inline = key_new()
    settings.CREDENTIAL_KEYS = key_set_text([inline])

    assert key_set()[0].kid == inline["kid"]
    with pytest.raises(CommandError, match="DJANGO_CREDENTIAL_KEYS"):
        run("--rotate")
    assert KEYS_FROM_SETTING.startswith("The key set comes from")


@pytest.mark.django_db
def test_rotation_keeps_old_credentials_verifying_and_signs_new_ones_with_the_new_key(
    own_keys, trainee
):
    program = make_program(lessons=0, quizzes=0, validity_months=None)
    before = make_certificate(trainee, program, issued_at=datetime(2026, 1, 1, tzinfo=UTC))
    run("--backfill")
    old = Credential.objects.get(certificate=before)

    run("--rotate")
    after = make_certificate(trainee, program, issued_at=datetime(2026, 2, 1, tzinfo=UTC), cycle=2)
    assert run("--backfill") == "Credentials signed for 1 certificate.\n"
    new = Credential.objects.get(certificate=after)

    kids = [key["kid"] for key in public_jwks()["keys"]]
    assert kids == [new.kid, old.kid]  # the newest first, the old one still published
    assert new.kid != old.kid
    assert pyjwt.get_unverified_header(new.jwt)["kid"] == new.kid
    for credential in (old, new):
        assert credential_verify(text=credential.jwt).state == CredentialState.VALID
