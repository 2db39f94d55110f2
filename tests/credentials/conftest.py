"""Credentials' fixtures: a key file of the test's own (for rotation), and builders.

The session's key set is made by tests/conftest.py (`credential_keys_file`); no private
key is committed.
"""

import pytest

from quizzes.credentials.keys import key_new, key_set_text
from quizzes.credentials.services import credential_issue
from tests.builders import make_certificate, make_program


@pytest.fixture
def own_keys(tmp_path, settings):
    """A fresh key set in this test's folder, which the test may rotate."""
    path = tmp_path / "credential-keys.json"
    path.write_text(key_set_text([key_new()]))
    settings.CREDENTIAL_KEYS = ""
    settings.CREDENTIAL_KEYS_FILE = path
    return path


@pytest.fixture
def issued(trainee):
    """Build a certificate (two lessons, two quizzes) with its signed credential."""

    def build(*, issued_at, expires_at=None, revoked=False, user=None, slug="foundation"):
        program = make_program(slug=slug, name="Bleeding management foundation")
        certificate = make_certificate(
            user or trainee, program, issued_at=issued_at, expires_at=expires_at, revoked=revoked
        )
        return credential_issue(certificate=certificate)

    return build
