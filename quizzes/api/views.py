"""The API token pages: list, create (the token is shown once), revoke.

For managers and superusers (trainingsite/access.py); a token is reached through
selectors.api_token_for_owner_or_404, so anyone else's is a 404 (a superuser's list and
revocation cover every token).
"""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from quizzes.api.forms import ApiTokenForm
from quizzes.api.selectors import api_token_for_owner_or_404, api_tokens_for_owner
from quizzes.api.services import ApiTokenError, api_token_create, api_token_revoke
from trainingsite.access import manager_required

TOKEN_REVOKED = "The token “{name}” was revoked; it no longer opens the API."


@manager_required
@require_GET
def token_list(request):
    tokens = api_tokens_for_owner(user=request.user)
    return render(
        request,
        "api/token_list.html",
        {
            "tokens": tokens,
            "now": timezone.now(),
            "show_owner": request.user.is_superuser,
            "section": "api",
        },
    )


@manager_required
@require_http_methods(["GET", "POST"])
def token_create(request):
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token, plaintext = api_token_create(
                owner=request.user,
                name=form.cleaned_data["name"],
                expires_at=timezone.now() + timedelta(days=form.cleaned_data["days"]),
            )
        except ApiTokenError as exc:
            form.add_error(None, str(exc))
        else:
            response = render(
                request,
                "api/token_created.html",
                {"token": token, "plaintext": plaintext, "section": "api"},
            )
            response["Cache-Control"] = "no-store"
            return response
    # A refused form is a 400 with its messages, as every form of the site answers.
    status = 400 if request.method == "POST" else 200
    return render(request, "api/token_form.html", {"form": form, "section": "api"}, status=status)


@manager_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, token_id: int):
    """GET asks to confirm; POST revokes."""
    token = api_token_for_owner_or_404(user=request.user, token_id=token_id)
    if request.method == "GET":
        return render(request, "api/token_revoke.html", {"token": token, "section": "api"})
    try:
        api_token_revoke(token=token, actor=request.user)
    except ApiTokenError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, TOKEN_REVOKED.format(name=token.name))
    return redirect("api_tokens:list")
