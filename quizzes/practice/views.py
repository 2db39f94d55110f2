"""The immediate-feedback page, and its Check and Try again posts (with or without JS)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from quizzes import services as engine
from quizzes.access import attempt_or_404, wants_json
from quizzes.models import Attempt
from quizzes.practice import services
from quizzes.practice.forms import choices_from_post, question_from_post
from quizzes.practice.selectors import practice_round_data


def _problem(request: HttpRequest, message: str, status: int, attempt: Attempt) -> HttpResponse:
    if wants_json(request):
        body: dict = {"error": message}
        if not attempt.is_open:
            body["closed"] = True
            body["result_url"] = attempt.get_absolute_url()
        return JsonResponse(body, status=status)
    return render(
        request, "practice/problem.html", {"message": message, "attempt": attempt}, status=status
    )


def _round_url(attempt: Attempt) -> str:
    return reverse("practice:round", kwargs={"uuid": attempt.uuid})


@never_cache
@login_required
def round_page(request, uuid):
    attempt = attempt_or_404(request, uuid)
    if not attempt.is_open or attempt.kind == Attempt.Kind.REVIEW:
        # A review session's page is the review's own (Attempt.get_absolute_url).
        return redirect(attempt)
    if not services.attempt_is_immediate(attempt):
        return redirect("quizzes:attempt", uuid=attempt.uuid)
    data = practice_round_data(attempt=attempt)
    return render(request, "practice/round.html", {"round": data, "attempt": attempt})


def _answered(request: HttpRequest, attempt: Attempt, question_id: int) -> HttpResponse:
    """The question as it now stands: its card as JSON for the script, else back to it."""
    data = practice_round_data(attempt=attempt, only=question_id)
    question = data.questions[0]
    if wants_json(request):
        html = render_to_string(
            "practice/_question.html",
            {"pq": question, "round": data, "attempt": attempt},
            request=request,
        )
        return JsonResponse(
            {
                "html": html,
                "number": question.shown.number,
                "checked": question.checked,
                "correct": question.feedback.is_correct if question.feedback else None,
                "checked_count": data.checked_count,
            }
        )
    return redirect(f"{_round_url(attempt)}#question-{question.shown.number}")


def _act(request: HttpRequest, uuid, action) -> HttpResponse:
    attempt = attempt_or_404(request, uuid)
    try:
        question_id = question_from_post(paper=attempt.paper, data=request.POST)
        action(attempt, question_id)
    except ValidationError as error:
        return _problem(request, error.messages[0], 400, attempt)
    except services.PracticeRefused as refused:
        return _problem(request, refused.message, 409, attempt)
    except engine.AttemptClosed:
        attempt.refresh_from_db()
        return _problem(request, engine.ATTEMPT_CLOSED, 409, attempt)
    return _answered(request, attempt, question_id)


@never_cache
@login_required
@require_POST
def check(request, uuid):
    def action(attempt: Attempt, question_id: int) -> None:
        choice_ids = choices_from_post(
            paper=attempt.paper, data=request.POST, question_id=question_id
        )
        services.practice_answer_check(
            attempt=attempt, question_id=question_id, choice_ids=choice_ids
        )

    return _act(request, uuid, action)


@never_cache
@login_required
@require_POST
def retry(request, uuid):
    def action(attempt: Attempt, question_id: int) -> None:
        services.practice_answer_retry(attempt=attempt, question_id=question_id)

    return _act(request, uuid, action)
