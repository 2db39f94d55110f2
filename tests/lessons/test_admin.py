import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from lessons.models import Lesson, Topic
from lessons.services import EMPTY_BODY_CANNOT_BE_PUBLISHED
from tests.builders import UserFactory, make_lesson, make_topic
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:lessons_lesson_changelist"


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _lesson_form(topic: Topic, **overrides) -> dict:
    data = {
        "topic": topic.pk,
        "title": "Cold compress after treatment",
        "slug": "cold-compress",
        "summary": "When and how to use a cold compress.",
        "objectives": "Apply a cold compress safely.",
        "reading_minutes": 4,
        "order": 1,
        "status": Lesson.Status.PUBLISHED,
        "body_markdown": '!!! red-flag "Stop"\n    Bleeding that does not slow.\n',
    }
    return {**data, **overrides}


def test_educator_sees_the_lesson_list_with_its_columns(educator_client):
    make_lesson(title="Listed lesson")
    response = educator_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Listed lesson" in html
    for column in ("column-topic", "column-order", "column-status", "column-updated_at"):
        assert column in html
    assert response.context["cl"].model_admin.list_filter == ["topic", "status"]


def test_educator_search_finds_a_lesson_by_title(educator_client):
    make_lesson(title="Pressure and depth")
    make_lesson(title="Aftercare")
    response = educator_client.get(reverse(CHANGELIST), {"q": "pressure"})
    assert [lesson.title for lesson in response.context["cl"].result_list] == ["Pressure and depth"]


def test_educator_adds_a_published_lesson_through_the_admin(educator_client, educator):
    topic = make_topic()
    response = educator_client.post(reverse("admin:lessons_lesson_add"), _lesson_form(topic))
    assert response.status_code == 302
    lesson = Lesson.objects.get(slug="cold-compress")
    assert lesson.updated_by == educator
    assert lesson.status == Lesson.Status.PUBLISHED
    assert '<div class="admonition red-flag">' in lesson.body_html
    event = AuditEvent.objects.get(action=AuditEvent.Action.CONTENT_PUBLISHED)
    assert event.actor == educator
    assert event.target_id == str(lesson.pk)


def test_admin_refuses_to_publish_an_empty_body(educator_client):
    topic = make_topic()
    response = educator_client.post(
        reverse("admin:lessons_lesson_add"), _lesson_form(topic, body_markdown="   ")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["body_markdown"] == [
        EMPTY_BODY_CANNOT_BE_PUBLISHED
    ]
    assert Lesson.objects.count() == 0


def test_admin_saves_an_empty_draft(educator_client):
    topic = make_topic()
    response = educator_client.post(
        reverse("admin:lessons_lesson_add"),
        _lesson_form(topic, body_markdown="", status=Lesson.Status.DRAFT),
    )
    assert response.status_code == 302
    assert Lesson.objects.get().status == Lesson.Status.DRAFT


def test_educator_adds_a_topic_through_the_admin(educator_client):
    response = educator_client.post(
        reverse("admin:lessons_topic_add"),
        {"title": "Aftercare", "slug": "aftercare", "description": "", "order": 4},
    )
    assert response.status_code == 302
    assert Topic.objects.get().slug == "aftercare"


def test_educator_cannot_delete_lessons(educator_client):
    lesson = make_lesson()
    response = educator_client.get(reverse("admin:lessons_lesson_delete", args=[lesson.pk]))
    assert response.status_code == 403


def test_publish_action_publishes_selected_drafts(educator_client, educator):
    drafts = [make_lesson(status=Lesson.Status.DRAFT) for _ in range(2)]
    response = educator_client.post(
        reverse(CHANGELIST),
        {"action": "publish_selected", "_selected_action": [lesson.pk for lesson in drafts]},
    )
    assert response.status_code == 302
    assert _messages(response) == ["Published 2 lessons."]
    assert Lesson.objects.filter(status=Lesson.Status.PUBLISHED).count() == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CONTENT_PUBLISHED).count() == 2


def test_publish_action_refuses_an_empty_body(educator_client):
    draft = make_lesson(status=Lesson.Status.DRAFT, title="Blank", body_markdown="")
    response = educator_client.post(
        reverse(CHANGELIST), {"action": "publish_selected", "_selected_action": [draft.pk]}
    )
    assert response.status_code == 302
    assert _messages(response) == [
        f"{EMPTY_BODY_CANNOT_BE_PUBLISHED} Write a body first for: Blank."
    ]
    draft.refresh_from_db()
    assert draft.status == Lesson.Status.DRAFT


def test_unpublish_action_returns_lessons_to_draft(educator_client):
    lesson = make_lesson()
    response = educator_client.post(
        reverse(CHANGELIST), {"action": "unpublish_selected", "_selected_action": [lesson.pk]}
    )
    assert _messages(response) == ["Unpublished 1 lesson."]
    lesson.refresh_from_db()
    assert lesson.status == Lesson.Status.DRAFT
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CONTENT_UNPUBLISHED).count() == 1


def test_change_page_links_to_the_preview(educator_client):
    lesson = make_lesson()
    html = educator_client.get(
        reverse("admin:lessons_lesson_change", args=[lesson.pk])
    ).content.decode()
    assert f'href="{reverse("admin:lessons_lesson_preview", args=[lesson.pk])}"' in html


def test_preview_renders_a_draft_as_trainees_will_see_it(educator_client):
    draft = make_lesson(
        status=Lesson.Status.DRAFT, body_markdown="Hello <script>alert(1)</script>**there**"
    )
    response = educator_client.get(reverse("admin:lessons_lesson_preview", args=[draft.pk]))
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "lessons/detail.html"
    html = response.content.decode()
    assert "<p>Hello <strong>there</strong></p>" in html
    assert "alert(1)" not in html
    assert 'data-testid="preview-banner"' in html
    assert "Draft — not visible to trainees" in html


@pytest.mark.parametrize("persona", ["trainee", "manager"])
def test_trainees_and_managers_cannot_reach_the_admin(client, request, persona):
    lesson = make_lesson(status=Lesson.Status.DRAFT)
    client.force_login(request.getfixturevalue(persona))
    for url in (
        reverse("admin:index"),
        reverse(CHANGELIST),
        reverse("admin:lessons_lesson_add"),
        reverse("admin:lessons_lesson_preview", args=[lesson.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login")), url


def test_trainee_post_to_the_admin_adds_nothing(trainee_client):
    topic = make_topic()
    response = trainee_client.post(reverse("admin:lessons_lesson_add"), _lesson_form(topic))
    assert response.status_code == 302
    assert Lesson.objects.count() == 0


def test_anonymous_preview_is_sent_to_the_admin_log_in(client):
    lesson = make_lesson()
    response = client.get(reverse("admin:lessons_lesson_preview", args=[lesson.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_preview_of_a_missing_lesson_is_404(educator_client):
    assert (
        educator_client.get(reverse("admin:lessons_lesson_preview", args=[999999])).status_code
        == 404
    )


def test_staff_without_lesson_permissions_cannot_preview(client):
    lesson = make_lesson()
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("admin:lessons_lesson_preview", args=[lesson.pk]))
    assert response.status_code == 403
