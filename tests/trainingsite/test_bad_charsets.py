"""Forms sent in a character set other than UTF-8 get the styled 400 page, never a 500.

Real requests through the whole middleware stack, with CSRF enforced as a browser
meets it: a raw body with its own Content-Type. Before the fix, Django refused the
body (BadRequest) and its own 400 handler, which runs the CSRF check again, read
the body a second time and failed with a 500.
"""

import pytest
from django.test import Client

from tests.builders import TEST_PASSWORD
from trainingsite.middleware import FORM_CHARSET_REFUSED

pytestmark = pytest.mark.django_db

PAGE_400 = "That request could not be understood"
URLENCODED = "application/x-www-form-urlencoded"
# The charsets an outside probe sent, and one no codec knows.
NON_UTF8_CHARSETS = ["iso-8859-1", "utf-16", "windows-1252", "us-ascii", "x-nonsense"]


def _csrf_client(user=None) -> tuple[Client, str]:
    """A client that enforces CSRF like a browser, holding a valid CSRF cookie."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.get("/accounts/login/")
    return client, client.cookies["csrftoken"].value


def _encode(text: str, charset: str) -> bytes:
    try:
        return text.encode(charset, errors="replace")
    except LookupError:  # a charset no codec knows: send Latin-1 bytes under its name
        return text.encode("latin-1")


def _post(client: Client, path: str, fields: str, charset: str, token: str = ""):
    return client.generic(
        "POST",
        path,
        data=_encode(fields, charset),
        content_type=f"{URLENCODED}; charset={charset}",
        HTTP_X_CSRFTOKEN=token,
    )


def _assert_refused(response) -> None:
    assert response.status_code == 400
    body = response.content.decode()
    assert PAGE_400 in body
    assert FORM_CHARSET_REFUSED in body
    assert 'role="alert"' in body
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("charset", NON_UTF8_CHARSETS)
def test_login_form_in_another_charset_gets_the_400_page(trainee, charset):
    client, token = _csrf_client()
    fields = f"csrfmiddlewaretoken={token}&username=tara&password=caf\u00e9"
    _assert_refused(_post(client, "/accounts/login/", fields, charset, token))


@pytest.mark.parametrize("charset", NON_UTF8_CHARSETS)
def test_admin_form_in_another_charset_gets_the_400_page(superuser, charset):
    client, token = _csrf_client(superuser)
    fields = f"csrfmiddlewaretoken={token}&title=Caf\u00e9&slug=cafe"
    _assert_refused(_post(client, "/admin/quizzes/quiz/add/", fields, charset, token))


@pytest.mark.parametrize("charset", NON_UTF8_CHARSETS)
def test_admin_login_in_another_charset_gets_the_400_page(superuser, charset):
    client, token = _csrf_client()
    fields = f"csrfmiddlewaretoken={token}&username=root&password=caf\u00e9"
    _assert_refused(_post(client, "/admin/login/", fields, charset, token))


@pytest.mark.parametrize("charset", NON_UTF8_CHARSETS)
def test_signed_in_form_in_another_charset_gets_the_400_page(trainee, charset):
    client, token = _csrf_client(trainee)
    fields = f"csrfmiddlewaretoken={token}&old_password=x&new_password1=caf\u00e9"
    _assert_refused(_post(client, "/accounts/password_change/", fields, charset, token))


@pytest.mark.parametrize("charset", NON_UTF8_CHARSETS)
def test_a_post_that_would_fail_csrf_gets_the_400_page(trainee, charset):
    """No token at all (the CSRF-failure path): the charset is refused first, still a 400."""
    client, _token = _csrf_client()
    _assert_refused(_post(client, "/accounts/login/", "username=tara&password=x", charset))


@pytest.mark.parametrize("charset", NON_UTF8_CHARSETS)
def test_a_post_to_an_unknown_page_in_another_charset_gets_the_400_page(charset):
    client, token = _csrf_client()
    _assert_refused(_post(client, "/no-such-page/", "a=caf\u00e9", charset, token))


@pytest.mark.parametrize("charset", ["iso-8859-1", "x-nonsense"])
def test_a_multipart_form_in_another_charset_gets_the_400_page(superuser, charset):
    client, token = _csrf_client(superuser)
    boundary = "BoUnDaRy"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{token}\r\n--{boundary}--\r\n"
    ).encode("latin-1")
    response = client.generic(
        "POST",
        "/admin/quizzes/question/add/",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}; charset={charset}",
        HTTP_X_CSRFTOKEN=token,
    )
    _assert_refused(response)


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "utf8", "UTF_8"])
def test_utf8_under_any_spelling_still_logs_in(trainee, charset):
    client, token = _csrf_client()
    fields = f"csrfmiddlewaretoken={token}&username=tara&password={TEST_PASSWORD}"
    response = _post(client, "/accounts/login/", fields, charset, token)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(trainee.pk)


def test_a_form_without_a_charset_is_read_as_utf8(trainee):
    client, token = _csrf_client()
    response = client.generic(
        "POST",
        "/accounts/login/",
        data=f"csrfmiddlewaretoken={token}&username=tara&password={TEST_PASSWORD}".encode(),
        content_type=URLENCODED,
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 302


def test_a_body_django_cannot_parse_gets_the_400_page_not_a_500(trainee):
    """The 400 handler itself never reads the body again (here: too many fields)."""
    client, token = _csrf_client()
    fields = "&".join(f"f{i}=1" for i in range(1_500))
    response = client.generic(
        "POST",
        "/accounts/login/",
        data=fields.encode(),
        content_type=URLENCODED,
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 400
    assert PAGE_400 in response.content.decode()
