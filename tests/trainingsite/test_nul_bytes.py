"""NUL bytes and other control characters get the styled 400 page, never a 500.

PostgreSQL refuses NUL in any text, so before the fix every path, filter, search
or form value that reached a query with a NUL answered 500 there (and 200 or
404 on SQLite). The suite runs again on PostgreSQL in CI, where these tests also
prove that no such value reaches the database.
"""

import pytest
from django.test import Client

from tests.builders import TEST_PASSWORD, make_trainee
from trainingsite.middleware import CONTROL_CHARACTER_REFUSED

pytestmark = pytest.mark.django_db

PAGE_400 = "That request could not be understood"

ANONYMOUS_PATHS = [
    "/reports/join/%00/",
    "/reports/join/ABCD%00EFGH/",
    "/certificates/verify/%00/",
    "/certificates/verify/?code=%00",
    "/lessons/%00/",
    "/quizzes/%00/",
    "/accounts/reset/%00/set-password/",
    "/?next=%00",
    "/accounts/login/?next=/me/%00",
    "/reports/join/%01/",
    "/reports/join/%1F/",
    "/reports/join/a%09b/",
]
ADMIN_PATHS = [
    "/admin/quizzes/question/?kind__exact=%00",
    "/admin/quizzes/question/?status__exact=%00",
    "/admin/quizzes/attempt/?state__exact=%00",
    "/admin/quizzes/attempt/?kind__exact=%00",
    "/admin/quizzes/quiz/?status__exact=%00",
    "/admin/quizzes/program/?status__exact=%00",
    "/admin/trainingsite/auditevent/?action__exact=%00",
    "/admin/quizzes/reminder/?event__exact=%00",
    "/admin/lessons/lesson/?status__exact=%00",
    "/admin/quizzes/question/?q=%00",
    "/admin/auth/user/?q=a%00b",
    "/admin/quizzes/question/%00/change/",
    "/admin/quizzes/question/?o=%00",
    "/admin/quizzes/question/?%00=1",
]


def _assert_refused(response) -> None:
    assert response.status_code == 400
    body = response.content.decode()
    assert PAGE_400 in body
    assert CONTROL_CHARACTER_REFUSED in body


@pytest.mark.parametrize("path", ANONYMOUS_PATHS)
def test_a_control_character_in_a_path_or_query_gets_the_400_page(client, path):
    _assert_refused(client.get(path))


@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_a_nul_in_an_admin_filter_or_search_gets_the_400_page(client, superuser, path):
    client.force_login(superuser)
    _assert_refused(client.get(path))


@pytest.mark.parametrize("path", ["/me/", "/reports/?cohort=%00", "/reports/trainees/?q=%00"])
def test_a_nul_on_a_signed_in_page_gets_the_400_page(manager_client, path):
    _assert_refused(manager_client.get(path.replace("/me/", "/me/%00")))


@pytest.mark.parametrize(
    "fields",
    [
        {"username": "ta\x00ra", "password": "x"},
        {"username": "tara", "password": "x\x00"},
        {"username": "tara", "password": "x", "next": "/me/\x00"},
        {"username\x00": "tara", "password": "x"},
        {"username": "tara\x07", "password": "x"},
    ],
)
def test_a_control_character_in_a_form_field_gets_the_400_page(client, trainee, fields):
    _assert_refused(client.post("/accounts/login/", fields))


def test_a_nul_in_a_multipart_form_gets_the_400_page(client, superuser):
    client.force_login(superuser)
    response = client.post("/admin/quizzes/question/add/", {"key": "a\x00b", "prompt": "x"})
    _assert_refused(response)


def test_a_nul_in_the_session_cookie_gets_the_400_page(client):
    """A quoted cookie may carry octal escapes; "\\000" is a NUL once parsed."""
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    _assert_refused(client.get("/me/"))


def test_a_quoted_nul_in_a_raw_cookie_header_gets_the_400_page(client):
    _assert_refused(client.get("/me/", HTTP_COOKIE='sessionid="abcdefgh\\000ijklmnop"'))


def test_tabs_and_line_breaks_in_typed_text_still_pass(client, trainee):
    make_trainee(username="ta\tra")
    response = client.post("/accounts/login/", {"username": "ta\tra", "password": "x\r\ny"})
    assert response.status_code == 200  # the ordinary "wrong password" form
    assert CONTROL_CHARACTER_REFUSED not in response.content.decode()


def test_an_ordinary_login_still_works(trainee):
    client = Client()
    response = client.post("/accounts/login/", {"username": "tara", "password": TEST_PASSWORD})
    assert response.status_code == 302
