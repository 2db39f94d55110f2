"""What people see of an update: the trainee's path and dashboard, the certificate and its
public verification, the reminders, the admins that record a material change, and the demo."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from lessons.models import Lesson
from lessons.services import lesson_complete
from quizzes.certification.reminders import reminder_send, reminders_due
from quizzes.models import Certificate, CertificateUpdate, ProgramUpdate, ReminderSent
from quizzes.updates import services
from tests.builders import lesson_admin_form, question_admin_form
from tests.builders.competence import make_checklist
from tests.updates.conftest import change_lesson, take_update_quiz

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def _lesson_form(lesson: Lesson, **overrides) -> dict:
    body = lesson.body_markdown + "\n\nRefer when bleeding persists."
    return lesson_admin_form(lesson, **{"body_markdown": body, **overrides})


def test_the_trainee_follows_the_path_from_the_dashboard(world, trainee, trainee_client, educator):
    now = world["now"]
    change_lesson(world["first"], by=educator, now=now - DAY)
    home = trainee_client.get(reverse("trainee_home")).content.decode()
    assert 'data-testid="update-required"' in home
    assert "Pressure before referral" in home
    path_url = reverse("updates:path", args=[world["program"].slug])
    assert path_url in home

    page = trainee_client.get(path_url).content.decode()
    assert "Version 1" in page
    assert page.count("To do") == 2  # the lesson and the quiz
    assert world["first"].title in page

    response = trainee_client.post(reverse("updates:quiz_start", args=[world["program"].slug]))
    assert response.status_code == 302
    attempt_page = trainee_client.get(response["Location"])
    assert attempt_page.status_code == 200
    assert "Update quiz" in attempt_page.content.decode()
    # A second press resumes the same quiz.
    again = trainee_client.post(reverse("updates:quiz_start", args=[world["program"].slug]))
    assert again["Location"] == response["Location"]


def test_the_certificate_and_its_verification_say_updated_to_version_n(
    world, trainee, trainee_client, educator, client
):
    now = world["now"]
    change_lesson(world["first"], by=educator, now=now - 3 * DAY)
    certificate = world["certificate"]
    public = client.get(certificate.verify_path()).content.decode()
    due = (now - 3 * DAY + 60 * DAY).strftime("%-d %B %Y")
    assert f"Update to version 1 due by {due}" in public

    lesson_complete(user=trainee, lesson=world["first"], now=now - 2 * DAY)
    take_update_quiz(trainee, world["program"], now=now - DAY)
    done_on = (now - DAY).strftime("%-d %B %Y")
    own = trainee_client.get(certificate.get_absolute_url()).content.decode()
    assert f"Updated to version 1 on {done_on}: Pressure before referral" in own
    public = client.get(certificate.verify_path()).content.decode()
    assert f"Updated to version 1 on {done_on}" in public
    assert world["expires"].strftime("%-d %B %Y") in public  # the expiry is given back
    home = trainee_client.get(reverse("trainee_home")).content.decode()
    assert 'data-testid="update-required"' not in home
    assert trainee_client.get(
        reverse("updates:path", args=[world["program"].slug])
    ).status_code == (404)


def test_reminders_when_asked_then_when_due_soon(world, trainee, educator):
    now = world["now"]
    change_lesson(world["first"], by=educator, now=now)
    due_on = timezone.localdate(now + 60 * DAY)
    (reminder,) = [r for r in reminders_due(now=now) if r.user_id == trainee.pk]
    assert (reminder.event, reminder.event_date) == (ReminderSent.Event.UPDATE_REQUIRED, due_on)
    assert reminder_send(reminder=reminder) is True
    assert mail.outbox[-1].subject == f"Update required: {world['program'].name}"
    assert "expires early" in mail.outbox[-1].body
    assert [r for r in reminders_due(now=now + DAY) if r.user_id == trainee.pk] == []

    later = now + 50 * DAY
    (soon,) = [r for r in reminders_due(now=later) if r.user_id == trainee.pk]
    assert (soon.event, soon.event_date) == (ReminderSent.Event.UPDATE_DUE_SOON, due_on)


def test_the_lesson_admin_records_a_material_change(world, educator, client):
    client.force_login(educator)
    lesson = world["first"]
    url = reverse("admin:lessons_lesson_change", args=[lesson.pk])
    response = client.post(url, _lesson_form(lesson, reread_required="on", change_summary="New"))
    assert response.status_code == 302
    update = ProgramUpdate.objects.get()
    assert (update.summary, list(update.lessons.all())) == ("New", [lesson])
    assert CertificateUpdate.objects.filter(certificate=world["certificate"]).exists()

    # A typo fix (unticked) records nothing more.
    client.post(url, _lesson_form(lesson, body_markdown=lesson.body_markdown + " "))
    assert ProgramUpdate.objects.count() == 1


def test_the_question_admin_records_a_material_change(world, educator, client):
    client.force_login(educator)
    question = world["questions"][1]
    page = client.get(reverse("admin:quizzes_question_change", args=[question.pk]))
    assert "Material change: certified trainees must update" in page.content.decode()
    data = question_admin_form(question, material_change="on", change_summary="Timing")
    response = client.post(reverse("admin:quizzes_question_change", args=[question.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    update = ProgramUpdate.objects.get()
    assert list(update.questions.all()) == [question]
    assert update.summary == "Timing"


def test_the_checklist_admin_records_a_material_change(world, educator, client):
    checklist = make_checklist(programs=[world["program"]])
    client.force_login(educator)
    url = reverse("admin:quizzes_practicalchecklist_change", args=[checklist.pk])
    data = {
        "title": checklist.title,
        "slug": checklist.slug,
        "description": "",
        "programs": [world["program"].pk],
        "observations_required": 1,
        "status": checklist.status,
        "material_change": "on",
        "change_summary": "",
        "criteria-TOTAL_FORMS": 0,
        "criteria-INITIAL_FORMS": 0,
        "criteria-MIN_NUM_FORMS": 0,
        "criteria-MAX_NUM_FORMS": 1000,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    update = ProgramUpdate.objects.get()
    assert list(update.checklists.all()) == [checklist]
    assert update.summary == f"Checklist “{checklist.title}” changed"


def test_a_material_change_to_a_shipped_lesson_puts_the_demo_certified_trainees_on_a_path(
    client,
):
    call_command("setup_demo", stdout=StringIO())
    certified = set(
        Certificate.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
        .filter(expires_at__gt=timezone.now() + 60 * DAY)
        .values_list("user_id", flat=True)
    )
    assert len(certified) >= 3
    educator = get_user_model().objects.get(username="educator")
    program = Certificate.objects.first().program
    lesson = program.required_lessons.order_by("order").first()
    client.force_login(educator)
    response = client.post(
        reverse("admin:lessons_lesson_change", args=[lesson.pk]),
        _lesson_form(lesson, reread_required="on", change_summary="Updated referral criteria"),
    )
    assert response.status_code == 302
    asked = set(CertificateUpdate.objects.values_list("certificate__user_id", flat=True))
    assert asked == certified
    someone = get_user_model().objects.get(pk=sorted(asked)[0])
    assert services.pending_updates(user=someone, program=program, now=timezone.now())


@pytest.mark.parametrize("changes", [1, 4])
def test_the_path_page_and_the_dashboard_read_a_fixed_number_of_queries(
    world, trainee_client, educator, django_assert_max_num_queries, changes
):
    now = world["now"]
    for number in range(changes):
        lesson = world["first"] if number % 2 == 0 else world["second"]
        change_lesson(lesson, by=educator, now=now - (10 - number) * DAY, summary=f"c{number}")
    path_url = reverse("updates:path", args=[world["program"].slug])
    # Session, user and roles (3); the program; the open updates, their changed lessons
    # and checklists (3); the completions and passed update quizzes (2); the lessons
    # named; the last update quiz: 11 however many changes.
    with django_assert_max_num_queries(11):
        assert trainee_client.get(path_url).status_code == 200
    with django_assert_max_num_queries(19):
        assert trainee_client.get(reverse("trainee_home")).status_code == 200
