"""The admin: educators author statements (a new text is a new version); attestations read-only."""

import pytest
from django.test import Client
from django.urls import reverse

from quizzes.models import AttestationStatement
from tests.builders import make_program
from tests.builders.competence import attest

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _data(program, **fields) -> dict:
    data = {
        "title": "Protocol",
        "slug": "admin-protocol",
        "text": "I will follow it.",
        "programs": [str(program.pk)],
    }
    return data | fields


def test_educator_adds_and_changes_a_statement(educator):
    program = make_program(slug="admin-foundation", lessons=0, quizzes=0)
    client = _client(educator)
    response = client.post(reverse("admin:quizzes_attestationstatement_add"), _data(program))
    assert response.status_code == 302, response.content.decode()[:2000]
    statement = AttestationStatement.objects.get(slug="admin-protocol")
    assert (statement.version, list(statement.programs.all())) == (1, [program])
    url = reverse("admin:quizzes_attestationstatement_change", args=[statement.pk])
    assert client.post(url, _data(program, title="Renamed")).status_code == 302
    statement.refresh_from_db()
    assert (statement.version, statement.title) == (1, "Renamed")
    assert client.post(url, _data(program, text="I will follow it always.")).status_code == 302
    statement.refresh_from_db()
    assert (statement.version, statement.text) == (2, "I will follow it always.")


def test_the_version_cannot_be_posted(educator):
    program = make_program(slug="admin-foundation", lessons=0, quizzes=0)
    data = _data(program, version="9")
    _client(educator).post(reverse("admin:quizzes_attestationstatement_add"), data)
    assert AttestationStatement.objects.get().version == 1


def test_attestations_are_read_only_even_for_superusers(superuser, trainee, statement):
    attestation = attest(trainee, statement)
    client = _client(superuser)
    change = reverse("admin:quizzes_attestation_change", args=[attestation.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="typed_name"' not in page.content.decode()
    client.post(change, {"typed_name": "Someone Else"})
    attestation.refresh_from_db()
    assert attestation.typed_name == "Tara Trainee"
    assert client.get(reverse("admin:quizzes_attestation_add")).status_code == 403
    delete = reverse("admin:quizzes_attestation_delete", args=[attestation.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def test_educators_cannot_see_attestations(educator, trainee, statement):
    attestation = attest(trainee, statement)
    change = reverse("admin:quizzes_attestation_change", args=[attestation.pk])
    assert _client(educator).get(change).status_code in (302, 403)
