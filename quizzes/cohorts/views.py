"""Cohort pages: the list, one cohort, adding, inviting and importing trainees, join codes,
the join-code sign-up and its e-mail confirmation, and the trainee's answer to an invitation.

Thin views: a form validates, one service or selector does the work. Every
cohort goes through quizzes.cohorts.scope, so a cohort outside the manager's
is a 404; the join page is public and reaches its cohort by the join code only,
rate-limited per client address; an invitation is reached only by the account
it was sent to (anyone else: 404).
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quizzes.cohorts.csv_import import CsvImportError, cohort_import_preview, cohort_import_trainees
from quizzes.cohorts.forms import AddTraineeForm, ImportConfirmForm, ImportUploadForm, JoinForm
from quizzes.cohorts.scope import cohort_for_manager_or_404, cohorts_for_manager
from quizzes.cohorts.selectors import (
    cohort_join_get_or_404,
    invitation_by_link_or_404,
    invitations_pending_for_cohort,
    signup_confirmation_by_link_or_404,
)
from quizzes.cohorts.services import (
    Added,
    CohortError,
    LinkGone,
    cohort_add_trainee,
    cohort_join_code_new,
    cohort_join_code_off,
    invitation_accept,
    invitation_decline,
    invitation_withdraw,
)
from quizzes.cohorts.signup import cohort_join, signup_confirm, signup_confirmation_resend
from quizzes.cohorts.tokens import join_code_format
from trainingsite.access import manager_required
from trainingsite.plurals import Plural
from trainingsite.ratelimit import (
    Limit,
    rate_limit_check,
    rate_limit_hit,
    rate_limited_response,
)
from trainingsite.security import client_limit_key

MESSAGE_ADDED_NEW = "{email} was added and e-mailed a link to choose a password."
MESSAGE_ADDED_EXISTING = "{email} already had a trainee account and was added to the cohort."
MESSAGE_INVITED = (
    "An invitation was sent to {email}. They join the cohort, and appear in its reports, "
    "once they accept it."
)
MESSAGE_IMPORTED = "Imported: {created}, {invited}, {already} already in the cohort or invited."
MESSAGE_IMPORTED_CREATED = Plural(
    "{count} new trainee e-mailed a set-your-password link",
    "{count} new trainees e-mailed a set-your-password link",
)
MESSAGE_IMPORTED_INVITED = Plural(
    "{count} invitation sent to an existing account",
    "{count} invitations sent to existing accounts",
)
MESSAGE_WITHDRAWN = "The invitation sent to {email} was withdrawn."
MESSAGE_JOIN_CODE_NEW = "The cohort has a new join code; the old sign-up link no longer works."
MESSAGE_JOIN_CODE_ON = "Sign-up with a join code is on: share the link below."
MESSAGE_JOIN_CODE_OFF = "Sign-up with a join code is off; the old link no longer works."
MESSAGE_JOINED = "Welcome! You have joined {cohort}."
MESSAGE_CONFIRM_SENT = "A link was sent to {email}: follow it to confirm that the address is yours."
MESSAGE_ACCEPTED = "Welcome! You have joined {cohort}."
MESSAGE_DECLINED = "You declined the invitation to {cohort}."
MESSAGE_CONFIRMED = "Thank you: your e-mail address is confirmed."
MESSAGE_CONFIRM_RESENT = "A new confirmation link is on its way to {email}."
MESSAGE_NOTHING_TO_CONFIRM = "Your e-mail address needs no confirmation."
ERROR_CONFIRM_INCOMPLETE = "The confirmation was incomplete; upload the file again."

# Join codes are 80 random bits, so guessing is hopeless anyway; the limit also
# stops anyone from trying. Every look-up counts, found or not.
# Wrong join codes per address (look-ups of a right code are not counted).
JOIN_RATE = Limit(name="cohorts:join", limit=20, window=15 * 60)
# Sign-ups (posted forms) per address: a large intake, not a script making accounts.
JOIN_SIGNUP_RATE = Limit(name="cohorts:join_signup", limit=60, window=60 * 60)
JOIN_RATE_LIMITED = (
    "Too many sign-up attempts from your network. Wait a few minutes, then open the "
    "sign-up link from your manager again."
)
RESEND_RATE = Limit(name="cohorts:confirm_resend", limit=3, window=60 * 60)
RESEND_RATE_LIMITED = (
    "Several confirmation links were sent in the last hour; look for them in your inbox "
    "(and spam folder) before asking for another."
)


def imported_message(*, created: int, invited: int, already: int) -> str:
    """The message after a file import, in the right plural forms."""
    return MESSAGE_IMPORTED.format(
        created=MESSAGE_IMPORTED_CREATED.format(count=created),
        invited=MESSAGE_IMPORTED_INVITED.format(count=invited),
        already=already,
    )


@manager_required
@require_GET
def cohort_list(request):
    return render(
        request,
        "cohorts/list.html",
        {"section": "cohorts", "cohorts": cohorts_for_manager(request.user).order_by("name")},
    )


def _cohort_page(request, cohort, *, status=200, add_form=None, upload_form=None, error=""):
    code = join_code_format(cohort.join_code) if cohort.join_code else ""
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
            "invitations": invitations_pending_for_cohort(cohort=cohort),
            "join_code": code,
            "join_url": (
                request.build_absolute_uri(reverse("cohorts:join", args=[code])) if code else ""
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
        result = cohort_add_trainee(
            cohort=cohort, actor=request.user, **form.cleaned_data, **_site(request)
        )
    except CohortError as error:
        form.add_error("email", str(error))
        return _cohort_page(request, cohort, add_form=form, status=400)
    template = {
        Added.CREATED: MESSAGE_ADDED_NEW,
        Added.ADDED: MESSAGE_ADDED_EXISTING,
        Added.INVITED: MESSAGE_INVITED,
    }[result.outcome]
    messages.success(request, template.format(email=result.email))
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
        imported_message(
            created=result.created,
            invited=result.invited,
            already=result.already_members + result.already_invited,
        ),
    )
    return redirect("cohorts:detail", slug=cohort.slug)


@manager_required
@require_POST
def invitation_withdraw_view(request, slug: str, pk: int):
    cohort = cohort_for_manager_or_404(request.user, slug)
    try:
        email = invitation_withdraw(cohort=cohort, actor=request.user, invitation_id=pk)
    except LinkGone as error:
        raise Http404(str(error)) from error
    messages.success(request, MESSAGE_WITHDRAWN.format(email=email))
    return redirect("cohorts:detail", slug=cohort.slug)


@manager_required
@require_POST
def join_code_new(request, slug: str):
    """Make a new random join code (switching sign-up on); the old code stops working."""
    cohort = cohort_for_manager_or_404(request.user, slug)
    had_code = cohort.join_code is not None
    try:
        cohort_join_code_new(cohort=cohort, actor=request.user)
    except CohortError as error:
        return _cohort_page(request, cohort, error=str(error), status=409)
    messages.success(request, MESSAGE_JOIN_CODE_NEW if had_code else MESSAGE_JOIN_CODE_ON)
    return redirect("cohorts:detail", slug=cohort.slug)


@manager_required
@require_POST
def join_code_off(request, slug: str):
    cohort = cohort_for_manager_or_404(request.user, slug)
    cohort_join_code_off(cohort=cohort, actor=request.user)
    messages.success(request, MESSAGE_JOIN_CODE_OFF)
    return redirect("cohorts:detail", slug=cohort.slug)


# --- The invited trainee's answer ---------------------------------------------------------


def _gone(request, message: str):
    """A 404 that says why: the link or the invitation is not (or no longer) open to you."""
    return render(request, "cohorts/link_gone.html", {"message": message}, status=404)


@login_required
@require_GET
def invitation(request, token: str):
    """The e-mailed link: the invitation, if it is the signed-in user's (anyone else: 404)."""
    try:
        notice = invitation_by_link_or_404(user=request.user, token=token)
    except Http404 as error:
        return _gone(request, str(error))
    return render(request, "cohorts/invitation.html", {"invitation": notice})


def _answer(request, pk: int, service, message: str):
    try:
        cohort = service(user=request.user, invitation_id=pk)
    except LinkGone as error:
        return _gone(request, str(error))
    except CohortError as error:
        raise PermissionDenied(str(error)) from error
    messages.success(request, message.format(cohort=cohort.name))
    return redirect("trainee_home")


@login_required
@require_POST
def invitation_accept_view(request, pk: int):
    return _answer(request, pk, invitation_accept, MESSAGE_ACCEPTED)


@login_required
@require_POST
def invitation_decline_view(request, pk: int):
    return _answer(request, pk, invitation_decline, MESSAGE_DECLINED)


# --- Join with a code, and confirm the address ------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def join(request, code: str):
    # Only wrong codes count, so a whole intake signing up behind one clinic address is
    # never stopped, while guessing codes is; past the limit every join page is refused.
    address = client_limit_key(request)
    verdict = rate_limit_check(JOIN_RATE, address)
    if verdict.allowed and request.method == "POST":
        verdict = rate_limit_hit(JOIN_SIGNUP_RATE, address)
    if not verdict.allowed:
        return rate_limited_response(
            request, message=JOIN_RATE_LIMITED, retry_after=verdict.retry_after
        )
    try:
        cohort = cohort_join_get_or_404(code)
    except Http404:
        # Counted when it is known to be wrong; over the limit (parallel guesses) it is a 429.
        missed = rate_limit_hit(JOIN_RATE, address)
        if not missed.allowed:
            return rate_limited_response(
                request, message=JOIN_RATE_LIMITED, retry_after=missed.retry_after
            )
        raise
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
                **_site(request),
            )
        except CohortError as error:
            form.add_error("email", str(error))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, MESSAGE_JOINED.format(cohort=cohort.name))
            messages.info(request, MESSAGE_CONFIRM_SENT.format(email=user.email))
            return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "cohorts/join.html", {"cohort": cohort, "form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def signup_confirm_view(request, token: str):
    """The e-mailed link: a button confirms (a GET changes nothing, so link scanners do not)."""
    if request.method == "GET":
        try:
            confirmation = signup_confirmation_by_link_or_404(token=token)
        except Http404 as error:
            return _gone(request, str(error))
        return render(request, "cohorts/confirm_email.html", {"email": confirmation.email})
    try:
        signup_confirm(token=token)
    except LinkGone as error:
        return _gone(request, str(error))
    messages.success(request, MESSAGE_CONFIRMED)
    return redirect("home")


@login_required
@require_POST
def signup_confirm_resend(request):
    verdict = rate_limit_hit(RESEND_RATE, str(request.user.pk))
    if not verdict.allowed:
        return rate_limited_response(
            request, message=RESEND_RATE_LIMITED, retry_after=verdict.retry_after
        )
    if signup_confirmation_resend(user=request.user, **_site(request)):
        messages.success(request, MESSAGE_CONFIRM_RESENT.format(email=request.user.email))
    else:
        messages.info(request, MESSAGE_NOTHING_TO_CONFIRM)
    return redirect("trainee_home")
