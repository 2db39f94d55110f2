"""Each resource through a token: its owner's scope exactly (the reports' scoping helper)."""

from urllib.parse import urljoin

import pytest
from django.conf import settings
from django.urls import reverse

from quizzes.api.services import api_token_create
from quizzes.certification.rules import ProgressStatus
from quizzes.cohorts.scope import trainees_for_manager
from quizzes.models import CohortInvitation, CohortMembership
from quizzes.reports.progress import progress_for_assignments
from tests.api.conftest import ApiClient
from tests.builders import make_cohort, make_manager, make_trainee

pytestmark = pytest.mark.django_db

TRAINEES = reverse("api:trainees")
CERTIFICATES = reverse("api:certificates")
COHORTS = reverse("api:cohorts")


def _trainee_url(user):
    return reverse("api:trainee", kwargs={"trainee_id": user.pk})


def _ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- Trainees ---------------------------------------------------------------------------


def test_manager_lists_own_cohort_with_the_reports_status(manager_api, manager, trainee, api_world):
    body = manager_api.get(TRAINEES).json()
    assert [item["id"] for item in body["items"]] == [trainee.pk]
    (program,) = body["items"][0]["programs"]
    expected = progress_for_assignments(users=[trainee.pk])[(trainee.pk, api_world.program.pk)]
    assert program["status"] == expected.status.value == ProgressStatus.CERTIFIED
    assert program["due_date"] == expected.due_date.isoformat()
    assert program["certificate_code"] == api_world.certificate.display_code
    assert body["items"][0]["cohorts"] == [api_world.cohort_a.slug]
    assert body["next"] is None


def test_manager_token_never_sees_another_cohort(manager_api, other_trainee):
    assert other_trainee.pk not in _ids(manager_api.get(TRAINEES))
    response = manager_api.get(_trainee_url(other_trainee))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_other_manager_and_superuser_scopes(
    other_manager_api, superuser_api, trainee, other_trainee
):
    assert _ids(other_manager_api.get(TRAINEES)) == [other_trainee.pk]
    assert other_manager_api.get(_trainee_url(trainee)).status_code == 404
    assert _ids(superuser_api.get(TRAINEES)) == [trainee.pk, other_trainee.pk]
    assert superuser_api.get(_trainee_url(trainee)).status_code == 200


def test_trainee_detail_matches_its_list_item(manager_api, trainee):
    listed = manager_api.get(TRAINEES).json()["items"][0]
    assert manager_api.get(_trainee_url(trainee)).json() == listed


def test_cohort_filter_and_search(superuser_api, api_world, trainee, other_trainee):
    by_cohort = superuser_api.get(TRAINEES, {"cohort": api_world.cohort_b.slug})
    assert _ids(by_cohort) == [other_trainee.pk]
    assert _ids(superuser_api.get(TRAINEES, {"q": "tara"})) == [trainee.pk]
    assert superuser_api.get(TRAINEES, {"cohort": "no-such"}).status_code == 404


def test_manager_cannot_filter_by_another_managers_cohort(manager_api, api_world):
    assert manager_api.get(TRAINEES, {"cohort": api_world.cohort_b.slug}).status_code == 404


def test_trainee_list_query_count_is_flat_in_the_page_size(
    manager_api, manager, api_world, django_assert_max_num_queries
):
    def page_of(n):
        with django_assert_max_num_queries(BUDGET) as ctx:
            response = manager_api.get(TRAINEES, {"limit": n})
        assert len(response.json()["items"]) == n
        return len(ctx.captured_queries)

    BUDGET = 30
    small = page_of(1)
    people = [make_trainee(username=f"bulk{i}") for i in range(30)]
    for person in people:
        CohortMembership.objects.create(cohort=api_world.cohort_a, user=person)
    assert trainees_for_manager(manager).count() == 31
    large = page_of(31)
    assert large == small
    print(f"\ntrainees list: {small} queries for 1 row, {large} for 31")


# --- Certificates ------------------------------------------------------------------------


def test_certificates_in_scope_only(manager_api, other_manager_api, superuser_api, api_world):
    def codes(client):
        return [item["code"] for item in client.get(CERTIFICATES).json()["items"]]

    mine, theirs = api_world.certificate.display_code, api_world.other_certificate.display_code
    assert codes(manager_api) == [mine]
    assert codes(other_manager_api) == [theirs]
    assert codes(superuser_api) == [mine, theirs]
    assert manager_api.get(reverse("api:certificate", kwargs={"code": theirs})).status_code == 404


def test_certificate_detail_has_status_verification_and_credential(manager_api, api_world):
    code = api_world.certificate.display_code
    body = manager_api.get(reverse("api:certificate", kwargs={"code": code})).json()
    assert body["status"] == "valid"
    assert body["holder_name"] == api_world.certificate.holder_name
    assert body["verification_url"] == urljoin(
        settings.CREDENTIAL_ISSUER_URL, reverse("certificates:verify", kwargs={"code": code})
    )
    assert body["verification_url"].startswith(("http://", "https://"))
    # Made by the builder without the issuing service: no signed credential.
    assert body["credential_url"] is None and body["credential_jwt"] is None
    lower = code.lower().replace("-", "")
    assert manager_api.get(reverse("api:certificate", kwargs={"code": lower})).json() == body


def test_certificate_status_filter(superuser_api, api_world):
    api_world.other_certificate.revoked_at = api_world.other_certificate.issued_at
    api_world.other_certificate.revoke_reason = "Issued in error."
    api_world.other_certificate.save()
    revoked = superuser_api.get(CERTIFICATES, {"status": "revoked"}).json()["items"]
    assert [c["code"] for c in revoked] == [api_world.other_certificate.display_code]
    valid = superuser_api.get(CERTIFICATES, {"status": "valid"}).json()["items"]
    assert [c["code"] for c in valid] == [api_world.certificate.display_code]
    assert superuser_api.get(CERTIFICATES, {"status": "bogus"}).status_code == 422


# --- Cohorts ------------------------------------------------------------------------------


def test_cohorts_and_members_in_scope(manager_api, api_world, trainee):
    cohorts = manager_api.get(COHORTS).json()["items"]
    assert [c["slug"] for c in cohorts] == [api_world.cohort_a.slug]
    assert cohorts[0]["member_count"] == 1
    assert cohorts[0]["programs"][0]["program"] == api_world.program.slug
    members = reverse("api:cohort_members", kwargs={"slug": api_world.cohort_a.slug})
    assert _ids(manager_api.get(members)) == [trainee.pk]
    theirs = reverse("api:cohort_members", kwargs={"slug": api_world.cohort_b.slug})
    assert manager_api.get(theirs).status_code == 404


def _invite(client, cohort, email, **extra):
    url = reverse("api:cohort_invitations", kwargs={"slug": cohort.slug})
    return client.post(url, {"email": email}, **extra)


def test_invitation_of_an_existing_trainee_invites_never_adds(
    manager_api, api_world, other_trainee
):
    response = _invite(manager_api, api_world.cohort_a, other_trainee.email)
    assert response.status_code == 201
    assert response.json() == {"outcome": "invited", "email": other_trainee.email}
    assert CohortInvitation.objects.filter(cohort=api_world.cohort_a, user=other_trainee).exists()
    assert not CohortMembership.objects.filter(
        cohort=api_world.cohort_a, user=other_trainee
    ).exists()


def test_invitation_of_a_new_address_creates_the_trainee_as_the_site_does(manager_api, api_world):
    response = _invite(manager_api, api_world.cohort_a, "newcomer@example.com")
    assert response.json()["outcome"] == "created"
    assert CohortMembership.objects.filter(
        cohort=api_world.cohort_a, user__email="newcomer@example.com"
    ).exists()


def test_invitation_refusals_are_problems(manager_api, api_world, trainee, manager):
    member = _invite(manager_api, api_world.cohort_a, trainee.email)
    assert member.status_code == 409 and member["Content-Type"] == "application/problem+json"
    assert "already in" in member.json()["detail"]
    staff = _invite(manager_api, api_world.cohort_a, manager.email)
    assert staff.status_code == 409
    assert _invite(manager_api, api_world.cohort_b, "x@example.com").status_code == 404
    assert _invite(manager_api, api_world.cohort_a, "not-an-address").status_code == 422


def test_token_of_a_manager_with_no_cohort_sees_nothing(db, api_world):
    lonely = make_cohort(name="Empty")  # nobody manages it

    owner = make_manager(username="newmanager")
    client = ApiClient(api_token_create(owner=owner, name="HR", expires_at=None)[1])
    assert client.get(TRAINEES).json()["items"] == []
    assert client.get(COHORTS).json()["items"] == []
    assert (
        client.get(reverse("api:cohort_members", kwargs={"slug": lonely.slug})).status_code == 404
    )
