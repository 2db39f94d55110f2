"""Accessible markup on the site's own pages: landmarks, skip link, headings, labelled controls."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

LABELLED_INPUT_TYPES_EXEMPT = {"hidden", "submit", "button", "reset", "image"}


class PageStructure(HTMLParser):
    """Collect what the checks need from one HTML page."""

    def __init__(self):
        super().__init__()
        self.html_lang = None
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.label_for: set[str] = set()
        self.first_link: dict[str, str | None] | None = None
        self.h1_count = 0
        self._open_label_depth = 0
        self.controls: list[tuple[str, dict[str, str | None], bool]] = []
        self._button_open: dict[str, str | None] | None = None
        self._button_text = ""
        self.unnamed_buttons: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if tag == "a" and self.first_link is None:
            self.first_link = attributes
        if tag == "h1":
            self.h1_count += 1
        if tag == "label":
            self._open_label_depth += 1
            if attributes.get("for"):
                self.label_for.add(attributes["for"])
        if tag in ("input", "select", "textarea"):
            if tag != "input" or attributes.get("type", "text") not in LABELLED_INPUT_TYPES_EXEMPT:
                self.controls.append((tag, attributes, self._open_label_depth > 0))
        if tag == "button":
            self._button_open = attributes
            self._button_text = ""

    def handle_endtag(self, tag):
        if tag == "label":
            self._open_label_depth -= 1
        if tag == "button" and self._button_open is not None:
            named = self._button_text.strip() or self._button_open.get("aria-label")
            if not named:
                self.unnamed_buttons.append(self._button_open)
            self._button_open = None

    def handle_data(self, data):
        if self._button_open is not None:
            self._button_text += data

    def has(self, tag: str, **wanted: str) -> bool:
        return any(
            t == tag and all(a.get(k.replace("_", "-")) == v for k, v in wanted.items())
            for t, a in self.tags
        )

    def unlabelled_controls(self) -> list[dict[str, str | None]]:
        return [
            attributes
            for _, attributes, wrapped in self.controls
            if not (
                wrapped
                or attributes.get("id") in self.label_for
                or attributes.get("aria-label")
                or attributes.get("aria-labelledby")
            )
        ]


def structure(response) -> PageStructure:
    parser = PageStructure()
    parser.feed(response.content.decode())
    return parser


def assert_accessible(response) -> None:
    page = structure(response)
    assert page.html_lang == "en"
    assert page.first_link is not None and page.first_link.get("href") == "#main", (
        "the skip link must be the first link"
    )
    assert page.has("main", id="main")
    assert page.has("header")
    assert page.has("footer")
    assert page.has("nav", aria_label="Main navigation")
    assert page.h1_count == 1
    assert page.unlabelled_controls() == []
    assert page.unnamed_buttons == []
    assert all("alt" in a for t, a in page.tags if t == "img")


@pytest.mark.parametrize(
    "url",
    [
        "/",
        reverse("login"),
        reverse("password_reset"),
        reverse("password_reset_done"),
        "/no-such-page/",
    ],
)
def test_public_pages_are_accessible(client, url):
    response = client.get(url)
    assert_accessible(response)


@pytest.mark.parametrize(
    ("persona", "url_name"),
    [
        ("trainee", "trainee_home"),
        ("trainee", "password_change"),
        ("educator", "educator_home"),
        ("manager", "manager_home"),
    ],
)
def test_signed_in_pages_are_accessible(client, request, persona, url_name):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert_accessible(response)


def test_forbidden_page_is_accessible(trainee_client):
    response = trainee_client.get(reverse("manager_home"))
    assert response.status_code == 403
    assert_accessible(response)


def test_lockout_page_is_accessible(client, trainee):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "tara", "password": "wrong"})
    assert response.status_code == 429
    assert_accessible(response)


def test_login_form_errors_are_announced(client, trainee):
    response = client.post(reverse("login"), {"username": "tara", "password": "wrong"})
    assert structure(response).has("div", role="alert")
    assert response.content.decode().count("Please enter a correct username and password") == 1


def test_focus_is_visible_for_keyboard_users():
    css = (Path(settings.BASE_DIR) / "trainingsite/static/css/site.css").read_text()
    assert "a:focus-visible" in css
    assert "outline: 3px solid" in css


def test_the_checker_catches_an_unlabelled_control():
    page = PageStructure()
    page.feed('<label for="a">A</label><input id="a"><input id="b" name="b">')
    assert page.unlabelled_controls() == [{"id": "b", "name": "b"}]
