"""The one way a page reaches a trainee's attempt: their own, closed first if its time ran out.

Used by the engine's pages (quizzes/views.py) and immediate-feedback practice
(quizzes/practice/views.py), so both answer 404 for anyone else's attempt in the same way.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest

from quizzes import selectors, services
from quizzes.models import Attempt

CLOSED_AT_TIME_LIMIT = "The time limit was reached: your attempt was closed and scored."


def attempt_or_404(request: HttpRequest, uuid) -> Attempt:
    """The signed-in user's own attempt, closed first if its time ran out; else 404."""
    attempt = selectors.attempt_for_user(user=request.user, uuid=uuid)
    if attempt is None:
        raise Http404("No such attempt.")
    if services.attempt_close_if_expired(attempt=attempt):
        messages.warning(request, CLOSED_AT_TIME_LIMIT)
    return attempt


def wants_json(request: HttpRequest) -> bool:
    """Whether the page's script asked for JSON (autosave, check) rather than a page."""
    return "application/json" in request.headers.get("Accept", "")
