"""Attestation pages: the trainee's statements and one statement with its signing form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from quizzes.attestations.forms import SignForm
from quizzes.attestations.selectors import (
    statement_get_or_404,
    statement_state,
    statements_for_trainee,
)
from quizzes.attestations.services import AlreadySigned, attestation_sign
from trainingsite.security import client_ip

SIGNED_MESSAGE = "Thank you: your attestation is recorded."


@login_required
@require_GET
def mine(request):
    return render(
        request, "attestations/mine.html", {"states": statements_for_trainee(user=request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, slug: str):
    statement = statement_get_or_404(slug=slug)
    status = 200
    form = SignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            attestation_sign(
                user=request.user,
                statement=statement,
                typed_name=form.cleaned_data["typed_name"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error("typed_name", error)
        except AlreadySigned as error:
            form.add_error(None, str(error))
            status = 409
        else:
            messages.success(request, SIGNED_MESSAGE)
            return redirect("attestations:detail", slug=statement.slug)
    if request.method == "POST" and status == 200:
        status = 400
    state = statement_state(user=request.user, statement=statement)
    return render(
        request,
        "attestations/detail.html",
        {"statement": statement, "state": state, "form": form},
        status=status,
    )
