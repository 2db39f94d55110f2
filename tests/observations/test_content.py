"""The shipped checklists load once, keep an educator's edits, and the demo assessor is in scope."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from quizzes.cohorts.scope import trainees_for_assessor
from quizzes.models import PracticalChecklist
from quizzes.observations.content import (
    SHIPPED_CHECKLISTS,
    ChecklistContentError,
    checklists_load,
)
from tests.builders import make_program

pytestmark = pytest.mark.django_db

SLUG = "bleeding-management-observed-practice"


@pytest.fixture
def program(db):
    return make_program(slug="bleeding-management-foundation", lessons=0, quizzes=0)


def test_the_shipped_checklist_loads_for_the_foundation_program(program):
    result = checklists_load(path=SHIPPED_CHECKLISTS)
    assert result.created == [SLUG]
    checklist = PracticalChecklist.objects.get(slug=SLUG)
    assert checklist.is_published and list(checklist.programs.all()) == [program]
    criteria = list(checklist.criteria.order_by("order"))
    assert 7 <= len(criteria) <= 9
    assert all(c.guidance for c in criteria)
    critical = [c.text for c in criteria if c.critical]
    assert "Screens the client's bleeding risk at consultation" in critical
    assert "Recognises excessive or prolonged bleeding and stops treatment" in critical
    assert "Local protocols" in checklist.description


def test_loading_twice_keeps_an_educators_edits(program):
    checklists_load(path=SHIPPED_CHECKLISTS)
    checklist = PracticalChecklist.objects.get(slug=SLUG)
    checklist.title = "Edited by an educator"
    checklist.save()
    checklist.criteria.filter(order=1).update(guidance="Our own guidance.")
    result = checklists_load(path=SHIPPED_CHECKLISTS)
    assert (result.created, result.kept) == ([], [SLUG])
    assert PracticalChecklist.objects.get(slug=SLUG).title == "Edited by an educator"
    assert checklist.criteria.get(order=1).guidance == "Our own guidance."
    assert PracticalChecklist.objects.count() == 1


def test_overwrite_restores_the_shipped_text(program):
    checklists_load(path=SHIPPED_CHECKLISTS)
    PracticalChecklist.objects.filter(slug=SLUG).update(title="Edited")
    result = checklists_load(path=SHIPPED_CHECKLISTS, overwrite=True)
    assert result.updated == [SLUG]
    assert PracticalChecklist.objects.get(slug=SLUG).title.startswith("Managing bleeding")


def test_dry_run_writes_nothing(program):
    assert checklists_load(path=SHIPPED_CHECKLISTS, dry_run=True).created == [SLUG]
    assert PracticalChecklist.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not valid JSON"),
        ("{}", "expected a list of objects"),
        ('[{"slug": "x", "title": "X"}]', r"entry 1 \(x\): missing criteria\."),
        ('[{"slug": "x", "title": "X", "criteria": [], "colour": 1}]', "unknown colour"),
        ('[{"slug": "x", "title": "X", "criteria": []}]', "criteria must be a non-empty list"),
        (
            json.dumps(
                [{"slug": "x", "title": "X", "criteria": [{"text": "T"}], "programs": ["no"]}]
            ),
            "unknown programs no",
        ),
    ],
)
def test_bad_content_names_the_entry(tmp_path, db, content, message):
    path = tmp_path / "checklists.json"
    path.write_text(content)
    with pytest.raises(ChecklistContentError, match=message):
        checklists_load(path=path)


def test_setup_demo_loads_the_checklist_and_puts_the_trainee_in_the_assessors_scope(settings):
    call_command("setup_demo", stdout=io.StringIO())
    checklist = PracticalChecklist.objects.get(slug=SLUG)
    assert checklist.programs.filter(slug="bleeding-management-foundation").exists()
    users = get_user_model().objects
    assessor, trainee = users.get(username="assessor"), users.get(username="trainee")
    assert trainees_for_assessor(assessor).filter(pk=trainee.pk).exists()
