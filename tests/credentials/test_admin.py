"""The credentials' admin: read-only, searchable by code and holder, linking the certificate."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Credential
from tests.builders import make_trainee

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:quizzes_credential_changelist")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def credential(issued):
    now = timezone.now()
    return issued(issued_at=now - timedelta(days=3), expires_at=now + timedelta(days=700))


def test_the_list_shows_code_holder_kid_index_and_when(admin_client, credential):
    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    row = response.content.decode()
    for shown in (
        credential.certificate.display_code,
        "Tara Trainee",
        credential.kid,
        f'<td class="field-status_index">{credential.status_index}</td>',
    ):
        assert str(shown) in row


@pytest.mark.parametrize(
    "term", ["tara", "Trainee", "code", "code-dashed", "code-lower", "nobody", "UUUU"]
)
def test_search_by_code_as_printed_or_stored_and_by_holder(admin_client, issued, term):
    now = timezone.now()
    mine = issued(issued_at=now)
    other = make_trainee(username="otto", first_name="Otto", last_name="Other")
    issued(issued_at=now, user=other, slug="second")
    code = mine.certificate.code
    query = {
        "code": code,
        "code-dashed": mine.certificate.display_code,
        "code-lower": mine.certificate.display_code.lower(),
    }.get(term, term)

    response = admin_client.get(CHANGELIST, {"q": query})

    expected = [] if term in ("nobody", "UUUU") else [mine.pk]
    assert [c.pk for c in response.context["cl"].result_list] == expected


def test_nobody_adds_changes_or_deletes_a_credential(admin_client, credential):
    change = reverse("admin:quizzes_credential_change", args=[credential.pk])
    before = Credential.objects.values().get()

    assert admin_client.get(reverse("admin:quizzes_credential_add")).status_code == 403
    delete = reverse("admin:quizzes_credential_delete", args=[credential.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client.post(change, {"kid": "forged", "status_index": "1"}).status_code == 403
    assert Credential.objects.values().get() == before
    # No actions at all: "delete selected" is the only one, and it is refused.
    assert admin_client.get(CHANGELIST).context["action_form"] is None


def test_the_detail_links_to_the_certificates_admin_page(admin_client, credential):
    response = admin_client.get(reverse("admin:quizzes_credential_change", args=[credential.pk]))

    assert response.status_code == 200
    url = reverse("admin:quizzes_certificate_change", args=[credential.certificate_id])
    body = response.content.decode()
    assert f'<a href="{url}">{credential.certificate.display_code}</a>' in body
    assert credential.jwt in body


def test_educators_do_not_see_credentials(client, educator, credential):
    client.force_login(educator)
    assert client.get(CHANGELIST).status_code == 403


def test_the_list_reads_in_a_flat_number_of_queries(admin_client, issued):
    now = timezone.now()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(CHANGELIST).status_code == 200
        return len(captured)

    issued(issued_at=now, slug="p0")
    one = queries()
    for n in range(1, 10):
        issued(issued_at=now, user=make_trainee(username=f"t{n}"), slug=f"p{n}")
    assert queries() == one
