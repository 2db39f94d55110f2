"""The review page, a session (the immediate-feedback practice page's questions), its summary."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from quizzes.access import CLOSED_AT_TIME_LIMIT
from quizzes.practice.selectors import practice_round_data
from quizzes.spaced_review import services
from quizzes.spaced_review.forms import ReviewPreferenceForm
from quizzes.spaced_review.rules import SESSION_MAX_MINUTES
from quizzes.spaced_review.selectors import review_home, review_session_or_404, review_summary

NUDGES_ON = "Review e-mails are on: at most one a week, when questions are due."
NUDGES_OFF = "Review e-mails are off."


def _session(request, uuid):
    attempt, closed = review_session_or_404(user=request.user, uuid=uuid)
    if closed:
        messages.warning(request, CLOSED_AT_TIME_LIMIT)
    return attempt


@never_cache
@login_required
def home(request):
    data = review_home(user=request.user)
    form = ReviewPreferenceForm(initial={"nudges": data.nudges})
    context = {
        "review": data,
        "form": form,
        "session_items": settings.REVIEW_SESSION_ITEMS,
        "session_minutes": min(settings.REVIEW_SESSION_MINUTES, SESSION_MAX_MINUTES),
        "critical_days": settings.REVIEW_CRITICAL_MAX_INTERVAL_DAYS,
    }
    return render(request, "review/home.html", context)


@never_cache
@login_required
@require_POST
def start(request):
    try:
        attempt = services.review_session_start(user=request.user)
    except services.ReviewRefused as refused:
        messages.info(request, refused.message)
        return redirect("review:home")
    return redirect("review:session", uuid=attempt.uuid)


@never_cache
@login_required
@require_POST
def preference(request):
    form = ReviewPreferenceForm(request.POST)
    # A checkbox: anything but its value (or nothing) reads as off, so the form is always valid.
    form.is_valid()
    nudges = form.cleaned_data["nudges"]
    services.review_preference_set(user=request.user, nudges=nudges)
    messages.success(request, NUDGES_ON if nudges else NUDGES_OFF)
    return redirect("review:home")


@never_cache
@login_required
def session(request, uuid):
    attempt = _session(request, uuid)
    if not attempt.is_open:
        return redirect("review:summary", uuid=attempt.uuid)
    data = practice_round_data(attempt=attempt)
    return render(request, "review/session.html", {"round": data, "attempt": attempt})


@never_cache
@login_required
@require_POST
def finish(request, uuid):
    attempt = _session(request, uuid)
    services.review_session_finish(attempt=attempt)
    return redirect("review:summary", uuid=attempt.uuid)


@never_cache
@login_required
def summary(request, uuid):
    attempt = _session(request, uuid)
    if attempt.is_open:
        return redirect("review:session", uuid=attempt.uuid)
    return render(request, "review/summary.html", {"summary": review_summary(attempt=attempt)})
