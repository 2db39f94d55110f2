"""Certification admin: programs for educators, read-only certificates, revocation with a reason."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from quizzes.models.certification import Certificate, ProgramAssignment
from tests.builders import make_certificate, make_program

pytestmark = pytest.mark.django_db


def test_educator_can_author_programs(educator_client):
    make_program()
    assert educator_client.get(reverse("admin:quizzes_program_changelist")).status_code == 200
    assert educator_client.get(reverse("admin:quizzes_program_add")).status_code == 200


def test_educator_cannot_see_certificates(educator_client):
    response = educator_client.get(reverse("admin:quizzes_certificate_changelist"))
    assert response.status_code == 403


def test_program_change_page_uses_filter_horizontal(admin_client):
    program = make_program()
    response = admin_client.get(reverse("admin:quizzes_program_change", args=[program.pk]))
    assert response.status_code == 200
    assert b"selectfilter" in response.content.lower()


def test_certificate_admin_is_read_only(admin_client, trainee):
    certificate = make_certificate(trainee, make_program(), issued_at=timezone.now())
    changelist = admin_client.get(reverse("admin:quizzes_certificate_changelist"))
    assert certificate.display_code in changelist.content.decode()
    assert admin_client.get(reverse("admin:quizzes_certificate_add")).status_code == 403
    change = admin_client.post(
        reverse("admin:quizzes_certificate_change", args=[certificate.pk]),
        {"holder_name": "Someone Else"},
    )
    assert change.status_code == 403
    certificate.refresh_from_db()
    assert certificate.holder_name == "Tara Trainee"


def test_revoke_action_asks_for_a_reason_then_revokes(admin_client, trainee):
    certificate = make_certificate(trainee, make_program(), issued_at=timezone.now())
    url = reverse("admin:quizzes_certificate_changelist")
    data = {"action": "revoke_certificates", ACTION_CHECKBOX_NAME: [certificate.pk]}
    form = admin_client.post(url, data)
    assert form.status_code == 200
    assert "Give the reason" in form.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_at is None

    empty = admin_client.post(url, {**data, "apply": "1", "reason": ""})
    assert empty.status_code == 200
    assert Certificate.objects.get().revoked_at is None

    done = admin_client.post(url, {**data, "apply": "1", "reason": "Exam taken by another."})
    assert done.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoke_reason == "Exam taken by another."


def test_assignment_admin_assigns_through_the_service(admin_client, trainee, superuser):
    program = make_program()
    due = timezone.localdate() + timedelta(days=30)
    response = admin_client.post(
        reverse("admin:quizzes_programassignment_add"),
        {"user": trainee.pk, "program": program.pk, "due_date": due.isoformat()},
    )
    assert response.status_code == 302
    assignment = ProgramAssignment.objects.get()
    assert assignment.due_date == due
    assert assignment.assigned_by.is_superuser is True


def test_assignment_admin_refuses_draft_program(admin_client, trainee):
    program = make_program(status="draft")
    response = admin_client.post(
        reverse("admin:quizzes_programassignment_add"),
        {"user": trainee.pk, "program": program.pk},
    )
    assert response.status_code == 200
    assert "Only a published program can be assigned." in response.content.decode()
    assert not ProgramAssignment.objects.exists()
