"""Cohort pages: the list, one cohort, adding and importing trainees, and the join-code sign-up.

Thin views: a form validates, one service or selector does the work. Every
cohort goes through quizzes.cohorts.scope, so a cohort outside the manager's
is a 404; the join page is public and reaches its cohort by the join code only.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quizzes.cohorts.csv_import import CsvImportError, cohort_import_preview, cohort_import_trainees
from quizzes.cohorts.forms import AddTraineeForm, ImportConfirmForm, ImportUploadForm, JoinForm
from quizzes.cohorts.scope import cohort_for_manager_or_404, cohorts_for_manager
from quizzes.cohorts.selectors import cohort_join_get_or_404
from quizzes.cohorts.services import CohortError, cohort_add_trainee, cohort_join
from trainingsite.access import manager_required

MESSAGE_ADDED_NEW = "{email} was added and e-mailed a link to choose a password."
MESSAGE_ADDED_EXISTING = "{email} already had an account and was added to the cohort."
MESSAGE_IMPORTED = (
    "Imported: {created} new trainee(s) e-mailed a set-your-password link, "
    "{added} existing account(s) added, {already} already in the cohort."
)
MESSAGE_JOINED = "Welcome! You have joined {cohort}."
ERROR_CONFIRM_INCOMPLETE = "The confirmation was incomplete; upload the file again."


@manager_required
@require_GET
def cohort_list(request):
    return render(
        request,
        "cohorts/list.html",
        {"section": "cohorts", "cohorts": cohorts_for_manager(request.user).order_by("name")},
    )


def _cohort_page(request, cohort, *, status=200, add_form=None, upload_form=None, error=""):
    return render(
        request,
        "cohorts/detail.html",
        {
            "section": "cohorts",
            "cohort": cohort,
            "add_form": add_form or AddTraineeForm(),
            "upload_form": upload_form or ImportUploadForm(),
            "import_error": error,
            "member_count": cohort.memberships.count(),
            "cohort_programs": cohort.cohort_programs.select_related("program"),
            "join_url": (
                request.build_absolute_uri(reverse("cohorts:join", args=[cohort.join_code]))
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
    return redirect("cohorts:detail", slug=cohort.slug)


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
        "cohorts/import_preview.html",
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
    return redirect("cohorts:detail", slug=cohort.slug)


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
            messages.success(request, MESSAGE_JOINED.format(cohort=cohort.name))
            return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "cohorts/join.html", {"cohort": cohort, "form": form}, status=status)
