"""CPD pages: the record, entries, evidence downloads, exports, and managers in scope.

Personas: the trainee (owner), another trainee, the trainee's manager (cohort), a manager
of another cohort, a superuser.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.cpd.forms import DATE_IN_FUTURE
from quizzes.cpd.pdf import RecordDocument, record_pdf
from quizzes.cpd.rules import CSV_HEADER, SOURCE_EXTERNAL, CpdLine, cpd_totals
from quizzes.cpd.views import ENTRY_ADDED, ENTRY_ADDED_PENDING
from quizzes.models import CpdEntry
from tests.builders import make_certificate, make_cohort, make_program
from tests.cpd.conftest import PDF_BYTES, pdf_upload
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db

RECORD = reverse("cpd:record")
ADD = reverse("cpd:add")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cohort(trainee, manager):
    return make_cohort(managers=[manager], trainees=[trainee])


@pytest.fixture
def other_cohort(other_trainee, other_manager):
    return make_cohort(managers=[other_manager], trainees=[other_trainee])


@pytest.fixture
def certificate(trainee):
    program = make_program(slug="cpd-views", name="Bleeding management foundation")
    certificate = make_certificate(trainee, program, issued_at=timezone.now() - timedelta(days=30))
    certificate.cpd_hours, certificate.cpd_awarding_body = Decimal("3.0"), "The Board"
    certificate.save()
    return certificate


@pytest.fixture
def entry(trainee, make_entry):
    return make_entry(
        trainee,
        hours="2.5",
        on=timezone.localdate() - timedelta(days=10),
        evidence=pdf_upload("my letter.pdf"),
    )


def _form(**overrides) -> dict:
    data = {
        "title": "Vascular anatomy update",
        "provider": "Another academy",
        "completed_on": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "hours": "1.5",
    }
    data.update(overrides)
    return data


# --- The record -----------------------------------------------------------------------------


def test_record_lists_certificates_with_hours_and_entries_with_totals(
    trainee_client, certificate, entry, make_entry, trainee
):
    make_entry(trainee, hours="4.0", on=timezone.localdate() - timedelta(days=800), title="Old")
    page = trainee_client.get(RECORD).content.decode()
    assert certificate.program.name in page and "The Board" in page
    assert certificate.get_absolute_url() in page
    assert entry.title in page and "my letter.pdf" in page
    assert 'data-testid="total-all">9.5<' in page
    assert 'data-testid="total-12">5.5 ' in page


def test_revoked_certificates_and_pending_entries_do_not_count(trainee, make_entry, settings):
    program = make_program(slug="revoked-cpd")
    revoked = make_certificate(trainee, program, issued_at=timezone.now(), revoked=True)
    revoked.cpd_hours = Decimal("3.0")
    revoked.save()
    settings.CPD_APPROVAL_REQUIRED = True
    make_entry(trainee, hours="2.0", on=timezone.localdate())
    page = _client(trainee).get(RECORD).content.decode()
    assert 'data-testid="total-all">0.0<' in page
    assert 'data-testid="total-pending">2.0 ' in page


def test_the_dashboard_and_navigation_link_to_the_record(trainee_client):
    page = trainee_client.get(reverse("trainee_home")).content.decode()
    assert 'data-testid="cpd-link"' in page
    assert f'href="{RECORD}">CPD record</a>' in page


def test_record_needs_a_log_in(client):
    response = client.get(RECORD)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_record_page_keeps_a_flat_query_count(trainee, make_entry, django_assert_max_num_queries):
    """Session, user, roles, then the certificates and the entries: five with 1 or 25 entries."""
    program = make_program(slug="budget")
    make_certificate(trainee, program, issued_at=timezone.now())
    client = _client(trainee)
    make_entry(trainee, evidence=pdf_upload())
    with django_assert_max_num_queries(5) as one:
        assert client.get(RECORD).status_code == 200
    for n in range(24):
        make_entry(trainee, title=f"Entry {n}", evidence=pdf_upload())
    with django_assert_max_num_queries(5) as many:
        assert client.get(RECORD).status_code == 200
    assert len(many.captured_queries) == len(one.captured_queries)


# --- Entries ----------------------------------------------------------------------------------


def test_add_records_an_entry_with_its_evidence(trainee_client, trainee):
    response = trainee_client.post(ADD, {**_form(), "evidence": pdf_upload("cert.pdf")})
    assert response.status_code == 302 and response["Location"] == RECORD
    entry = CpdEntry.objects.get(user=trainee)
    assert (entry.title, entry.hours, entry.status) == (
        "Vascular anatomy update",
        Decimal("1.5"),
        CpdEntry.Status.RECORDED,
    )
    assert entry.evidence_original_name == "cert.pdf"
    assert ENTRY_ADDED in trainee_client.get(RECORD).content.decode()


def test_add_with_approval_on_says_it_waits(trainee_client, trainee, settings):
    settings.CPD_APPROVAL_REQUIRED = True
    trainee_client.post(ADD, _form())
    assert CpdEntry.objects.get(user=trainee).status == CpdEntry.Status.PENDING
    assert ENTRY_ADDED_PENDING in trainee_client.get(RECORD).content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"hours": "0"}, "greater than or equal to 0.1"),
        ({"hours": "100.5"}, "less than or equal to 100"),
        ({"hours": "1.25"}, "1 decimal place"),
        ({"completed_on": "2999-01-01"}, DATE_IN_FUTURE),
    ],
)
def test_add_refuses_bad_values(trainee_client, overrides, message):
    response = trainee_client.post(ADD, _form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert CpdEntry.objects.count() == 0


def test_add_refuses_evidence_that_is_not_pdf_png_or_jpeg(trainee_client):
    upload = pdf_upload("evil.pdf", content=b"<html><script>alert(1)</script>")
    response = trainee_client.post(ADD, {**_form(), "evidence": upload})
    assert response.status_code == 400
    assert "not a PDF, PNG or JPEG" in response.content.decode()
    assert CpdEntry.objects.count() == 0


def test_owner_edits_an_entry(trainee_client, entry):
    url = reverse("cpd:edit", args=[entry.pk])
    assert trainee_client.get(url).status_code == 200
    response = trainee_client.post(url, _form(title="Renamed", evidence_clear="on"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.title, entry.evidence.name) == ("Renamed", "")


def test_an_approved_entry_cannot_be_edited_or_deleted(trainee_client, entry):
    CpdEntry.objects.filter(pk=entry.pk).update(
        status=CpdEntry.Status.APPROVED, reviewed_at=timezone.now()
    )
    url = reverse("cpd:edit", args=[entry.pk])
    assert "can no longer be changed" in trainee_client.get(url).content.decode()
    assert trainee_client.post(url, _form(title="Changed")).status_code == 400
    trainee_client.post(reverse("cpd:delete", args=[entry.pk]))
    assert CpdEntry.objects.get(pk=entry.pk).title == entry.title


def test_owner_deletes_an_entry(trainee_client, entry):
    response = trainee_client.post(reverse("cpd:delete", args=[entry.pk]))
    assert response.status_code == 302
    assert not CpdEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("persona", ["other_trainee", "manager", "superuser"])
def test_nobody_else_edits_or_deletes_an_entry(request, entry, cohort, persona):
    client = _client(request.getfixturevalue(persona))
    edit = reverse("cpd:edit", args=[entry.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, _form(title="Hijacked")).status_code == 404
    assert client.post(reverse("cpd:delete", args=[entry.pk])).status_code == 404
    assert CpdEntry.objects.get(pk=entry.pk).title == entry.title


# --- Evidence ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["trainee", "manager", "superuser"])
def test_evidence_downloads_as_an_attachment_to_those_who_may_see_it(
    request, entry, cohort, persona
):
    client = _client(request.getfixturevalue(persona))
    response = client.get(reverse("cpd:evidence", args=[entry.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="my letter.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES


@pytest.mark.parametrize("persona", ["other_trainee", "other_manager", "educator"])
def test_evidence_is_a_404_for_anyone_else(request, entry, cohort, other_cohort, persona):
    client = _client(request.getfixturevalue(persona))
    assert client.get(reverse("cpd:evidence", args=[entry.pk])).status_code == 404


def test_evidence_is_not_under_the_public_media_address(entry, settings):
    stored = Path(settings.CPD_EVIDENCE_ROOT) / entry.evidence.name
    assert stored.is_file()
    assert Path(settings.MEDIA_ROOT) not in stored.parents


# --- Exports ----------------------------------------------------------------------------------


def test_csv_export_lists_every_line(trainee_client, certificate, entry):
    response = trainee_client.get(reverse("cpd:export_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="cpd-record-')
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(CSV_HEADER)
    assert len(lines) == 3
    entry_row = next(line for line in lines if line.startswith("External"))
    assert entry_row == (
        f"External,Haemostasis workshop,Another academy,{entry.completed_on.isoformat()},"
        "2.5,Recorded,yes,"
    )
    certificate_row = next(line for line in lines if line.startswith("Certificate"))
    assert certificate_row.endswith(f",3.0,Issued,yes,{certificate.display_code}")


def test_csv_cells_that_look_like_formulas_are_neutralised(trainee_client, trainee, make_entry):
    make_entry(trainee, title='=HYPERLINK("http://evil")')
    body = b"".join(trainee_client.get(reverse("cpd:export_csv")).streaming_content).decode()
    assert "'=HYPERLINK" in body


def test_pdf_export_is_a_pdf_attachment(trainee_client, entry):
    response = trainee_client.get(reverse("cpd:export_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_the_record_pdf_lists_the_lines_and_totals():
    lines = [
        CpdLine(
            SOURCE_EXTERNAL,
            f"Course {n}",
            "Academy",
            date(2026, 1, 1),
            Decimal("1.5"),
            "Recorded",
            True,
        )
        for n in range(60)
    ]
    document = RecordDocument(
        holder_name="Tara Trainee",
        lines=lines,
        totals=cpd_totals(lines=lines, today=date(2026, 6, 1)),
        printed_on=date(2026, 6, 1),
    )
    data = record_pdf(document, compress=False)
    assert b"Total: 90.0 CPD hours" in data
    assert b"Course 59" in data and b"/Count 2" in data  # over two pages


# --- Managers -------------------------------------------------------------------------------


def test_the_reports_drill_down_links_to_the_trainee_record(trainee, cohort, manager):
    page = _client(manager).get(reverse("reports:trainee", args=[trainee.pk])).content.decode()
    assert reverse("cpd:trainee", args=[trainee.pk]) in page


def test_manager_in_scope_sees_the_trainee_record(trainee, cohort, manager, entry, certificate):
    page = _client(manager).get(reverse("cpd:trainee", args=[trainee.pk])).content.decode()
    assert entry.title in page and certificate.display_code in page
    assert reverse("cpd:edit", args=[entry.pk]) not in page
    csv = _client(manager).get(reverse("cpd:trainee_export_csv", args=[trainee.pk]))
    assert entry.title in b"".join(csv.streaming_content).decode()


def test_manager_cannot_see_other_cohort(trainee, cohort, other_cohort, other_manager, entry):
    client = _client(other_manager)
    assert client.get(reverse("cpd:trainee", args=[trainee.pk])).status_code == 404
    assert client.get(reverse("cpd:trainee_export_csv", args=[trainee.pk])).status_code == 404


def test_trainees_do_not_see_another_record(trainee, other_trainee, cohort):
    assert _client(other_trainee).get(reverse("cpd:trainee", args=[trainee.pk])).status_code == 403


def test_manager_approves_a_pending_entry_when_approval_is_on(
    trainee, cohort, manager, make_entry, settings
):
    settings.CPD_APPROVAL_REQUIRED = True
    entry = make_entry(trainee)
    client = _client(manager)
    page = client.get(reverse("cpd:trainee", args=[trainee.pk])).content.decode()
    assert reverse("cpd:review", args=[entry.pk]) in page
    response = client.post(reverse("cpd:review", args=[entry.pk]), {"decision": "approve"})
    assert response.status_code == 302
    assert response["Location"] == reverse("cpd:trainee", args=[trainee.pk])
    entry.refresh_from_db()
    assert (entry.status, entry.reviewed_by) == (CpdEntry.Status.APPROVED, manager)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CPD_ENTRY_APPROVED).count() == 1
    page = _client(trainee).get(RECORD).content.decode()
    assert 'data-testid="total-all">2.0<' in page


def test_manager_rejects_and_a_bad_decision_is_refused(
    trainee, cohort, manager, make_entry, settings
):
    settings.CPD_APPROVAL_REQUIRED = True
    entry = make_entry(trainee)
    client = _client(manager)
    url = reverse("cpd:review", args=[entry.pk])
    assert client.post(url, {"decision": "maybe"}).status_code == 400
    assert client.post(url, {"decision": "reject"}).status_code == 302
    assert CpdEntry.objects.get(pk=entry.pk).status == CpdEntry.Status.REJECTED


def test_out_of_scope_manager_cannot_review(
    trainee, cohort, other_cohort, other_manager, make_entry, settings
):
    settings.CPD_APPROVAL_REQUIRED = True
    entry = make_entry(trainee)
    response = _client(other_manager).post(
        reverse("cpd:review", args=[entry.pk]), {"decision": "approve"}
    )
    assert response.status_code == 404
    assert CpdEntry.objects.get(pk=entry.pk).status == CpdEntry.Status.PENDING


def test_review_is_a_404_when_approval_is_off(trainee, cohort, manager, make_entry, settings):
    settings.CPD_APPROVAL_REQUIRED = False
    entry = make_entry(trainee)
    client = _client(manager)
    page = client.get(reverse("cpd:trainee", args=[trainee.pk])).content.decode()
    assert reverse("cpd:review", args=[entry.pk]) not in page
    response = client.post(reverse("cpd:review", args=[entry.pk]), {"decision": "approve"})
    assert response.status_code == 404
    assert CpdEntry.objects.get(pk=entry.pk).status == CpdEntry.Status.RECORDED


def test_certificate_dates_are_local_days(trainee, make_entry):
    program = make_program(slug="dates")
    make_certificate(trainee, program, issued_at=datetime(2026, 6, 1, 12, tzinfo=UTC))
    page = _client(trainee).get(RECORD).content.decode()
    assert "1 Jun 2026" in page
