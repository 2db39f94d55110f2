"""The site's icon and the way back to log in from every password-reset page."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "trainingsite/static"


def _back_to_log_in(body: str) -> bool:
    """Whether the page's own content (not the navbar) links to the log-in page."""
    block = re.search(r'data-testid="back-to-login"[^>]*>(.*?)</p>', body, re.S)
    return block is not None and f'href="{reverse("login")}"' in block.group(1)


def test_favicon_ico_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.ico")


def test_the_static_icon_is_served(client):
    response = client.get(static("favicon.ico"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_icon_files_are_what_their_names_say():
    assert (STATIC / "favicon-32.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (STATIC / "apple-touch-icon.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (STATIC / "favicon.svg").read_text().startswith("<svg ")


def test_every_page_names_its_icons(client):
    body = client.get(reverse("login")).content.decode()
    assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in body
    assert f'href="{static("favicon-32.png")}" type="image/png" sizes="32x32"' in body


@pytest.mark.parametrize(
    "url_name", ["password_reset", "password_reset_done", "password_reset_complete"]
)
def test_reset_pages_link_back_to_log_in(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert _back_to_log_in(response.content.decode()) is True


def test_an_invalid_reset_link_offers_a_new_one_and_log_in(client):
    url = reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "not-a-token"})
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "This password reset link is no longer valid" in body
    assert f'href="{reverse("password_reset")}"' in body
    assert _back_to_log_in(body) is True


def test_reset_done_page_offers_another_link(client):
    body = client.get(reverse("password_reset_done")).content.decode()
    assert f'href="{reverse("password_reset")}">ask for another link</a>' in body
