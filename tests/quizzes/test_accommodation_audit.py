"""Accommodation grants are audited: who granted what to whom, from every write path."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from quizzes.models import ACCOMMODATION_MAX_MINUTES, Accommodation
from quizzes.services import accommodation_grant
from tests.quizzes.builders import make_quiz
from tests.reports.builders import make_cohort
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db

GRANTED = AuditEvent.Action.ACCOMMODATION_GRANTED


@pytest.fixture
def quiz():
    return make_quiz(1, slug="final-assessment", time_limit_minutes=20)


def grant_events():
    return AuditEvent.objects.filter(action=GRANTED).order_by("id")


def test_first_grant_records_who_what_and_for_whom(quiz, trainee, manager):
    row = accommodation_grant(
        quiz=quiz, trainee=trainee, extra_minutes=15, extra_attempts=2, by=manager, note="Private"
    )

    event = grant_events().get()
    assert event.actor == manager
    assert event.actor_name == "maya"
    assert (event.target_type, event.target_id) == ("quizzes.accommodation", str(row.pk))
    assert event.summary == "tara · Quiz final-assessment: +15 min, +2 attempts"
    assert event.details == {
        "trainee": "tara",
        "quiz": "final-assessment",
        "extra_minutes": 15,
        "extra_attempts": 2,
        "previous": None,
    }


def test_the_note_is_kept_out_of_the_audit_trail(quiz, trainee, manager):
    accommodation_grant(
        quiz=quiz,
        trainee=trainee,
        extra_minutes=15,
        extra_attempts=0,
        by=manager,
        note="Dyslexia support",
    )
    event = grant_events().get()
    assert "Dyslexia" not in event.summary
    assert "Dyslexia" not in str(event.details)


def test_a_change_records_a_second_event_with_the_previous_amounts(
    quiz, trainee, manager, educator
):
    accommodation_grant(quiz=quiz, trainee=trainee, extra_minutes=10, extra_attempts=1, by=manager)
    accommodation_grant(quiz=quiz, trainee=trainee, extra_minutes=0, extra_attempts=3, by=educator)

    first, second = grant_events()
    assert first.actor == manager
    assert second.actor == educator
    assert second.details["previous"] == {"extra_minutes": 10, "extra_attempts": 1}
    assert (second.details["extra_minutes"], second.details["extra_attempts"]) == (0, 3)
    assert Accommodation.objects.count() == 1


def test_a_refused_grant_records_nothing(quiz, trainee, manager):
    with pytest.raises(ValidationError):
        accommodation_grant(
            quiz=quiz,
            trainee=trainee,
            extra_minutes=ACCOMMODATION_MAX_MINUTES + 1,
            extra_attempts=0,
            by=manager,
        )
    assert grant_events().count() == 0


def test_the_event_rolls_back_with_the_grant(quiz, trainee, manager):
    # Recorded inside the grant's transaction: no event survives a grant that did not.
    with pytest.raises(RuntimeError), transaction.atomic():
        accommodation_grant(
            quiz=quiz, trainee=trainee, extra_minutes=5, extra_attempts=0, by=manager
        )
        raise RuntimeError("the surrounding request failed")
    assert Accommodation.objects.count() == 0
    assert grant_events().count() == 0


def test_manager_page_grant_is_audited_as_the_manager(quiz, trainee, manager, manager_client):
    make_cohort(managers=[manager], trainees=[trainee])
    response = manager_client.post(
        reverse("quizzes:accommodations", args=[quiz.slug]),
        {"trainee": str(trainee.pk), "extra_minutes": "15", "extra_attempts": "2", "note": ""},
    )
    assert response.status_code == 302
    event = grant_events().get()
    assert event.actor == manager
    assert event.details["trainee"] == "tara"


def test_admin_grant_is_audited_as_the_educator(quiz, trainee, educator, educator_client):
    response = educator_client.post(
        reverse("admin:quizzes_accommodation_add"),
        {
            "user": str(trainee.pk),
            "quiz": str(quiz.pk),
            "extra_minutes": "20",
            "extra_attempts": "1",
            "note": "Via admin",
        },
    )
    assert response.status_code == 302
    event = grant_events().get()
    assert event.actor == educator
    assert (event.details["extra_minutes"], event.details["extra_attempts"]) == (20, 1)


def test_a_refused_manager_page_grant_is_not_audited(quiz, trainee, manager, manager_client):
    make_cohort(managers=[manager], trainees=[trainee])
    response = manager_client.post(
        reverse("quizzes:accommodations", args=[quiz.slug]),
        {
            "trainee": str(trainee.pk),
            "extra_minutes": str(ACCOMMODATION_MAX_MINUTES + 1),
            "extra_attempts": "0",
            "note": "",
        },
    )
    assert response.status_code == 400
    assert grant_events().count() == 0
