"""The certified trainee's update path after a material change, and the update quiz's start."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from quizzes.certification.selectors import program_get_published
from quizzes.services import AttemptRefused
from quizzes.updates.selectors import NO_UPDATE_PATH, update_path_get
from quizzes.updates.services import pending_updates, update_quiz_start


@never_cache
@login_required
def path(request, slug):
    program = program_get_published(slug=slug)
    data = update_path_get(user=request.user, program=program)
    return render(request, "updates/path.html", {"path": data, "program": program})


@never_cache
@login_required
@require_POST
def quiz_start(request, slug):
    program = program_get_published(slug=slug)
    # 404 for anyone with no update open, as the path page answers.
    if not pending_updates(user=request.user, program=program, now=timezone.now()):
        raise Http404(NO_UPDATE_PATH)
    try:
        attempt = update_quiz_start(user=request.user, program=program)
    except AttemptRefused as refused:
        messages.info(request, refused.message)
        return redirect("updates:path", slug=program.slug)
    return redirect(attempt)
