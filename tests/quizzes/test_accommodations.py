"""Accommodations: one audited service for the admin and a manager page scoped to their cohorts.

Every grant, from either write path, records who granted what to whom (never the note).
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from quizzes.models import ACCOMMODATION_MAX_ATTEMPTS, ACCOMMODATION_MAX_MINUTES, Accommodation
from quizzes.selectors import quiz_start_check
from quizzes.services import (
    ACCOMMODATION_ATTEMPTS_RANGE,
    ACCOMMODATION_MINUTES_RANGE,
    accommodation_grant,
)
from quizzes.views import ACCOMMODATION_SAVED
from tests.builders import make_cohort, make_quiz
from trainingsite.access import NOT_A_MANAGER
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db

GRANTED = AuditEvent.Action.ACCOMMODATION_GRANTED


@pytest.fixture
def quiz():
    return make_quiz(1, slug="final-assessment", max_attempts=1, time_limit_minutes=20)


@pytest.fixture
def cohorts(manager, other_manager, trainee, other_trainee):
    """`manager` manages the trainee; `other_manager` manages the other trainee."""
    return (
        make_cohort(managers=[manager], trainees=[trainee]),
        make_cohort(managers=[other_manager], trainees=[other_trainee]),
    )


def url(quiz):
    return reverse("quizzes:accommodations", args=[quiz.slug])


def grant_post(trainee, minutes="15", attempts="2", note="Dyslexia support"):
    return {
        "trainee": str(trainee.pk),
        "extra_minutes": minutes,
        "extra_attempts": attempts,
        "note": note,
    }


# The service -----------------------------------------------------------------------


def test_grant_creates_then_changes_one_row(quiz, trainee, manager, educator):
    first = accommodation_grant(
        quiz=quiz, trainee=trainee, extra_minutes=10, extra_attempts=1, by=manager
    )
    second = accommodation_grant(
        quiz=quiz, trainee=trainee, extra_minutes=0, extra_attempts=3, by=educator, note="More"
    )
    assert first.pk == second.pk
    row = Accommodation.objects.get()
    assert (row.extra_minutes, row.extra_attempts, row.note) == (0, 3, "More")
    assert row.granted_by == educator
    check = quiz_start_check(user=trainee, quiz=quiz)
    assert (check.attempts_allowed, check.extra_minutes) == (4, 0)


@pytest.mark.parametrize(
    ("minutes", "attempts", "field", "message"),
    [
        (-1, 0, "extra_minutes", ACCOMMODATION_MINUTES_RANGE),
        (ACCOMMODATION_MAX_MINUTES + 1, 0, "extra_minutes", ACCOMMODATION_MINUTES_RANGE),
        (0, -1, "extra_attempts", ACCOMMODATION_ATTEMPTS_RANGE),
        (0, ACCOMMODATION_MAX_ATTEMPTS + 1, "extra_attempts", ACCOMMODATION_ATTEMPTS_RANGE),
    ],
)
def test_grant_refuses_out_of_range_amounts(
    quiz, trainee, manager, minutes, attempts, field, message
):
    with pytest.raises(ValidationError) as raised:
        accommodation_grant(
            quiz=quiz, trainee=trainee, extra_minutes=minutes, extra_attempts=attempts, by=manager
        )
    assert raised.value.message_dict == {field: [message]}
    assert Accommodation.objects.count() == 0


# The manager page ------------------------------------------------------------------


def test_owner_manager_grants_for_own_trainee(quiz, cohorts, manager, manager_client, trainee):
    response = manager_client.post(url(quiz), grant_post(trainee))

    assert response.status_code == 302
    assert response.url == url(quiz)
    row = Accommodation.objects.get()
    assert (row.user, row.quiz, row.granted_by) == (trainee, quiz, manager)
    assert (row.extra_minutes, row.extra_attempts, row.note) == (15, 2, "Dyslexia support")
    page = manager_client.get(url(quiz))
    html = page.content.decode()
    assert ACCOMMODATION_SAVED.format(name="Tara Trainee", minutes=15, attempts=2) in html
    assert html.count('data-testid="accommodation-row"') == 1


def test_owner_manager_changes_an_existing_grant(quiz, cohorts, manager, manager_client, trainee):
    accommodation_grant(quiz=quiz, trainee=trainee, extra_minutes=5, extra_attempts=0, by=manager)

    form = manager_client.get(url(quiz), {"trainee": trainee.pk})
    assert form.status_code == 200
    assert form.context["form"].initial["extra_minutes"] == 5

    response = manager_client.post(url(quiz), grant_post(trainee, minutes="30", attempts="0"))
    assert response.status_code == 302
    row = Accommodation.objects.get()
    assert (row.extra_minutes, row.extra_attempts) == (30, 0)


def test_manager_sees_only_own_cohorts_accommodations(
    quiz, cohorts, manager, manager_client, trainee, other_trainee, educator
):
    accommodation_grant(quiz=quiz, trainee=trainee, extra_minutes=5, extra_attempts=0, by=manager)
    accommodation_grant(
        quiz=quiz, trainee=other_trainee, extra_minutes=7, extra_attempts=0, by=educator
    )

    response = manager_client.get(url(quiz))

    assert response.status_code == 200
    assert [r.user for r in response.context["rows"]] == [trainee]
    assert list(response.context["trainees"]) == [trainee]
    assert "Otto" not in response.content.decode()


def test_other_cohort_manager_gets_404_and_nothing_saved(
    quiz, cohorts, other_manager, client, trainee
):
    client.force_login(other_manager)
    assert client.post(url(quiz), grant_post(trainee)).status_code == 404
    assert client.get(url(quiz), {"trainee": trainee.pk}).status_code == 404
    assert Accommodation.objects.count() == 0


def test_unknown_or_malformed_trainee_is_404(quiz, cohorts, manager_client):
    assert manager_client.get(url(quiz), {"trainee": "abc"}).status_code == 404
    assert manager_client.post(url(quiz), {**grant_post_id(999999)}).status_code == 404


def grant_post_id(pk):
    return {"trainee": str(pk), "extra_minutes": "1", "extra_attempts": "0"}


@pytest.mark.parametrize(
    ("minutes", "attempts", "field", "message"),
    [
        ("-5", "0", "extra_minutes", ACCOMMODATION_MINUTES_RANGE),
        (str(ACCOMMODATION_MAX_MINUTES + 1), "0", "extra_minutes", ACCOMMODATION_MINUTES_RANGE),
        ("ten", "0", "extra_minutes", ACCOMMODATION_MINUTES_RANGE),
        ("0", "-1", "extra_attempts", ACCOMMODATION_ATTEMPTS_RANGE),
        ("0", "99", "extra_attempts", ACCOMMODATION_ATTEMPTS_RANGE),
    ],
)
def test_bad_amounts_get_400_with_message(
    quiz, cohorts, manager_client, trainee, minutes, attempts, field, message
):
    response = manager_client.post(url(quiz), grant_post(trainee, minutes, attempts))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert Accommodation.objects.count() == 0


def test_trainee_gets_403(quiz, cohorts, trainee_client, trainee):
    response = trainee_client.post(url(quiz), grant_post(trainee))
    assert response.status_code == 403
    assert NOT_A_MANAGER in response.content.decode()
    assert trainee_client.get(url(quiz)).status_code == 403
    assert Accommodation.objects.count() == 0


def test_educator_gets_403_on_the_manager_page_and_keeps_the_admin(
    quiz, cohorts, educator, educator_client, trainee
):
    assert educator_client.get(url(quiz)).status_code == 403

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
    row = Accommodation.objects.get()
    assert (row.extra_minutes, row.extra_attempts, row.granted_by) == (20, 1, educator)


def test_admin_change_goes_through_the_service(quiz, educator, educator_client, trainee, manager):
    row = accommodation_grant(
        quiz=quiz, trainee=trainee, extra_minutes=5, extra_attempts=0, by=manager
    )
    response = educator_client.post(
        reverse("admin:quizzes_accommodation_change", args=[row.pk]),
        {"extra_minutes": "25", "extra_attempts": "2", "note": "Changed"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.extra_minutes, row.extra_attempts, row.note) == (25, 2, "Changed")
    assert row.granted_by == educator
    assert Accommodation.objects.count() == 1


def test_admin_refuses_amounts_above_the_ceiling(quiz, educator_client, trainee):
    response = educator_client.post(
        reverse("admin:quizzes_accommodation_add"),
        {
            "user": str(trainee.pk),
            "quiz": str(quiz.pk),
            "extra_minutes": str(ACCOMMODATION_MAX_MINUTES + 1),
            "extra_attempts": "0",
        },
    )
    assert response.status_code == 200
    assert Accommodation.objects.count() == 0


def test_quiz_page_links_managers_to_accommodations(quiz, manager_client):
    link = f'href="{url(quiz)}"'
    assert link in manager_client.get(quiz.get_absolute_url()).content.decode()


def test_quiz_page_hides_the_link_from_trainees(quiz, trainee_client):
    assert url(quiz) not in trainee_client.get(quiz.get_absolute_url()).content.decode()


def test_page_lists_a_grant_whose_granter_was_deleted(quiz, cohorts, manager_client, trainee):
    Accommodation.objects.create(quiz=quiz, user=trainee, extra_minutes=9, granted_by=None)
    response = manager_client.get(url(quiz))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="accommodation-row"') == 1


# The audit trail -------------------------------------------------------------------


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
