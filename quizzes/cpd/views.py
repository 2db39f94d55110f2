"""CPD pages: the trainee's record and entries, evidence downloads, exports, managers' review.

Every object is reached through one helper that answers 404 for anyone who may not see
it (selectors.py, scoped by quizzes/cohorts/scope.py).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quizzes.cpd.evidence import evidence_storage
from quizzes.cpd.forms import CpdEntryForm, CpdReviewForm
from quizzes.cpd.pdf import RecordDocument, record_pdf
from quizzes.cpd.rules import CSV_HEADER, EVIDENCE_TYPES, csv_rows
from quizzes.cpd.selectors import (
    cpd_approval_required,
    cpd_entry_get_for_owner,
    cpd_entry_get_for_reviewer,
    cpd_entry_get_for_viewer,
    cpd_record,
    cpd_trainee_for_manager,
)
from quizzes.cpd.services import (
    cpd_entry_create,
    cpd_entry_delete,
    cpd_entry_review,
    cpd_entry_update,
)
from quizzes.reports.exports import csv_response
from trainingsite.access import manager_required

ENTRY_ADDED = "Your CPD entry has been recorded."
ENTRY_ADDED_PENDING = "Your CPD entry has been recorded and is waiting for approval."
ENTRY_SAVED = "Your CPD entry has been saved."
ENTRY_DELETED = "Your CPD entry has been deleted."
ENTRY_APPROVED = "The entry has been approved."
ENTRY_REJECTED = "The entry has been rejected."
NO_EVIDENCE = "This entry has no evidence file."
REVIEW_OFF = "CPD entries need no approval on this site."


def _holder_name(user) -> str:
    return user.get_full_name().strip() or user.get_username()


@login_required
@require_GET
def record(request):
    """The trainee's own CPD record: certificates with their hours, external entries, totals."""
    return render(
        request,
        "cpd/record.html",
        {"record": cpd_record(trainee=request.user), "own": True},
    )


@login_required
@require_GET
def export_csv(request):
    record_data = cpd_record(trainee=request.user)
    return csv_response("cpd-record", CSV_HEADER, csv_rows(record_data.lines))


@login_required
@require_GET
def export_pdf(request):
    record_data = cpd_record(trainee=request.user)
    document = RecordDocument(
        holder_name=_holder_name(request.user),
        lines=record_data.lines,
        totals=record_data.totals,
        printed_on=timezone.localdate(),
    )
    response = HttpResponse(record_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="cpd-record.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _form_values(form: CpdEntryForm) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "provider": data["provider"],
        "completed_on": data["completed_on"],
        "hours": data["hours"],
        "evidence": data.get("evidence"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def entry_add(request):
    # An empty POST is still a submission: bind it so that its errors show.
    bound = request.method == "POST"
    form = CpdEntryForm(request.POST if bound else None, request.FILES if bound else None)
    if bound and form.is_valid():
        try:
            entry = cpd_entry_create(user=request.user, **_form_values(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            pending = entry.status == entry.Status.PENDING
            messages.success(request, ENTRY_ADDED_PENDING if pending else ENTRY_ADDED)
            return redirect("cpd:record")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "cpd/entry_form.html", {"form": form, "entry": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, pk: int):
    entry = cpd_entry_get_for_owner(user=request.user, pk=pk)
    initial = {
        "title": entry.title,
        "provider": entry.provider,
        "completed_on": entry.completed_on,
        "hours": entry.hours,
    }
    if request.method == "POST":
        form = CpdEntryForm(request.POST, request.FILES)
    else:
        form = CpdEntryForm(initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cpd_entry_update(
                entry=entry,
                evidence_clear=form.cleaned_data["evidence_clear"],
                **_form_values(form),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, ENTRY_SAVED)
            return redirect("cpd:record")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "cpd/entry_form.html", {"form": form, "entry": entry}, status=status)


@login_required
@require_POST
def entry_delete(request, pk: int):
    entry = cpd_entry_get_for_owner(user=request.user, pk=pk)
    try:
        cpd_entry_delete(entry=entry)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("cpd:record")
    messages.success(request, ENTRY_DELETED)
    return redirect("cpd:record")


@login_required
@require_GET
def evidence(request, pk: int):
    """The entry's evidence file, as a download, to those who may see the entry (else 404)."""
    entry = cpd_entry_get_for_viewer(user=request.user, pk=pk)
    if not entry.evidence or entry.evidence_kind not in EVIDENCE_TYPES:
        raise Http404(NO_EVIDENCE)
    storage = evidence_storage()
    if not storage.exists(entry.evidence.name):
        raise Http404(NO_EVIDENCE)
    content_type, extension = EVIDENCE_TYPES[entry.evidence_kind]
    response = FileResponse(
        storage.open(entry.evidence.name, "rb"),
        as_attachment=True,
        filename=entry.evidence_original_name or f"evidence-{entry.pk}.{extension}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@manager_required
@require_GET
def trainee_record(request, pk: int):
    """A trainee's CPD record, for managers of one of the trainee's cohorts (else 404)."""
    trainee = cpd_trainee_for_manager(user=request.user, trainee_id=pk)
    return render(
        request,
        "cpd/record.html",
        {"record": cpd_record(trainee=trainee), "own": False, "review_form": CpdReviewForm()},
    )


@manager_required
@require_GET
def trainee_export_csv(request, pk: int):
    trainee = cpd_trainee_for_manager(user=request.user, trainee_id=pk)
    record_data = cpd_record(trainee=trainee)
    return csv_response(f"cpd-record-{trainee.pk}", CSV_HEADER, csv_rows(record_data.lines))


@manager_required
@require_POST
def entry_review(request, pk: int):
    """Approve or reject a pending entry (only when the site requires approval)."""
    if not cpd_approval_required():
        raise Http404(REVIEW_OFF)
    entry = cpd_entry_get_for_reviewer(user=request.user, pk=pk)
    form = CpdReviewForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "cpd/record.html",
            {
                "record": cpd_record(trainee=entry.user),
                "own": False,
                "review_form": form,
            },
            status=400,
        )
    approve = form.cleaned_data["decision"] == "approve"
    try:
        cpd_entry_review(entry=entry, by=request.user, approve=approve)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, ENTRY_APPROVED if approve else ENTRY_REJECTED)
    return redirect("cpd:trainee", pk=entry.user_id)
