"""Lessons changed in a way trainees must re-read: the flag, the re-read, what trainees see."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lessons.models import Lesson, LessonCompletion
from lessons.progress import completion_needs_reread
from lessons.services import CompletionOutcome, lesson_complete, lesson_save
from lessons.views import (
    LESSON_ALREADY_COMPLETE,
    LESSON_MARKED_COMPLETE,
    LESSON_MARKED_READ_AGAIN,
)
from tests.builders import lesson_admin_form, make_lesson, make_topic
from trainingsite.models import AuditEvent

REREAD_FLAGGED = AuditEvent.Action.CONTENT_REREAD_REQUIRED
DETAIL_BADGE = "Updated since you read it"
INDEX_BADGE = "Changed — read again"
BUTTON = ">Mark as complete</button>"
CHECKBOX_LABEL = "Material change: trainees must re-read this change"

READ = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
CHANGED = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _completed(user, lesson, at) -> LessonCompletion:
    return LessonCompletion.objects.create(user=user, lesson=lesson, completed_at=at)


def _changed(lesson, at=CHANGED) -> Lesson:
    Lesson.objects.filter(pk=lesson.pk).update(content_changed_at=at)
    lesson.refresh_from_db()
    return lesson


# The rule (pure: no database) --------------------------------------------------------


@pytest.mark.parametrize(
    ("completed_at", "content_changed_at", "expected"),
    [
        (None, None, False),
        (None, CHANGED, False),
        (READ, None, False),
        (READ, CHANGED, True),
        (CHANGED, CHANGED, False),  # read at the very moment of the change: counts
        (LATER, CHANGED, False),
    ],
)
def test_needs_reread_only_when_completed_before_the_change(
    completed_at, content_changed_at, expected
):
    result = completion_needs_reread(
        completed_at=completed_at, content_changed_at=content_changed_at
    )
    assert result is expected


# Flagging a change (lesson_save) -----------------------------------------------------


@pytest.mark.django_db
def test_save_with_reread_sets_content_changed_at_and_audits_it(educator):
    lesson = make_lesson(title="Applying pressure", slug="pressure")
    lesson.body_markdown = "Press firmly for five minutes."
    lesson_save(lesson=lesson, by=educator, reread_required=True, now=CHANGED)

    lesson.refresh_from_db()
    assert lesson.content_changed_at == CHANGED
    event = AuditEvent.objects.get(action=REREAD_FLAGGED)
    assert event.actor == educator
    assert (event.target_type, event.target_id) == ("lessons.lesson", str(lesson.pk))
    assert event.summary == "Trainees must re-read lesson “Applying pressure”"
    assert event.details == {
        "slug": "pressure",
        "reread_required": True,
        "content_changed_at": CHANGED.isoformat(),
    }


@pytest.mark.django_db
def test_save_without_reread_keeps_content_changed_at_and_audits_nothing(educator):
    lesson = _changed(make_lesson())
    lesson.summary = "A typo fixed."
    lesson_save(lesson=lesson, by=educator)

    lesson.refresh_from_db()
    assert lesson.content_changed_at == CHANGED
    assert AuditEvent.objects.filter(action=REREAD_FLAGGED).count() == 0


# Re-reading (lesson_complete) --------------------------------------------------------


@pytest.mark.django_db
def test_completing_a_changed_lesson_again_moves_the_date_forward(trainee):
    lesson = _changed(make_lesson())
    completion = _completed(trainee, lesson, READ)

    result = lesson_complete(user=trainee, lesson=lesson, now=LATER)

    completion.refresh_from_db()
    assert completion.completed_at == LATER
    assert result.outcome is CompletionOutcome.READ_AGAIN
    assert result.created is False
    assert result.completion.pk == completion.pk
    assert result.completion.completed_at == LATER
    assert LessonCompletion.objects.count() == 1


@pytest.mark.django_db
def test_result_still_unpacks_as_completion_and_created(trainee):
    lesson = _changed(make_lesson())
    _completed(trainee, lesson, READ)
    completion, created = lesson_complete(user=trainee, lesson=lesson, now=LATER)
    assert created is False
    assert completion.completed_at == LATER


@pytest.mark.django_db
def test_double_click_on_reread_records_one_reread(trainee):
    lesson = _changed(make_lesson())
    _completed(trainee, lesson, READ)

    first = lesson_complete(user=trainee, lesson=lesson, now=LATER)
    second = lesson_complete(user=trainee, lesson=lesson, now=LATER + HOUR)

    assert first.outcome is CompletionOutcome.READ_AGAIN
    assert second.outcome is CompletionOutcome.ALREADY_COMPLETE
    # The second click does not move the date again.
    assert LessonCompletion.objects.get().completed_at == LATER


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_rereads_record_one(trainee):
    if connection.vendor == "sqlite":
        # The in-memory test database's table locks fail at once instead of
        # waiting; the sequential double click covers SQLite.
        pytest.skip("Concurrent writers need PostgreSQL (or a file database).")
    lesson = _changed(make_lesson())
    _completed(trainee, lesson, READ)
    outcomes = []
    barrier = threading.Barrier(2)

    def reread(at):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            outcomes.append(lesson_complete(user=trainee, lesson=lesson, now=at).outcome)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=reread, args=(LATER + n * HOUR,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [CompletionOutcome.ALREADY_COMPLETE, CompletionOutcome.READ_AGAIN]
    assert LessonCompletion.objects.get().completed_at in (LATER, LATER + HOUR)


@pytest.mark.django_db
def test_completion_after_the_change_is_left_alone(trainee):
    lesson = _changed(make_lesson())
    _completed(trainee, lesson, CHANGED + HOUR)
    result = lesson_complete(user=trainee, lesson=lesson, now=LATER)
    assert result.outcome is CompletionOutcome.ALREADY_COMPLETE
    assert LessonCompletion.objects.get().completed_at == CHANGED + HOUR


@pytest.mark.django_db
def test_unchanged_lesson_completed_again_keeps_the_first_date(trainee):
    lesson = make_lesson()
    _completed(trainee, lesson, READ)
    result = lesson_complete(user=trainee, lesson=lesson, now=LATER)
    assert result.outcome is CompletionOutcome.ALREADY_COMPLETE
    assert LessonCompletion.objects.get().completed_at == READ


@pytest.mark.django_db
def test_first_completion_of_a_changed_lesson_is_a_plain_completion(trainee):
    lesson = _changed(make_lesson())
    result = lesson_complete(user=trainee, lesson=lesson, now=LATER)
    assert result.outcome is CompletionOutcome.COMPLETED
    assert result.created is True


@pytest.mark.django_db
def test_reread_moves_only_the_trainees_own_completion(trainee, other_trainee):
    lesson = _changed(make_lesson())
    _completed(trainee, lesson, READ)
    _completed(other_trainee, lesson, READ)
    lesson_complete(user=trainee, lesson=lesson, now=LATER)
    assert LessonCompletion.objects.get(user=other_trainee).completed_at == READ


# The admin ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_change_page_offers_the_checkbox_and_shows_content_changed_at(educator_client):
    lesson = _changed(make_lesson())
    response = educator_client.get(reverse("admin:lessons_lesson_change", args=[lesson.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert CHECKBOX_LABEL in html
    assert 'name="reread_required"' in html
    # Read-only: shown, not editable.
    assert "field-content_changed_at" in html
    assert 'name="content_changed_at"' not in html
    assert '<div class="readonly">1 Oct 2026, 9 a.m.</div>' in html


@pytest.mark.django_db
def test_add_page_has_no_reread_checkbox(educator_client):
    html = educator_client.get(reverse("admin:lessons_lesson_add")).content.decode()
    assert 'name="reread_required"' not in html


@pytest.mark.django_db
def test_ticking_the_checkbox_flags_the_lesson_through_the_service(educator_client, educator):
    lesson = make_lesson()
    response = educator_client.post(
        reverse("admin:lessons_lesson_change", args=[lesson.pk]),
        lesson_admin_form(lesson, reread_required="on"),
    )
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.content_changed_at is not None
    assert lesson.updated_by == educator
    event = AuditEvent.objects.get(action=REREAD_FLAGGED)
    assert event.actor == educator
    assert event.details["content_changed_at"] == lesson.content_changed_at.isoformat()


@pytest.mark.django_db
def test_saving_without_the_checkbox_does_not_flag_the_lesson(educator_client):
    lesson = make_lesson()
    response = educator_client.post(
        reverse("admin:lessons_lesson_change", args=[lesson.pk]), lesson_admin_form(lesson)
    )
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.content_changed_at is None
    assert AuditEvent.objects.filter(action=REREAD_FLAGGED).count() == 0


@pytest.mark.django_db
def test_a_post_cannot_set_content_changed_at_directly(educator_client):
    lesson = make_lesson()
    educator_client.post(
        reverse("admin:lessons_lesson_change", args=[lesson.pk]),
        lesson_admin_form(lesson, content_changed_at="2020-01-01 00:00:00"),
    )
    lesson.refresh_from_db()
    assert lesson.content_changed_at is None


# What trainees see -------------------------------------------------------------------


@pytest.fixture
def changed_lesson(db):
    topic = make_topic(title="Managing bleeding")
    return _changed(make_lesson(topic=topic, title="Applying pressure", slug="pressure"))


@pytest.mark.django_db
def test_lesson_page_says_updated_and_offers_the_button_again(
    trainee_client, trainee, changed_lesson
):
    _completed(trainee, changed_lesson, READ)
    html = trainee_client.get(changed_lesson.get_absolute_url()).content.decode()
    assert DETAIL_BADGE in html
    assert 'data-testid="reread-badge"' in html
    assert "Completed on 1 September 2026" in html
    assert BUTTON in html
    assert f'action="{reverse("lessons:complete", args=[changed_lesson.slug])}"' in html


@pytest.mark.django_db
def test_lesson_page_after_the_reread_shows_the_plain_tick(trainee_client, trainee, changed_lesson):
    _completed(trainee, changed_lesson, READ)
    url = reverse("lessons:complete", args=[changed_lesson.slug])

    first = trainee_client.post(url)
    assert first.status_code == 302
    assert _messages(first) == [LESSON_MARKED_READ_AGAIN]
    trainee_client.get(changed_lesson.get_absolute_url())  # shows, and so clears, the message
    second = trainee_client.post(url)
    assert _messages(second) == [LESSON_ALREADY_COMPLETE]

    html = trainee_client.get(changed_lesson.get_absolute_url()).content.decode()
    assert DETAIL_BADGE not in html
    assert BUTTON not in html
    assert 'data-testid="completed-state"' in html


@pytest.mark.django_db
def test_trainee_who_never_read_it_sees_no_badge(trainee_client, changed_lesson):
    html = trainee_client.get(changed_lesson.get_absolute_url()).content.decode()
    assert DETAIL_BADGE not in html
    assert BUTTON in html
    response = trainee_client.post(reverse("lessons:complete", args=[changed_lesson.slug]))
    assert _messages(response) == [LESSON_MARKED_COMPLETE]


@pytest.mark.django_db
def test_index_shows_the_badge_and_keeps_counting_the_lesson(
    trainee_client, trainee, changed_lesson
):
    make_lesson(topic=changed_lesson.topic, slug="aftercare", title="Aftercare")
    _completed(trainee, changed_lesson, READ)

    response = trainee_client.get(reverse("lessons:index"))
    html = response.content.decode()
    overview = response.context["overview"]
    assert (overview.done, overview.total) == (1, 2)
    assert html.count(INDEX_BADGE) == 1
    assert html.count('data-testid="completed-tick"') == 1
    entries = {e.lesson.slug: e for topic in overview.topics for e in topic.lessons}
    assert entries["pressure"].needs_reread is True
    assert entries["aftercare"].needs_reread is False


@pytest.mark.django_db
def test_index_badge_is_per_trainee(client, trainee, other_trainee, changed_lesson):
    _completed(trainee, changed_lesson, READ)
    _completed(other_trainee, changed_lesson, LATER)
    client.force_login(other_trainee)
    html = client.get(reverse("lessons:index")).content.decode()
    assert INDEX_BADGE not in html
    assert 'data-testid="completed-tick"' in html


@pytest.mark.django_db
def test_index_query_count_does_not_grow_with_changed_lessons(
    trainee_client, trainee, django_assert_num_queries
):
    topic = make_topic()
    for _ in range(3):
        _completed(trainee, _changed(make_lesson(topic=topic)), READ)
    with CaptureQueriesContext(connection) as captured:
        trainee_client.get(reverse("lessons:index"))
    small = len(captured.captured_queries)
    for _ in range(20):
        _completed(trainee, _changed(make_lesson(topic=topic)), READ)
    with django_assert_num_queries(small):
        html = trainee_client.get(reverse("lessons:index")).content.decode()
    assert html.count(INDEX_BADGE) == 23
