import pytest
from django.core import mail
from django.urls import reverse

from tests.builders import TEST_PASSWORD
from trainingsite.access import NOT_A_MANAGER, NOT_AN_EDUCATOR

pytestmark = pytest.mark.django_db


def test_anonymous_home_describes_the_training_and_offers_login(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bleeding in microneedling" in body
    assert reverse("login") in body
    assert 'href="#main"' in body  # skip link


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("trainee", "trainee_home"),
        ("educator", "educator_home"),
        ("manager", "manager_home"),
        ("superuser", "manager_home"),
    ],
)
def test_signed_in_users_land_on_their_role_page(client, request, persona, landing):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse(landing)
    assert client.get(response["Location"]).status_code == 200


def test_trainee_navigation_shows_only_trainee_entries(trainee_client):
    body = trainee_client.get(reverse("trainee_home")).content.decode()
    assert "My training" in body
    assert reverse("admin:index") not in body
    assert reverse("manager_home") not in body


def test_educator_navigation_links_to_admin(educator_client):
    body = educator_client.get(reverse("educator_home")).content.decode()
    assert reverse("admin:index") in body
    assert reverse("manager_home") not in body


def test_manager_navigation_links_to_reports(manager_client):
    body = manager_client.get(reverse("manager_home")).content.decode()
    assert reverse("manager_home") in body
    assert reverse("admin:index") not in body


def test_trainee_cannot_open_manager_or_educator_pages(trainee_client):
    response = trainee_client.get(reverse("manager_home"))
    assert response.status_code == 403
    assert NOT_A_MANAGER in response.content.decode()
    response = trainee_client.get(reverse("educator_home"))
    assert response.status_code == 403
    assert NOT_AN_EDUCATOR in response.content.decode()


@pytest.mark.parametrize("persona", ["trainee", "manager"])
def test_trainees_and_managers_cannot_reach_the_admin(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_educator_reaches_the_admin(educator_client):
    assert educator_client.get(reverse("admin:index")).status_code == 200


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("trainee_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_with_password_and_logout_by_post(client, trainee):
    response = client.post(reverse("login"), {"username": "tara", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # signed in: redirected to the role page
    assert client.get(reverse("logout")).status_code == 405  # logout is never a GET
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_password_shows_a_clear_error(client, trainee):
    response = client.post(reverse("login"), {"username": "tara", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_password_change(trainee_client, trainee):
    response = trainee_client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a-brand-new-passphrase-42",
            "new_password2": "a-brand-new-passphrase-42",
        },
    )
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.check_password("a-brand-new-passphrase-42") is True


def test_password_reset_sends_a_link(client, trainee):
    response = client.post(reverse("password_reset"), {"email": trainee.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_healthz_answers_without_a_session(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_bootstrap_is_served_by_the_site_not_a_cdn(client):
    body = client.get("/").content.decode()
    assert "/static/css/bootstrap.min.css" in body
    assert "/static/js/bootstrap.bundle.min.js" in body
    assert "cdn" not in body.lower()
