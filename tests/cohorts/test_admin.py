"""The cohort admin opens for superusers and is closed to managers."""

import pytest

from tests.builders import make_cohort, make_trainee

pytestmark = pytest.mark.django_db


def test_superuser_opens_the_cohort_admin_pages(client, superuser, manager):
    cohort = make_cohort(managers=[manager], trainees=[make_trainee(username="zz")])
    client.force_login(superuser)
    for url in [
        "/admin/quizzes/cohort/",
        f"/admin/quizzes/cohort/{cohort.pk}/change/",
        "/admin/quizzes/cohort/add/",
    ]:
        assert client.get(url).status_code == 200, url


def test_manager_cannot_open_the_cohort_admin(client, manager):
    client.force_login(manager)
    response = client.get("/admin/quizzes/cohort/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
