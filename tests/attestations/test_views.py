"""Attestation pages, as each persona; signing through the form."""

import pytest
from django.test import Client
from django.urls import reverse

from quizzes.attestations.forms import CONFIRM_REQUIRED
from quizzes.attestations.rules import NAME_MISMATCH
from quizzes.attestations.services import ALREADY_SIGNED, statement_save
from quizzes.attestations.views import SIGNED_MESSAGE
from quizzes.models import Attestation
from tests.builders.certification import make_program
from tests.builders.competence import make_statement
from tests.trainingsite.test_accessibility import assert_accessible

pytestmark = pytest.mark.django_db

PERSONAS = (
    "trainee",
    "other_trainee",
    "assessor",
    "other_assessor",
    "educator",
    "manager",
    "other_manager",
    "superuser",
)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sign(client, slug="protocol", name="Tara Trainee", confirm=True):
    data = {"typed_name": name}
    if confirm:
        data["confirm"] = "on"
    return client.post(reverse("attestations:detail", kwargs={"slug": slug}), data)


def test_anonymous_is_sent_to_log_in(client, statement):
    for url in (reverse("attestations:mine"), statement.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_every_persona_sees_the_statement_and_their_list(request, statement):
    for name in PERSONAS:
        client = _client(request.getfixturevalue(name))
        assert client.get(reverse("attestations:mine")).status_code == 200, name
        assert client.get(statement.get_absolute_url()).status_code == 200, name


def test_statement_of_no_published_program_is_404(trainee):
    draft = make_program(slug="draft", lessons=0, quizzes=0, status="draft")
    make_statement(slug="drafted", programs=[draft])
    make_statement(slug="orphan")
    client = _client(trainee)
    for slug in ("drafted", "orphan", "missing"):
        assert client.get(reverse("attestations:detail", kwargs={"slug": slug})).status_code == 404
        assert _sign(client, slug=slug).status_code == 404
    assert Attestation.objects.count() == 0


def test_trainee_list_shows_the_state(trainee, statement, assigned):
    client = _client(trainee)
    response = client.get(reverse("attestations:mine"))
    assert "Not signed yet" in response.content.decode()
    _sign(client)
    assert "Signed" in client.get(reverse("attestations:mine")).content.decode()


def test_sign_then_the_page_shows_the_record(trainee, statement):
    client = _client(trainee)
    response = _sign(client)
    assert response.status_code == 302
    assert response.url == statement.get_absolute_url()
    page = client.get(response.url)
    body = page.content.decode()
    assert SIGNED_MESSAGE in body
    assert 'data-testid="record"' in body
    assert "Tara Trainee" in body
    assert 'name="typed_name"' not in body
    attestation = Attestation.objects.get()
    assert attestation.ip_address == "127.0.0.1"


def test_wrong_name_is_refused_with_the_message(trainee, statement):
    response = _sign(_client(trainee), name="Otto Other")
    assert response.status_code == 400
    assert NAME_MISMATCH.format(expected="Tara Trainee") in response.content.decode()
    assert Attestation.objects.count() == 0


def test_the_box_must_be_ticked(trainee, statement):
    response = _sign(_client(trainee), confirm=False)
    assert response.status_code == 400
    assert CONFIRM_REQUIRED in response.content.decode()
    assert Attestation.objects.count() == 0


def test_second_signature_is_409(trainee, statement):
    client = _client(trainee)
    _sign(client)
    response = _sign(client)
    assert response.status_code == 409
    assert ALREADY_SIGNED.format(version=1) in response.content.decode()
    assert Attestation.objects.count() == 1


def test_a_new_version_asks_again(trainee, statement, assigned):
    client = _client(trainee)
    _sign(client)
    statement_save(statement=statement, text="New words.", title=statement.title)
    body = client.get(statement.get_absolute_url()).content.decode()
    assert 'data-testid="new-version"' in body
    assert 'name="typed_name"' in body
    assert "New version to sign" in client.get(reverse("attestations:mine")).content.decode()
    assert _sign(client).status_code == 302
    assert list(Attestation.objects.values_list("version", flat=True).order_by("version")) == [
        1,
        2,
    ]


def test_each_person_signs_for_themselves(trainee, other_trainee, statement):
    _sign(_client(trainee))
    response = _sign(_client(other_trainee), name="Otto Other")
    assert response.status_code == 302
    assert sorted(Attestation.objects.values_list("user__username", flat=True)) == [
        "otto",
        "tara",
    ]


@pytest.mark.parametrize("name", ["Tara\x00Trainee", "T" * 301], ids=["nul", "long"])
def test_bad_names_are_400(trainee, statement, name):
    response = _sign(_client(trainee), name=name)
    assert response.status_code == 400
    assert Attestation.objects.count() == 0


def test_list_query_count(trainee, assigned, statement, django_assert_max_num_queries):
    client = _client(trainee)
    with django_assert_max_num_queries(22):
        assert client.get(reverse("attestations:mine")).status_code == 200


def test_pages_are_accessible(trainee, statement, assigned):
    client = _client(trainee)
    assert_accessible(client.get(reverse("attestations:mine")))
    assert_accessible(client.get(statement.get_absolute_url()))
    assert_accessible(_sign(client, name="Someone Else"))
    _sign(client)
    assert_accessible(client.get(statement.get_absolute_url()))
