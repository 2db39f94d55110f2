"""Under /api/ the request checks answer RFC 9457 problems; the pages keep their 400 page."""

import json

import pytest

from quizzes.api.problems import PROBLEM_CONTENT_TYPE, problem_body
from tests.api.conftest import bearer, token_for
from trainingsite.middleware import (
    API_BAD_ENCODING_REFUSED,
    API_CONTROL_CHARACTER_REFUSED,
    API_FORM_CHARSET_REFUSED,
    API_FORM_UNREADABLE,
    BAD_REQUEST_PROBLEM_TYPE,
    CONTROL_CHARACTER_REFUSED,
    bad_request_problem_response,
)
from trainingsite.middleware import (
    PROBLEM_CONTENT_TYPE as MIDDLEWARE_PROBLEM_CONTENT_TYPE,
)

pytestmark = pytest.mark.django_db

CONTROL_PATHS = [
    "/api/v1/trainees?x=%00",
    "/api/v1/trainees?cursor=a%00b",
    "/api/v1/trainees?%00=1",
    "/api/v1/trainees%00",
    "/api/v1/trainees/%00/",
    "/api/v1/trainees?x=%01",
]
ENCODING_PATHS = [
    "/api/v1/trainees?x=%ff",  # not UTF-8
    "/api/v1/trainees?x=%e2%82",  # a cut UTF-8 sequence
    "/api/v1/trainees?x=%zz",  # not an escape
    "/api/v1/trainees?x=100%",
    "/api/v1/trainees/%ff/",
    "/api/v1/%c3%28",
]


def _assert_problem(response, detail: str) -> None:
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert response["Cache-Control"] == "no-store"
    assert json.loads(response.content) == problem_body(400, detail)


def test_the_middlewares_problem_is_the_apis_own_shape():
    response = bad_request_problem_response("Why.")
    assert MIDDLEWARE_PROBLEM_CONTENT_TYPE == PROBLEM_CONTENT_TYPE
    assert json.loads(response.content) == problem_body(400, "Why.")
    assert problem_body(400, "Why.")["type"] == BAD_REQUEST_PROBLEM_TYPE


@pytest.mark.parametrize("path", CONTROL_PATHS)
def test_a_control_character_under_api_is_a_problem(client, path):
    _assert_problem(client.get(path), API_CONTROL_CHARACTER_REFUSED)


@pytest.mark.parametrize("path", ENCODING_PATHS)
def test_bad_percent_encoding_under_api_is_a_problem(client, path):
    _assert_problem(client.get(path), API_BAD_ENCODING_REFUSED)


def test_a_token_holder_gets_the_problem_before_any_view(client, manager):
    auth = bearer(token_for(manager))
    _assert_problem(client.get("/api/v1/trainees?x=%00", **auth), API_CONTROL_CHARACTER_REFUSED)
    _assert_problem(client.get("/api/v1/trainees?x=%ff", **auth), API_BAD_ENCODING_REFUSED)
    # Well-formed escapes of UTF-8 are read as ever.
    assert client.get("/api/v1/trainees?x=%C3%A9&y=a+b%2B", **auth).status_code == 200


def test_a_control_character_in_a_cookie_or_a_form_under_api_is_a_problem(client):
    client.cookies["junk"] = "a\x01b"
    _assert_problem(client.get("/api/v1/trainees"), API_CONTROL_CHARACTER_REFUSED)
    del client.cookies["junk"]
    _assert_problem(client.post("/api/v1/trainees", {"x": "a\x00b"}), API_CONTROL_CHARACTER_REFUSED)
    response = client.post(
        "/api/v1/trainees", "x=1", content_type="application/x-www-form-urlencoded; charset=latin-1"
    )
    _assert_problem(response, API_FORM_CHARSET_REFUSED)


def test_an_unreadable_form_body_under_api_is_a_problem_and_a_page_keeps_djangos_400(client):
    broken = {"data": "--x\r\n", "content_type": "multipart/form-data"}  # no boundary
    _assert_problem(client.post("/api/v1/cohorts/1/invitations", **broken), API_FORM_UNREADABLE)
    response = client.post("/accounts/login/", **broken)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/lessons/%00/", "/certificates/verify/?code=%00"])
def test_the_pages_keep_their_400_page(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert CONTROL_CHARACTER_REFUSED in response.content.decode()


def test_the_pages_still_read_bad_percent_encoding_as_before(client):
    # Only the API refuses it: a page reads U+FFFD, as Django always has.
    assert client.get("/accounts/login/?next=%ff").status_code == 200
