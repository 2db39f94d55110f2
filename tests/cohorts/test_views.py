"""Cohort pages: access, scoping (404 outside one's cohorts), adding, importing, joining."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from quizzes.cohorts.csv_import import (
    ERROR_CONFIRM_WITH_ERRORS,
    ERROR_EMPTY,
    ERROR_ENCODING,
    ROW_ERROR_DUPLICATE,
)
from quizzes.cohorts.forms import ERROR_PASSWORDS_DIFFER
from quizzes.cohorts.tokens import join_code_format, join_code_new
from quizzes.cohorts.views import MESSAGE_ADDED_NEW, imported_message
from quizzes.models import CohortMembership
from quizzes.models.cohorts import CohortInvitation
from tests.builders import make_trainee
from tests.builders.cohorts import make_invitation
from trainingsite.access import NOT_A_MANAGER

pytestmark = pytest.mark.django_db
User = get_user_model()


# --- Who may open what -------------------------------------------------------------------


def test_trainees_and_educators_get_403_on_the_cohort_list(client, trainee, educator):
    for persona in (trainee, educator):
        client.force_login(persona)
        response = client.get(reverse("cohorts:list"))
        assert response.status_code == 403
        assert NOT_A_MANAGER in response.content.decode()


def test_other_cohort_pages_and_actions_are_404(manager_client, world):
    slug = world.cohort_b.slug
    assert manager_client.get(reverse("cohorts:detail", args=[slug])).status_code == 404
    add = manager_client.post(reverse("cohorts:add", args=[slug]), {"email": "x@example.com"})
    assert add.status_code == 404
    upload = SimpleUploadedFile("t.csv", b"name,email\nX Y,x@example.com\n")
    assert (
        manager_client.post(reverse("cohorts:import", args=[slug]), {"file": upload}).status_code
        == 404
    )
    confirm = manager_client.post(
        reverse("cohorts:import_confirm", args=[slug]),
        {"csv_text": "name,email\nX Y,x@example.com\n"},
    )
    assert confirm.status_code == 404
    invitation, _ = make_invitation(cohort=world.cohort_b, user=make_trainee(username="asked"))
    for name, kwargs in [
        ("cohorts:join_code_new", {"slug": slug}),
        ("cohorts:join_code_off", {"slug": slug}),
        ("cohorts:invitation_withdraw", {"slug": slug, "pk": invitation.pk}),
        # Another cohort's invitation through one's own cohort: 404 as well.
        ("cohorts:invitation_withdraw", {"slug": world.cohort_a.slug, "pk": invitation.pk}),
    ]:
        assert manager_client.post(reverse(name, kwargs=kwargs)).status_code == 404, name
    assert CohortMembership.objects.filter(cohort=world.cohort_b).count() == 1
    assert User.objects.filter(email="x@example.com").exists() is False
    world.cohort_b.refresh_from_db()
    assert world.cohort_b.join_code is None
    invitation.refresh_from_db()
    assert invitation.status == CohortInvitation.Status.PENDING


# --- Cohort management ----------------------------------------------------------------------


def test_add_trainee_by_email(manager_client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("cohorts:add", args=[world.cohort_a.slug]),
            {"email": "newbie@example.com", "first_name": "New", "last_name": "Bie"},
        )
    assert response.status_code == 302
    assert world.cohort_a.trainees.filter(email="newbie@example.com").exists() is True
    assert [m.to for m in mail.outbox] == [["newbie@example.com"]]
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == [MESSAGE_ADDED_NEW.format(email="newbie@example.com")]


def upload(client, cohort, data, name="trainees.csv"):
    return client.post(
        reverse("cohorts:import", args=[cohort.slug]),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def test_import_preview_then_confirm(manager_client, world, django_capture_on_commit_callbacks):
    data = f"Name,Email\nNew Person,new@example.com\nOut Sider,{world.outsider.email}\n".encode()
    preview = upload(manager_client, world.cohort_a, data)
    assert preview.status_code == 200
    assert b"new@example.com" in preview.content
    page = preview.content.decode()
    assert "1</strong> existing account will be sent an invitation" in page
    assert "Existing accounts to invite" in page
    assert User.objects.filter(email="new@example.com").exists() is False
    text = preview.context["confirm_form"].initial["csv_text"]
    with django_capture_on_commit_callbacks(execute=True):
        confirm = manager_client.post(
            reverse("cohorts:import_confirm", args=[world.cohort_a.slug]),
            {"csv_text": text},
        )
    assert confirm.status_code == 302
    assert world.cohort_a.trainees.filter(email="new@example.com").exists() is True
    # The existing account is invited: neither duplicated nor added.
    assert User.objects.filter(email=world.outsider.email).count() == 1
    assert world.cohort_a.trainees.filter(pk=world.outsider.pk).exists() is False
    assert CohortInvitation.objects.get().user == world.outsider
    assert sorted(m.to[0] for m in mail.outbox) == ["new@example.com", world.outsider.email]
    shown = [str(m) for m in get_messages(confirm.wsgi_request)]
    assert shown == [imported_message(created=1, invited=1, already=0)]
    # The cohort page lists the invitation by the address typed, with a way to withdraw it.
    page = manager_client.get(reverse("cohorts:detail", args=[world.cohort_a.slug]))
    assert world.outsider.email in page.content.decode()
    assert "Out Sider" not in page.content.decode()


def test_import_preview_lists_row_errors_and_offers_no_confirm(manager_client, world):
    data = b"name,email\nAnn,ann@example.com\nAnn Two,ANN@example.com\n"
    response = upload(manager_client, world.cohort_a, data)
    assert response.status_code == 200
    assert ROW_ERROR_DUPLICATE.format(email="ANN@example.com", line=2) in response.content.decode()
    assert b"Confirm the import" not in response.content


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", ERROR_EMPTY), ("name,email\nJos\xe9,j@example.com\n".encode("latin-1"), ERROR_ENCODING)],
)
def test_import_file_errors_are_400_with_a_clear_message(manager_client, world, data, message):
    response = upload(manager_client, world.cohort_a, data)
    assert response.status_code == 400
    assert escape(message) in response.content.decode()


def test_confirm_of_a_tampered_file_with_errors_saves_nothing(manager_client, world):
    response = manager_client.post(
        reverse("cohorts:import_confirm", args=[world.cohort_a.slug]),
        {"csv_text": "name,email\nGood,good@example.com\nBad,bad\n"},
    )
    assert response.status_code == 400
    assert ERROR_CONFIRM_WITH_ERRORS.format(count=1) in response.content.decode()
    assert User.objects.filter(email="good@example.com").exists() is False


# --- Join with a code -------------------------------------------------------------------------


def test_join_with_an_unknown_code_is_404(client, world):
    assert client.get(reverse("cohorts:join", args=["nope"])).status_code == 404
    assert client.get(reverse("cohorts:join", args=[join_code_new()])).status_code == 404


def _code(cohort) -> str:
    cohort.join_code = join_code_new()
    cohort.save()
    return join_code_format(cohort.join_code)


def test_join_creates_a_trainee_and_logs_in(client, world):
    code = _code(world.cohort_a)
    response = client.post(
        reverse("cohorts:join", args=[code]),
        {
            "first_name": "Jo",
            "last_name": "Joiner",
            "email": "jo@example.com",
            "password1": "river-bank-lantern-42",
            "password2": "river-bank-lantern-42",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="jo@example.com")
    assert world.cohort_a.trainees.filter(pk=user.pk).exists() is True
    assert int(client.session["_auth_user_id"]) == user.pk


def test_join_refuses_mismatched_or_weak_passwords(client, world):
    code = _code(world.cohort_a)
    base = {"first_name": "Jo", "last_name": "Joiner", "email": "jo@example.com"}
    response = client.post(
        reverse("cohorts:join", args=[code]),
        {**base, "password1": "river-bank-lantern-42", "password2": "other-words-entirely-9"},
    )
    assert response.status_code == 400
    assert ERROR_PASSWORDS_DIFFER in response.content.decode()
    weak = client.post(
        reverse("cohorts:join", args=[code]),
        {**base, "password1": "123", "password2": "123"},
    )
    assert weak.status_code == 400
    assert User.objects.filter(email="jo@example.com").exists() is False
