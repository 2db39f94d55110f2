import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lessons.models import Lesson, LessonCompletion
from lessons.services import DRAFT_CANNOT_BE_COMPLETED
from lessons.views import LESSON_ALREADY_COMPLETE, LESSON_MARKED_COMPLETE
from tests.builders import complete_lesson, make_lesson, make_topic

pytestmark = pytest.mark.django_db

DRAFT_BANNER = "Draft — not visible to trainees"


@pytest.fixture
def published():
    topic = make_topic(title="Why bleeding occurs", order=1)
    return make_lesson(
        topic=topic,
        title="Why microneedling causes bleeding",
        slug="why-it-bleeds",
        summary="Where the blood comes from.",
        objectives="Explain capillaries.\nDescribe pinpoint bleeding.",
        reading_minutes=7,
        order=1,
    )


@pytest.fixture
def draft(published):
    return make_lesson(
        topic=published.topic,
        title="Unfinished lesson",
        slug="unfinished",
        order=2,
        status=Lesson.Status.DRAFT,
    )


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("method", "name"),
    [("get", "lessons:index"), ("get", "lessons:detail"), ("post", "lessons:complete")],
)
def test_anonymous_is_sent_to_log_in(client, published, method, name):
    url = reverse(name) if name == "lessons:index" else reverse(name, args=[published.slug])
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_index_groups_lessons_with_summary_reading_time_and_progress(
    trainee_client, published, draft
):
    response = trainee_client.get(reverse("lessons:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h2 id="topic-' in html and "Why bleeding occurs</h2>" in html
    assert "Why microneedling causes bleeding" in html
    assert "Where the blood comes from." in html
    assert "7 min read" in html
    assert "Unfinished lesson" not in html
    assert "0 of 1 lesson completed (0%)" in html
    assert 'aria-valuenow="0"' in html
    assert 'aria-valuemax="1"' in html
    assert "Not completed yet" in html


def test_index_shows_the_tick_with_a_text_alternative_once_completed(
    trainee_client, trainee, published
):
    complete_lesson(user=trainee, lesson=published)
    html = trainee_client.get(reverse("lessons:index")).content.decode()
    assert 'data-testid="completed-tick"' in html
    assert '<span class="visually-hidden">Completed</span>' in html
    assert "1 of 1 lesson completed (100%)" in html
    assert 'aria-valuenow="1"' in html


def test_index_marks_drafts_for_educators(educator_client, draft):
    html = educator_client.get(reverse("lessons:index")).content.decode()
    assert "Unfinished lesson" in html
    assert '<span class="badge text-bg-warning ms-1">Draft</span>' in html


def _index_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("lessons:index"))
    assert response.status_code == 200
    return len(context.captured_queries)


def test_index_query_count_is_the_same_for_3_and_60_lessons(trainee_client, trainee):
    topics = [make_topic() for _ in range(3)]
    for n in range(3):
        complete_lesson(user=trainee, lesson=make_lesson(topic=topics[n]))
    small = _index_queries(trainee_client)
    for n in range(57):
        lesson = make_lesson(topic=topics[n % 3])
        if n % 2:
            complete_lesson(user=trainee, lesson=lesson)
    assert Lesson.objects.count() == 60
    assert _index_queries(trainee_client) == small


def test_detail_shows_body_objectives_and_complete_button(trainee_client, published):
    response = trainee_client.get(published.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div class="admonition key-points">' in html
    assert "<li>Explain capillaries.</li>" in html
    assert f'action="{reverse("lessons:complete", args=[published.slug])}"' in html
    assert ">Mark as complete</button>" in html
    assert DRAFT_BANNER not in html


def test_detail_body_never_carries_script(trainee_client):
    lesson = make_lesson(body_markdown='Hi <script>alert("x")</script><img src=x onerror=alert(1)>')
    html = trainee_client.get(lesson.get_absolute_url()).content.decode()
    assert 'alert("x")' not in html
    assert "onerror" not in html


@pytest.mark.parametrize("persona", ["trainee", "other_trainee", "manager"])
def test_draft_is_404_for_non_educators(client, request, draft, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.post(reverse("lessons:complete", args=[draft.slug])).status_code == 404
    assert LessonCompletion.objects.count() == 0


def test_educator_sees_draft_with_banner_and_no_complete_button(educator_client, draft):
    response = educator_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert DRAFT_BANNER in html
    assert "Mark as complete" not in html


def test_educator_cannot_complete_a_draft(educator_client, draft):
    response = educator_client.post(reverse("lessons:complete", args=[draft.slug]))
    assert response.status_code == 302
    assert _messages(response) == [DRAFT_CANNOT_BE_COMPLETED]
    assert LessonCompletion.objects.count() == 0


def test_unknown_lesson_is_404(trainee_client):
    assert trainee_client.get(reverse("lessons:detail", args=["nope"])).status_code == 404


def test_complete_twice_records_one_completion(trainee_client, trainee, published):
    url = reverse("lessons:complete", args=[published.slug])
    first = trainee_client.post(url)
    assert first.status_code == 302
    assert first.url == published.get_absolute_url()
    assert _messages(first) == [LESSON_MARKED_COMPLETE]
    trainee_client.get(first.url)  # shows, and so consumes, the first message
    second = trainee_client.post(url)
    assert second.status_code == 302
    assert _messages(second) == [LESSON_ALREADY_COMPLETE]
    assert LessonCompletion.objects.filter(user=trainee, lesson=published).count() == 1


def test_get_on_complete_is_405(trainee_client, published):
    response = trainee_client.get(reverse("lessons:complete", args=[published.slug]))
    assert response.status_code == 405
    assert LessonCompletion.objects.count() == 0


def test_completed_lesson_shows_its_date_instead_of_the_button(trainee_client, trainee, published):
    complete_lesson(user=trainee, lesson=published)
    html = trainee_client.get(published.get_absolute_url()).content.decode()
    assert f"Completed on {timezone.localdate():%-d %B %Y}" in html
    assert "Mark as complete" not in html


def test_completion_is_per_trainee(client, trainee, other_trainee, published):
    complete_lesson(user=trainee, lesson=published)
    client.force_login(other_trainee)
    html = client.get(published.get_absolute_url()).content.decode()
    assert ">Mark as complete</button>" in html


def test_detail_links_previous_and_next_across_topics(trainee_client, published, draft):
    second_topic = make_topic(title="Managing bleeding", order=2)
    last = make_lesson(topic=second_topic, title="Managing it", slug="managing-it", order=1)
    first_html = trainee_client.get(published.get_absolute_url()).content.decode()
    assert 'rel="prev"' not in first_html
    # The draft in between is skipped for a trainee.
    assert f'<a href="{last.get_absolute_url()}" rel="next">Next: Managing it' in first_html
    last_html = trainee_client.get(last.get_absolute_url()).content.decode()
    assert (
        f'<a href="{published.get_absolute_url()}" rel="prev"><span aria-hidden="true">←</span> '
        "Previous: Why microneedling causes bleeding</a>"
    ) in last_html
    assert 'rel="next"' not in last_html
