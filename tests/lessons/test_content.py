"""Loading the shipped lessons: idempotent by slug, never overwriting edits unless asked."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from lessons.models import Lesson, Topic
from lessons.services import (
    EMPTY_BODY_CANNOT_BE_PUBLISHED,
    ContentError,
    LoadCounts,
    lessons_load,
)
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db

SHIPPED = Path(settings.BASE_DIR) / "fixtures" / "lessons"
SHIPPED_TOPICS = ["why-bleeding-occurs", "normal-versus-excessive-bleeding", "managing-bleeding"]


def _write(directory: Path, topics: list[dict], lessons: list[dict], bodies: dict) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "topics.json").write_text(json.dumps(topics), encoding="utf-8")
    (directory / "lessons.json").write_text(json.dumps(lessons), encoding="utf-8")
    for name, text in bodies.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def _lesson(**overrides) -> dict:
    entry = {
        "slug": "why-it-bleeds",
        "topic": "why",
        "title": "Why it bleeds",
        "summary": "Capillaries.",
        "objectives": ["Explain capillaries.", "Describe pinpoint bleeding."],
        "reading_minutes": 6,
        "order": 1,
        "status": "published",
        "body_file": "why.md",
    }
    return {**entry, **overrides}


TOPICS = [
    {"slug": "why", "title": "Why bleeding occurs", "description": "Causes.", "order": 1},
    {"slug": "managing", "title": "Managing bleeding", "description": "", "order": 2},
]
BODIES = {"why.md": '!!! key-points "Key points"\n    - Pinpoint bleeding is expected.\n'}


@pytest.fixture
def content(tmp_path):
    return _write(tmp_path / "lessons", TOPICS, [_lesson()], BODIES)


def test_load_creates_topics_and_lessons(content):
    result = lessons_load(directory=content)
    assert result.topics == LoadCounts(created=2)
    assert result.lessons == LoadCounts(created=1)
    lesson = Lesson.objects.select_related("topic").get()
    assert lesson.topic.slug == "why"
    assert lesson.objective_list == ["Explain capillaries.", "Describe pinpoint bleeding."]
    assert lesson.reading_minutes == 6
    assert lesson.status == Lesson.Status.PUBLISHED
    assert '<div class="admonition key-points">' in lesson.body_html
    event = AuditEvent.objects.get(action=AuditEvent.Action.CONTENT_PUBLISHED)
    assert event.actor is None
    assert event.target_id == str(lesson.pk)


def test_load_twice_creates_nothing_new(content):
    lessons_load(directory=content)
    result = lessons_load(directory=content)
    assert result.topics == LoadCounts(unchanged=2)
    assert result.lessons == LoadCounts(unchanged=1)
    assert Topic.objects.count() == 2
    assert Lesson.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CONTENT_PUBLISHED).count() == 1


def test_load_keeps_an_educators_edits_unless_asked_to_overwrite(content, educator):
    lessons_load(directory=content)
    lesson = Lesson.objects.get()
    lesson.title = "Edited by an educator"
    lesson.body_markdown = "Edited body."
    lesson.status = Lesson.Status.DRAFT
    lesson.updated_by = educator
    lesson.save()
    Topic.objects.filter(slug="why").update(title="Edited topic")

    kept = lessons_load(directory=content)
    assert kept.lessons == LoadCounts(kept=1)
    assert kept.topics == LoadCounts(unchanged=1, kept=1)
    lesson.refresh_from_db()
    assert lesson.title == "Edited by an educator"
    assert lesson.body_html == "<p>Edited body.</p>"
    assert lesson.updated_by == educator

    replaced = lessons_load(directory=content, overwrite=True)
    assert replaced.lessons == LoadCounts(updated=1)
    assert replaced.topics == LoadCounts(updated=1, unchanged=1)
    lesson.refresh_from_db()
    assert lesson.title == "Why it bleeds"
    assert lesson.status == Lesson.Status.PUBLISHED
    assert lesson.updated_by is None
    assert '<div class="admonition key-points">' in lesson.body_html
    assert Topic.objects.get(slug="why").title == "Why bleeding occurs"


def test_dry_run_counts_and_writes_nothing(content):
    result = lessons_load(directory=content, dry_run=True)
    assert result.lessons == LoadCounts(created=1)
    assert Topic.objects.count() == 0
    assert Lesson.objects.count() == 0
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CONTENT_PUBLISHED).count() == 0


@pytest.mark.parametrize(
    ("lesson", "bodies", "message"),
    [
        (
            _lesson(topic="nope"),
            BODIES,
            "lessons.json entry 1 (why-it-bleeds): unknown topic 'nope'.",
        ),
        (
            _lesson(body_file="../secret.md"),
            BODIES,
            "lessons.json entry 1 (why-it-bleeds): body_file '../secret.md' is outside",
        ),
        (
            _lesson(body_file="missing.md"),
            BODIES,
            "lessons.json entry 1 (why-it-bleeds): body file 'missing.md' not found.",
        ),
        (
            _lesson(body_file="empty.md"),
            {"empty.md": "\n  \n"},
            f"lessons.json entry 1 (why-it-bleeds): {EMPTY_BODY_CANNOT_BE_PUBLISHED}",
        ),
        (
            {k: v for k, v in _lesson().items() if k != "summary"},
            BODIES,
            "lessons.json entry 1 (why-it-bleeds): missing summary.",
        ),
        (
            _lesson(colour="red"),
            BODIES,
            "lessons.json entry 1 (why-it-bleeds): unknown colour.",
        ),
        (
            _lesson(slug="Not a slug!"),
            BODIES,
            "lessons.json entry 1 (Not a slug!): slug:",
        ),
        (
            _lesson(status="archived"),
            BODIES,
            "lessons.json entry 1 (why-it-bleeds): status:",
        ),
    ],
)
def test_bad_content_is_refused_with_a_clear_message_and_nothing_written(
    tmp_path, lesson, bodies, message
):
    directory = _write(tmp_path / "bad", TOPICS, [lesson], bodies)
    (tmp_path / "secret.md").write_text("outside", encoding="utf-8")
    with pytest.raises(ContentError) as error:
        lessons_load(directory=directory)
    assert str(error.value).startswith(message)
    assert Topic.objects.count() == 0
    assert Lesson.objects.count() == 0


def test_invalid_json_is_refused(tmp_path):
    directory = _write(tmp_path / "bad", TOPICS, [], {})
    (directory / "lessons.json").write_text("[{", encoding="utf-8")
    with pytest.raises(ContentError) as error:
        lessons_load(directory=directory)
    assert str(error.value).startswith(f"{directory / 'lessons.json'}: not valid JSON")


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(ContentError) as error:
        lessons_load(directory=tmp_path)
    assert str(error.value) == f"{tmp_path / 'topics.json'}: file not found."


def test_command_reports_counts(content, capsys):
    call_command("load_lessons", "--directory", str(content), "--dry-run")
    assert capsys.readouterr().out == (
        "Dry run, nothing written. "
        "Topics: 2 created, 0 updated, 0 unchanged, 0 kept as edited. "
        "Lessons: 1 created, 0 updated, 0 unchanged, 0 kept as edited.\n"
    )
    assert Lesson.objects.count() == 0
    call_command("load_lessons", "--directory", str(content))
    assert Lesson.objects.count() == 1


def test_command_overwrite_flag_replaces_edits(content):
    call_command("load_lessons", "--directory", str(content))
    Lesson.objects.update(title="Edited")
    call_command("load_lessons", "--directory", str(content), "--overwrite")
    assert Lesson.objects.get().title == "Why it bleeds"


def test_command_turns_bad_content_into_a_command_error(tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("load_lessons", "--directory", str(tmp_path))
    assert str(error.value) == f"{tmp_path / 'topics.json'}: file not found."


def test_shipped_lessons_load_and_cover_the_three_topics():
    """Smoke test of the real content in fixtures/lessons."""
    result = lessons_load(directory=SHIPPED)
    assert result.topics.created == 3
    assert result.lessons.created >= 3
    assert list(Topic.objects.values_list("slug", flat=True)) == SHIPPED_TOPICS
    for slug in SHIPPED_TOPICS:
        published = Lesson.objects.published().filter(topic__slug=slug)
        assert published.exists(), slug
    for lesson in Lesson.objects.published():
        assert lesson.objective_list, lesson.slug
        assert lesson.summary.strip(), lesson.slug
        assert '<div class="admonition key-points">' in lesson.body_html, lesson.slug
        assert "<script" not in lesson.body_html
    again = lessons_load(directory=SHIPPED)
    assert again.topics == LoadCounts(unchanged=3)
    assert again.lessons == LoadCounts(unchanged=result.lessons.created)


def test_setup_demo_twice_loads_the_shipped_lessons_once():
    call_command("setup_demo", verbosity=0)
    count = Lesson.objects.count()
    assert count >= 3
    call_command("setup_demo", verbosity=0)
    assert Lesson.objects.count() == count
    assert Topic.objects.count() == 3
