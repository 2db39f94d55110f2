"""Report and cohort views: access, scoping (404 outside one's cohorts), CSV, import, join."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.html import escape

from quizzes.cohorts.csv_import import (
    ERROR_CONFIRM_WITH_ERRORS,
    ERROR_EMPTY,
    ERROR_ENCODING,
    ROW_ERROR_DUPLICATE,
)
from quizzes.models import CohortMembership
from quizzes.reports.forms import ERROR_PASSWORDS_DIFFER
from quizzes.reports.views import NOT_FOR_TRAINEES
from trainingsite.access import NOT_A_MANAGER

pytestmark = pytest.mark.django_db
User = get_user_model()


def csv_rows(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- Who may open what -------------------------------------------------------------------

MANAGER_PAGES = [
    "reports:overview",
    "reports:trainees",
    "reports:trainees_export",
    "reports:overview_export",
    "reports:cohorts",
]


@pytest.mark.parametrize("name", MANAGER_PAGES)
def test_trainees_and_educators_get_403_on_manager_pages(client, trainee, educator, name):
    for persona in (trainee, educator):
        client.force_login(persona)
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert NOT_A_MANAGER in response.content.decode()


def test_trainee_gets_403_on_quiz_reports(trainee_client, world):
    for name in ("reports:quiz", "reports:questions", "reports:questions_export"):
        response = trainee_client.get(reverse(name, args=[world.quiz.pk]))
        assert response.status_code == 403
        assert NOT_FOR_TRAINEES in response.content.decode()
    assert trainee_client.get(reverse("reports:quizzes")).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("reports:overview"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_manager_landing_is_the_overview(manager_client, world):
    response = manager_client.get(reverse("manager_home"))
    assert response.status_code == 200
    assert b"Alpha Clinic: Foundation" in response.content
    assert b"Beta Clinic" not in response.content


def test_educator_reads_question_analysis_with_edit_links(educator_client, world):
    response = educator_client.get(reverse("reports:questions", args=[world.quiz.pk]))
    assert response.status_code == 200
    assert b"/admin/quizzes/question/" in response.content


# --- Scoping: cohort B is out of reach for cohort A's manager ---------------------------------


def test_other_cohort_trainee_is_404_everywhere(manager_client, world):
    for name in ("reports:trainee", "reports:trainee_attempts_export"):
        response = manager_client.get(reverse(name, args=[world.outsider.pk]))
        assert response.status_code == 404


def test_other_cohort_as_filter_is_404_everywhere(manager_client, world):
    slug = world.cohort_b.slug
    urls = [
        reverse("reports:overview"),
        reverse("reports:overview_export"),
        reverse("reports:trainees"),
        reverse("reports:trainees_export"),
        reverse("reports:quiz", args=[world.quiz.pk]),
        reverse("reports:quiz_export", args=[world.quiz.pk]),
        reverse("reports:questions", args=[world.quiz.pk]),
        reverse("reports:questions_export", args=[world.quiz.pk]),
    ]
    for url in urls:
        assert manager_client.get(url, {"cohort": slug}).status_code == 404, url


def test_other_cohort_pages_and_actions_are_404(manager_client, world):
    slug = world.cohort_b.slug
    assert manager_client.get(reverse("reports:cohort", args=[slug])).status_code == 404
    add = manager_client.post(
        reverse("reports:cohort_add", args=[slug]), {"email": "x@example.com"}
    )
    assert add.status_code == 404
    upload = SimpleUploadedFile("t.csv", b"name,email\nX Y,x@example.com\n")
    assert (
        manager_client.post(
            reverse("reports:cohort_import", args=[slug]), {"file": upload}
        ).status_code
        == 404
    )
    confirm = manager_client.post(
        reverse("reports:cohort_import_confirm", args=[slug]),
        {"csv_text": "name,email\nX Y,x@example.com\n"},
    )
    assert confirm.status_code == 404
    assert CohortMembership.objects.filter(cohort=world.cohort_b).count() == 1
    assert User.objects.filter(email="x@example.com").exists() is False


def test_tables_and_exports_hold_only_own_cohorts(manager_client, world):
    page = manager_client.get(reverse("reports:trainees"), {"q": "Sider"})
    assert b"Out Sider" not in page.content
    rows = csv_rows(manager_client.get(reverse("reports:trainees_export")))
    emails = {row[1] for row in rows[1:]}
    assert world.outsider.email not in emails
    assert len(emails) == 6
    quiz = manager_client.get(reverse("reports:quiz", args=[world.quiz.pk]))
    assert b'data-testid="attempts">3<' in quiz.content


def test_bad_filter_values_are_400(manager_client, world):
    response = manager_client.get(reverse("reports:trainees"), {"status": "nonsense"})
    assert response.status_code == 400
    response = manager_client.get(reverse("reports:trainees"), {"program": "999999"})
    assert response.status_code == 400
    assert manager_client.get(reverse("reports:quiz", args=[999999])).status_code == 404


# --- Exports ------------------------------------------------------------------------------------


def test_trainees_export_streams_with_the_filters(manager_client, world):
    response = manager_client.get(
        reverse("reports:trainees_export"), {"status": "overdue", "cohort": world.cohort_a.slug}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="trainees-')
    rows = csv_rows(response)
    assert rows[0][:5] == ["Name", "E-mail", "Cohorts", "Program", "Status"]
    assert [(r[1], r[4], r[5]) for r in rows[1:]] == [
        (world.overdue.email, "Overdue", "2026-11-01")
    ]


def test_export_neutralises_formulas(manager_client, world):
    world.overdue.first_name = "=HYPERLINK(1)"
    world.overdue.save()
    rows = csv_rows(manager_client.get(reverse("reports:trainees_export"), {"status": "overdue"}))
    assert rows[1][0].startswith("'=HYPERLINK(1)")


def test_every_export_streams(manager_client, world):
    urls = [
        reverse("reports:overview_export"),
        reverse("reports:trainee_attempts_export", args=[world.certified.pk]),
        reverse("reports:quiz_export", args=[world.quiz.pk]),
        reverse("reports:questions_export", args=[world.quiz.pk]),
    ]
    for url in urls:
        rows = csv_rows(manager_client.get(url))
        assert len(rows) > 1, url


# --- Cohort management ----------------------------------------------------------------------


def test_add_trainee_by_email(manager_client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("reports:cohort_add", args=[world.cohort_a.slug]),
            {"email": "newbie@example.com", "first_name": "New", "last_name": "Bie"},
        )
    assert response.status_code == 302
    assert world.cohort_a.trainees.filter(email="newbie@example.com").exists() is True
    assert [m.to for m in mail.outbox] == [["newbie@example.com"]]


def upload(client, cohort, data, name="trainees.csv"):
    return client.post(
        reverse("reports:cohort_import", args=[cohort.slug]),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def test_import_preview_then_confirm(manager_client, world, django_capture_on_commit_callbacks):
    data = f"Name,Email\nNew Person,new@example.com\nOut Sider,{world.outsider.email}\n".encode()
    preview = upload(manager_client, world.cohort_a, data)
    assert preview.status_code == 200
    assert b"new@example.com" in preview.content
    assert User.objects.filter(email="new@example.com").exists() is False
    text = preview.context["confirm_form"].initial["csv_text"]
    with django_capture_on_commit_callbacks(execute=True):
        confirm = manager_client.post(
            reverse("reports:cohort_import_confirm", args=[world.cohort_a.slug]),
            {"csv_text": text},
        )
    assert confirm.status_code == 302
    assert world.cohort_a.trainees.filter(email="new@example.com").exists() is True
    # The existing account is added, not duplicated.
    assert User.objects.filter(email=world.outsider.email).count() == 1
    assert world.cohort_a.trainees.filter(pk=world.outsider.pk).exists() is True
    assert [m.to for m in mail.outbox] == [["new@example.com"]]


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
        reverse("reports:cohort_import_confirm", args=[world.cohort_a.slug]),
        {"csv_text": "name,email\nGood,good@example.com\nBad,bad\n"},
    )
    assert response.status_code == 400
    assert ERROR_CONFIRM_WITH_ERRORS.format(count=1) in response.content.decode()
    assert User.objects.filter(email="good@example.com").exists() is False


# --- Join with a code -------------------------------------------------------------------------


def test_join_with_an_unknown_code_is_404(client, world):
    assert client.get(reverse("reports:join", args=["nope"])).status_code == 404


def test_join_creates_a_trainee_and_logs_in(client, world):
    world.cohort_a.join_code = "alpha-2026"
    world.cohort_a.save()
    response = client.post(
        reverse("reports:join", args=["alpha-2026"]),
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
    world.cohort_a.join_code = "alpha-2026"
    world.cohort_a.save()
    base = {"first_name": "Jo", "last_name": "Joiner", "email": "jo@example.com"}
    response = client.post(
        reverse("reports:join", args=["alpha-2026"]),
        {**base, "password1": "river-bank-lantern-42", "password2": "other-words-entirely-9"},
    )
    assert response.status_code == 400
    assert ERROR_PASSWORDS_DIFFER in response.content.decode()
    weak = client.post(
        reverse("reports:join", args=["alpha-2026"]),
        {**base, "password1": "123", "password2": "123"},
    )
    assert weak.status_code == 400
    assert User.objects.filter(email="jo@example.com").exists() is False
