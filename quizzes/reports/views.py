"""Manager reports, question analysis, cohort pages and the join-code sign-up.

Thin views: a form parses the query, one selector or service does the work.
Every object goes through the scoping helpers in quizzes.cohorts.services, so anything
outside the viewer's cohorts is a 404.
"""

import csv
from collections.abc import Iterable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quizzes.certification.rules import ProgressStatus
from quizzes.cohorts.csv_import import CsvImportError, cohort_import_preview, cohort_import_trainees
from quizzes.cohorts.scope import (
    cohort_for_manager_or_404,
    cohorts_for_manager,
    trainee_for_manager_or_404,
)
from quizzes.cohorts.selectors import cohort_join_get_or_404
from quizzes.cohorts.services import CohortError, cohort_add_trainee, cohort_join
from quizzes.reports.forms import (
    AddTraineeForm,
    CohortFilterForm,
    ImportConfirmForm,
    ImportUploadForm,
    JoinForm,
    TraineeFilterForm,
)
from quizzes.reports.selectors import (
    STATUS_ORDER,
    TraineeFilters,
    quiz_for_reports_or_404,
    quizzes_for_reports,
    report_overview,
    report_question_analysis,
    report_quiz,
    report_trainee_detail,
    report_trainees,
    report_trainees_export,
    trainee_attempts,
)
from trainingsite.access import manager_required
from trainingsite.roles import user_is_educator, user_is_manager

NOT_FOR_TRAINEES = "This page is for managers and educators."
BAD_FILTER = "These filters are not valid: {errors}"
MESSAGE_ADDED_NEW = "{email} was added and e-mailed a link to choose a password."
MESSAGE_ADDED_EXISTING = "{email} already had an account and was added to the cohort."
MESSAGE_IMPORTED = (
    "Imported: {created} new trainee(s) e-mailed a set-your-password link, "
    "{added} existing account(s) added, {already} already in the cohort."
)
ERROR_CONFIRM_INCOMPLETE = "The confirmation was incomplete; upload the file again."
# Spreadsheet programs run cells starting with these as formulas.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def reports_staff_required(view):
    """Managers and educators only; trainees get 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (user_is_manager(request.user) or user_is_educator(request.user)):
            raise PermissionDenied(NOT_FOR_TRAINEES)
        return view(request, *args, **kwargs)

    return wrapped


def _bad_request(form) -> HttpResponseBadRequest:
    errors = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in form.errors.items())
    return HttpResponseBadRequest(BAD_FILTER.format(errors=errors), content_type="text/plain")


def _cohort_from_query(request, form):
    slug = form.cleaned_data.get("cohort")
    return cohort_for_manager_or_404(request.user, slug) if slug else None


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_response(filename: str, header: list[str], rows: Iterable[Iterable]):
    """Stream rows as CSV: each line is written as it is produced."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(header)  # the BOM makes Excel read UTF-8
        for row in rows:
            yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


# --- Overview -------------------------------------------------------------------------


@manager_required
@require_GET
def overview(request):
    form = CohortFilterForm(request.GET)
    if not form.is_valid():
        return _bad_request(form)
    cohort = _cohort_from_query(request, form)
    data = report_overview(user=request.user, cohort=cohort)
    return render(
        request,
        "reports/overview.html",
        {
            "section": "overview",
            "overview": data,
            "cohort": cohort,
            "all_cohorts": data.all_cohorts,
            "overdue": ProgressStatus.OVERDUE.value,
            "status_order": STATUS_ORDER,
        },
    )


@manager_required
@require_GET
def overview_export(request):
    form = CohortFilterForm(request.GET)
    if not form.is_valid():
        return _bad_request(form)
    data = report_overview(user=request.user, cohort=_cohort_from_query(request, form))
    header = ["Cohort", "Program", "Due date", "Trainees"]
    header += [status.label for status in STATUS_ORDER] + ["Completion %"]
    rows = (
        [s.cohort.name, s.program.name, s.due_date, s.total]
        + [s.counts[status] for status in STATUS_ORDER]
        + [s.completion_percent]
        for s in data.summaries
    )
    return _csv_response("cohort-overview", header, rows)


# --- Trainees ---------------------------------------------------------------------------


def _trainee_filters(request):
    form = TraineeFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    sort = data["sort"]
    filters = TraineeFilters(
        cohort=_cohort_from_query(request, form),
        program=data.get("program"),
        status=data.get("status") or "",
        q=data.get("q") or "",
        sort=sort.lstrip("-"),
        descending=sort.startswith("-"),
    )
    return form, filters


@manager_required
@require_GET
def trainees(request):
    form, filters = _trainee_filters(request)
    if filters is None:
        return _bad_request(form)
    table = report_trainees(user=request.user, filters=filters, page=form.cleaned_data["page"])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/trainees.html",
        {
            "section": "trainees",
            "form": form,
            "filters": filters,
            "table": table,
            "query": query.urlencode(),
            "all_cohorts": table.all_cohorts,
        },
    )


TRAINEE_HEADER = [
    "Name",
    "E-mail",
    "Cohorts",
    "Program",
    "Status",
    "Due date",
    "Progress %",
    "Requirements done",
    "Requirements",
    "Last activity",
    "Best scores",
    "Certificate",
    "Certificate expires",
]


@manager_required
@require_GET
def trainees_export(request):
    form, filters = _trainee_filters(request)
    if filters is None:
        return _bad_request(form)
    rows = (
        [
            r.name,
            r.email,
            r.cohorts,
            r.program_name,
            r.status_label,
            r.due_date,
            r.percent,
            r.done,
            r.required,
            r.last_activity_at,
            r.best_scores_text,
            r.certificate_code,
            r.certificate_expires_at,
        ]
        for r in report_trainees_export(user=request.user, filters=filters)
    )
    return _csv_response("trainees", TRAINEE_HEADER, rows)


@manager_required
@require_GET
def trainee_detail(request, pk: int):
    detail = report_trainee_detail(user=request.user, trainee_id=pk)
    return render(request, "reports/trainee_detail.html", {"detail": detail, "section": "trainees"})


ATTEMPT_HEADER = ["Quiz", "Kind", "State", "Started", "Submitted", "Minutes", "Score %", "Passed"]


def _minutes(attempt) -> str:
    if attempt.submitted_at is None:
        return ""
    return f"{(attempt.submitted_at - attempt.started_at).total_seconds() / 60:.1f}"


@manager_required
@require_GET
def trainee_attempts_export(request, pk: int):
    trainee = trainee_for_manager_or_404(request.user, pk)
    rows = (
        [
            a.quiz.title,
            a.get_kind_display(),
            a.get_state_display(),
            a.started_at,
            a.submitted_at,
            _minutes(a),
            "" if a.percent is None else f"{a.percent:.1f}",
            "" if a.passed is None else ("yes" if a.passed else "no"),
        ]
        for a in trainee_attempts(trainee=trainee).iterator(chunk_size=500)
    )
    return _csv_response(f"attempts-{trainee.pk}", ATTEMPT_HEADER, rows)


# --- Quizzes and questions ----------------------------------------------------------------


@reports_staff_required
@require_GET
def quiz_list(request):
    return render(
        request,
        "reports/quizzes.html",
        {
            "section": "quizzes",
            "quizzes": quizzes_for_reports(),
            "is_manager": user_is_manager(request.user),
        },
    )


def _quiz_context(request, pk: int):
    form = CohortFilterForm(request.GET)
    if not form.is_valid():
        return form, None, None
    quiz = quiz_for_reports_or_404(pk)
    cohort = _cohort_from_query(request, form)
    return form, quiz, cohort


@reports_staff_required
@require_GET
def quiz_report(request, pk: int):
    form, quiz, cohort = _quiz_context(request, pk)
    if quiz is None:
        return _bad_request(form)
    stats, chart = report_quiz(user=request.user, quiz=quiz, cohort=cohort)
    return render(
        request,
        "reports/quiz.html",
        {
            "section": "quizzes",
            "quiz": quiz,
            "cohort": cohort,
            "stats": stats,
            "chart": chart,
            "all_cohorts": cohorts_for_manager(request.user).order_by("name"),
        },
    )


@reports_staff_required
@require_GET
def quiz_report_export(request, pk: int):
    form, quiz, cohort = _quiz_context(request, pk)
    if quiz is None:
        return _bad_request(form)
    stats, _ = report_quiz(user=request.user, quiz=quiz, cohort=cohort)
    rows = [[label, count] for label, count in stats.distribution_rows]
    return _csv_response(f"quiz-{quiz.slug}-scores", ["Score %", "Attempts"], rows)


@reports_staff_required
@require_GET
def question_analysis(request, pk: int):
    form, quiz, cohort = _quiz_context(request, pk)
    if quiz is None:
        return _bad_request(form)
    rows = report_question_analysis(
        user=request.user,
        quiz=quiz,
        cohort=cohort,
        admin_links=user_is_educator(request.user),
    )
    return render(
        request,
        "reports/questions.html",
        {
            "section": "quizzes",
            "quiz": quiz,
            "cohort": cohort,
            "rows": rows,
            "all_cohorts": cohorts_for_manager(request.user).order_by("name"),
        },
    )


QUESTION_HEADER = [
    "Question",
    "Prompt",
    "Responses",
    "Facility",
    "Discrimination (upper-lower 27%)",
    "Point-biserial",
    "Flags",
    "Choice pick rates",
]


def _num(value) -> str:
    return "" if value is None else f"{value:.3f}"


@reports_staff_required
@require_GET
def question_analysis_export(request, pk: int):
    form, quiz, cohort = _quiz_context(request, pk)
    if quiz is None:
        return _bad_request(form)
    rows = (
        [
            r.question.key if r.question else r.question_id,
            r.question.prompt if r.question else "",
            r.stats.responses,
            _num(r.stats.facility),
            _num(r.stats.discrimination_groups),
            _num(r.stats.point_biserial),
            "; ".join(r.stats.flag_labels),
            "; ".join(f"{c.text}: {c.rate:.0%}" for c in r.choices),
        ]
        for r in report_question_analysis(user=request.user, quiz=quiz, cohort=cohort)
    )
    return _csv_response(f"quiz-{quiz.slug}-questions", QUESTION_HEADER, rows)


# --- Cohort management -----------------------------------------------------------------------


@manager_required
@require_GET
def cohort_list(request):
    return render(
        request,
        "reports/cohorts.html",
        {"section": "cohorts", "cohorts": cohorts_for_manager(request.user).order_by("name")},
    )


def _cohort_page(request, cohort, *, status=200, add_form=None, upload_form=None, error=""):
    return render(
        request,
        "reports/cohort.html",
        {
            "section": "cohorts",
            "cohort": cohort,
            "add_form": add_form or AddTraineeForm(),
            "upload_form": upload_form or ImportUploadForm(),
            "import_error": error,
            "member_count": cohort.memberships.count(),
            "cohort_programs": cohort.cohort_programs.select_related("program"),
            "join_url": (
                request.build_absolute_uri(reverse("reports:join", args=[cohort.join_code]))
                if cohort.join_code
                else ""
            ),
        },
        status=status,
    )


@manager_required
@require_GET
def cohort_detail(request, slug: str):
    return _cohort_page(request, cohort_for_manager_or_404(request.user, slug))


def _site(request) -> dict:
    return {"domain": request.get_host(), "use_https": request.is_secure()}


@manager_required
@require_POST
def cohort_add(request, slug: str):
    cohort = cohort_for_manager_or_404(request.user, slug)
    form = AddTraineeForm(request.POST)
    if not form.is_valid():
        return _cohort_page(request, cohort, add_form=form, status=400)
    try:
        user, created = cohort_add_trainee(
            cohort=cohort, actor=request.user, **form.cleaned_data, **_site(request)
        )
    except CohortError as error:
        form.add_error("email", str(error))
        return _cohort_page(request, cohort, add_form=form, status=400)
    template = MESSAGE_ADDED_NEW if created else MESSAGE_ADDED_EXISTING
    messages.success(request, template.format(email=user.email))
    return redirect("reports:cohort", slug=cohort.slug)


@manager_required
@require_POST
def cohort_import(request, slug: str):
    """Show what the uploaded file would do; save nothing."""
    cohort = cohort_for_manager_or_404(request.user, slug)
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _cohort_page(request, cohort, upload_form=form, status=400)
    data = form.cleaned_data["file"]
    try:
        preview = cohort_import_preview(cohort=cohort, data=data)
    except CsvImportError as error:
        form.add_error("file", str(error))
        return _cohort_page(request, cohort, upload_form=form, status=400)
    confirm = ImportConfirmForm(initial={"csv_text": data.decode("utf-8-sig")})
    return render(
        request,
        "reports/import_preview.html",
        {"section": "cohorts", "cohort": cohort, "preview": preview, "confirm_form": confirm},
    )


@manager_required
@require_POST
def cohort_import_confirm(request, slug: str):
    cohort = cohort_for_manager_or_404(request.user, slug)
    form = ImportConfirmForm(request.POST)
    if not form.is_valid():
        return _cohort_page(request, cohort, error=ERROR_CONFIRM_INCOMPLETE, status=400)
    try:
        result = cohort_import_trainees(
            cohort=cohort, actor=request.user, data=form.cleaned_data["csv_text"], **_site(request)
        )
    except CsvImportError as error:
        return _cohort_page(request, cohort, error=str(error), status=400)
    messages.success(
        request,
        MESSAGE_IMPORTED.format(
            created=result.created, added=result.added, already=result.already_members
        ),
    )
    return redirect("reports:cohort", slug=cohort.slug)


# --- Join with a code ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def join(request, code: str):
    cohort = cohort_join_get_or_404(code)
    # An empty POST is still a submission: bind it so that its errors show.
    form = JoinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = cohort_join(
                cohort=cohort,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                password=data["password1"],
            )
        except CohortError as error:
            form.add_error("email", str(error))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome! You have joined {cohort.name}.")
            return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/join.html", {"cohort": cohort, "form": form}, status=status)
