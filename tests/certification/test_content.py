"""The shipped program loads, idempotently, and the demo trainee is assigned it."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from lessons.services import lessons_load
from quizzes.authoring.content import quizzes_load
from quizzes.models.certification import Program, ProgramAssignment

pytestmark = pytest.mark.django_db

SLUG = "bleeding-management-foundation"


@pytest.fixture
def shipped_content(db):
    lessons_load(directory=settings.BASE_DIR / "fixtures" / "lessons")
    quizzes_load(directory=settings.BASE_DIR / "fixtures" / "quizzes")


def test_shipped_program_loads_with_its_requirements(shipped_content):
    out = StringIO()
    call_command("load_programs", stdout=out)
    assert "1 created" in out.getvalue()
    program = Program.objects.get(slug=SLUG)
    assert program.name == "Bleeding management in microneedling — foundation"
    assert program.is_published is True
    assert program.validity_months == 24
    assert sorted(program.required_lessons.values_list("slug", flat=True)) == sorted(
        [
            "why-microneedling-causes-bleeding",
            "normal-or-excessive-bleeding",
            "managing-bleeding-before-during-after",
        ]
    )
    assert sorted(program.required_quizzes.values_list("slug", flat=True)) == sorted(
        [
            "quiz-why-bleeding-occurs",
            "quiz-normal-versus-excessive",
            "quiz-managing-bleeding",
            "bleeding-case-studies",
            "final-assessment",
        ]
    )


def test_loading_twice_keeps_an_edited_program_unless_overwrite(shipped_content):
    call_command("load_programs", stdout=StringIO())
    Program.objects.filter(slug=SLUG).update(name="Edited by an educator")
    out = StringIO()
    call_command("load_programs", stdout=out)
    assert "0 created, 0 updated, 1 kept as edited" in out.getvalue()
    assert Program.objects.get(slug=SLUG).name == "Edited by an educator"
    call_command("load_programs", "--overwrite", stdout=StringIO())
    assert Program.objects.count() == 1
    assert Program.objects.get(slug=SLUG).name.startswith("Bleeding management")


def test_dry_run_saves_nothing(shipped_content):
    out = StringIO()
    call_command("load_programs", "--dry-run", stdout=out)
    assert "Dry run: Programs: 1 created" in out.getvalue()
    assert not Program.objects.exists()


def test_unknown_lesson_is_a_clear_error(shipped_content, tmp_path):
    path = tmp_path / "programs.json"
    path.write_text(
        json.dumps([{"slug": "x", "name": "X", "lessons": ["no-such-lesson"], "quizzes": []}])
    )
    with pytest.raises(CommandError, match="unknown lessons or quizzes no-such-lesson"):
        call_command("load_programs", "--path", str(path), stdout=StringIO())
    assert not Program.objects.exists()


def test_lessons_must_be_a_list(tmp_path):
    path = tmp_path / "programs.json"
    path.write_text(json.dumps([{"slug": "x", "name": "X", "lessons": "abc", "quizzes": []}]))
    with pytest.raises(CommandError, match="lessons must be a list of slugs"):
        call_command("load_programs", "--path", str(path), stdout=StringIO())


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="file not found"):
        call_command("load_programs", "--path", str(tmp_path / "none.json"), stdout=StringIO())


def test_setup_demo_assigns_the_demo_trainee_once(db):
    call_command("setup_demo", stdout=StringIO())
    assignment = ProgramAssignment.objects.get(user__username="trainee", program__slug=SLUG)
    assert assignment.due_date == timezone.localdate() + timedelta(days=30)
    ProgramAssignment.objects.filter(pk=assignment.pk).update(due_date=None)
    call_command("setup_demo", stdout=StringIO())
    assert ProgramAssignment.objects.get(pk=assignment.pk).due_date is None
