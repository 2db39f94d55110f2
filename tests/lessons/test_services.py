import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from lessons.models import Lesson, LessonCompletion
from lessons.services import (
    DRAFT_CANNOT_BE_COMPLETED,
    EMPTY_BODY_CANNOT_BE_PUBLISHED,
    lesson_complete,
    lesson_publish,
    lesson_save,
    lesson_unpublish,
)
from tests.builders import make_lesson
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db

CONTENT_ACTIONS = [AuditEvent.Action.CONTENT_PUBLISHED, AuditEvent.Action.CONTENT_UNPUBLISHED]


def content_events():
    return AuditEvent.objects.filter(action__in=CONTENT_ACTIONS)


def test_complete_records_one_completion(trainee):
    lesson = make_lesson()
    completion, created = lesson_complete(user=trainee, lesson=lesson)
    assert created is True
    assert completion.user == trainee
    assert completion.lesson == lesson
    assert LessonCompletion.objects.filter(user=trainee).count() == 1


def test_complete_twice_records_once_and_keeps_the_first_date(trainee):
    # The second call reaches the unique constraint, as the loser of a race does.
    lesson = make_lesson()
    first, _ = lesson_complete(user=trainee, lesson=lesson)
    second, created = lesson_complete(user=trainee, lesson=lesson)
    assert created is False
    assert second.pk == first.pk
    assert second.completed_at == first.completed_at
    assert LessonCompletion.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_completions_record_one_row(trainee):
    if connection.vendor == "sqlite":
        # The in-memory test database uses shared-cache table locks that fail
        # at once instead of waiting; the sequential double call covers SQLite.
        pytest.skip("Concurrent writers need PostgreSQL (or a file database).")
    lesson = make_lesson()
    results = []
    barrier = threading.Barrier(2)

    def complete():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(lesson_complete(user=trainee, lesson=lesson)[1])
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert LessonCompletion.objects.count() == 1


def test_complete_refuses_a_draft(educator):
    lesson = make_lesson(status=Lesson.Status.DRAFT)
    with pytest.raises(ValidationError) as error:
        lesson_complete(user=educator, lesson=lesson)
    assert error.value.messages == [DRAFT_CANNOT_BE_COMPLETED]
    assert LessonCompletion.objects.count() == 0


def test_publish_sets_status_and_writes_one_audit_event_per_lesson(educator):
    drafts = [make_lesson(status=Lesson.Status.DRAFT) for _ in range(2)]
    changed = lesson_publish(lessons=drafts, by=educator)
    assert changed == 2
    for lesson in drafts:
        lesson.refresh_from_db()
        assert lesson.status == Lesson.Status.PUBLISHED
        assert lesson.updated_by == educator
    events = AuditEvent.objects.filter(action=AuditEvent.Action.CONTENT_PUBLISHED)
    assert events.count() == 2
    event = events.get(target_id=str(drafts[0].pk))
    assert event.actor == educator
    assert event.target_type == "lessons.lesson"
    assert event.summary == f"Published lesson “{drafts[0].title}”"


def test_publish_an_already_published_lesson_changes_nothing(educator):
    lesson = make_lesson(status=Lesson.Status.PUBLISHED)
    assert lesson_publish(lessons=[lesson], by=educator) == 0
    assert content_events().count() == 0


def test_publish_refuses_all_when_one_body_is_empty(educator):
    ready = make_lesson(status=Lesson.Status.DRAFT)
    empty = make_lesson(status=Lesson.Status.DRAFT, title="Empty one", body_markdown="  \n")
    with pytest.raises(ValidationError) as error:
        lesson_publish(lessons=[ready, empty], by=educator)
    assert error.value.messages == [
        f"{EMPTY_BODY_CANNOT_BE_PUBLISHED} Write a body first for: Empty one."
    ]
    assert Lesson.objects.filter(status=Lesson.Status.PUBLISHED).count() == 0
    assert content_events().count() == 0


def test_unpublish_returns_to_draft_and_audits(educator):
    lesson = make_lesson()
    assert lesson_unpublish(lessons=Lesson.objects.all(), by=educator) == 1
    lesson.refresh_from_db()
    assert lesson.status == Lesson.Status.DRAFT
    event = content_events().get()
    assert event.action == AuditEvent.Action.CONTENT_UNPUBLISHED
    assert event.target_id == str(lesson.pk)


def test_save_sets_updated_by_and_audits_a_status_change(educator):
    lesson = make_lesson(status=Lesson.Status.DRAFT)
    lesson.summary = "New summary."
    lesson_save(lesson=lesson, by=educator)
    assert content_events().count() == 0
    lesson.status = Lesson.Status.PUBLISHED
    lesson_save(lesson=lesson, by=educator)
    lesson.refresh_from_db()
    assert lesson.updated_by == educator
    assert lesson.summary == "New summary."
    assert list(content_events().values_list("action", flat=True)) == [
        AuditEvent.Action.CONTENT_PUBLISHED
    ]


def test_save_refuses_to_publish_an_empty_body(educator):
    lesson = make_lesson(status=Lesson.Status.DRAFT, body_markdown="")
    lesson.status = Lesson.Status.PUBLISHED
    with pytest.raises(ValidationError) as error:
        lesson_save(lesson=lesson, by=educator)
    assert error.value.messages == [EMPTY_BODY_CANNOT_BE_PUBLISHED]
    assert Lesson.objects.get(pk=lesson.pk).status == Lesson.Status.DRAFT
