import pytest
from django.test import Client
from django.urls import reverse

from lessons.forms import LESSON_PREVIEW_MAX_CHARS, LESSON_PREVIEW_TOO_LONG
from lessons.markdown import render_lesson_markdown
from lessons.models import Lesson
from tests.builders import UserFactory, make_lesson, make_topic
from trainingsite.middleware import CONTROL_CHARACTER_REFUSED

pytestmark = pytest.mark.django_db

URL = reverse("admin:lessons_lesson_preview_unsaved")
BODY = '!!! red-flag "Stop"\n    Bleeding that does not slow.\n\n<script>alert(1)</script>\n'


def _form(topic, **overrides) -> dict:
    return {
        "topic": topic.pk,
        "title": "Edited title, not saved",
        "slug": "cold-compress",
        "summary": "A summary typed just now.",
        "objectives": "Apply a cold compress safely.",
        "reading_minutes": "4",
        "order": "1",
        "status": Lesson.Status.PUBLISHED,
        "body_markdown": BODY,
        **overrides,
    }


def test_preview_renders_the_unsaved_body_as_the_lesson_page_would(educator_client):
    lesson = make_lesson("cold-compress", title="Saved title", status=Lesson.Status.PUBLISHED)
    saved = (lesson.title, lesson.body_markdown, lesson.body_html)

    response = educator_client.post(URL, _form(lesson.topic))

    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == [
        "lessons/preview_unsaved.html",
        "lessons/detail.html",
    ]
    html = response.content.decode()
    assert "Edited title, not saved" in html
    assert render_lesson_markdown(BODY) in html
    assert '<div class="admonition red-flag">' in html
    assert "<script>alert(1)</script>" not in html
    assert 'data-testid="unsaved-preview-banner"' in html
    lesson.refresh_from_db()
    assert (lesson.title, lesson.body_markdown, lesson.body_html) == saved


def test_preview_of_a_new_lesson_without_a_topic_works(educator_client):
    response = educator_client.post(URL, {"title": "", "body_markdown": "# Draft"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "No topic chosen yet" in html
    assert 'data-testid="draft-banner"' in html
    assert Lesson.objects.count() == 0


def test_preview_names_unclosed_html_that_saving_would_refuse(educator_client):
    topic = make_topic()
    response = educator_client.post(URL, _form(topic, body_markdown="Text\n\n<svg>\n\nMore"))
    assert response.status_code == 200
    assert 'data-testid="preview-problems"' in response.content.decode()


def test_oversized_body_is_refused_with_a_message(educator_client):
    topic = make_topic()
    body = "x" * (LESSON_PREVIEW_MAX_CHARS + 1)
    response = educator_client.post(URL, _form(topic, body_markdown=body))
    assert response.status_code == 400
    html = response.content.decode()
    assert LESSON_PREVIEW_TOO_LONG.format(limit=LESSON_PREVIEW_MAX_CHARS) in html
    assert 'role="alert"' in html


def test_nul_in_the_body_is_refused_with_a_message(educator_client):
    topic = make_topic()
    response = educator_client.post(URL, _form(topic, body_markdown="a\x00b"))
    assert response.status_code == 400
    assert CONTROL_CHARACTER_REFUSED in response.content.decode()


def test_unknown_topic_is_refused_with_a_message(educator_client):
    response = educator_client.post(URL, {"topic": "999999", "body_markdown": "x"})
    assert response.status_code == 400
    assert 'data-testid="preview-refused"' in response.content.decode()


def test_preview_is_post_only(educator_client):
    assert educator_client.get(URL).status_code == 405


def test_preview_needs_a_csrf_token(educator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(educator)
    assert client.post(URL, {"body_markdown": "x"}).status_code == 403


def test_staff_without_lesson_permissions_are_refused():
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    assert client.post(URL, {"body_markdown": "x"}).status_code == 403


@pytest.mark.parametrize("persona", ["trainee", "manager"])
def test_non_staff_are_sent_to_the_admin_log_in(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(URL, {"body_markdown": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_change_and_add_pages_offer_the_preview_button_after_save(educator_client):
    lesson = make_lesson("cold-compress")
    for url in (
        reverse("admin:lessons_lesson_change", args=[lesson.pk]),
        reverse("admin:lessons_lesson_add"),
    ):
        html = educator_client.get(url).content.decode()
        button = html.index('data-testid="lesson-preview-unsaved"')
        assert f'formaction="{URL}"' in html and 'formtarget="_blank"' in html
        assert html.index('name="_save"') < button  # Enter still saves
