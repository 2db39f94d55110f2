"""The quiz engine's pages: quiz list and page, attempt, save, submit, result, history, practice.

Also the manager's accommodations page and the educator's preview of a freshly drawn paper.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from quizzes import review, selectors, services
from quizzes.access import CLOSED_AT_TIME_LIMIT, attempt_or_404, wants_json
from quizzes.cohorts.scope import trainee_for_manager_or_404, trainees_for_manager
from quizzes.forms import (
    AccommodationForm,
    answers_from_post,
    bases_from_post,
    sequence_from_post,
    shown_from_post,
    texts_from_post,
)
from quizzes.models import Attempt, Quiz
from quizzes.practice.services import PRACTICE_SAVE_LOCKED, attempt_is_immediate
from quizzes.saving import SAVE_CONFLICT_OTHERS_SAVED, SaveOutcome, StoredAnswer, conflict_message
from quizzes.scoring import PARTIAL_CREDIT_RULE
from quizzes.written import WRITTEN_ANSWER_MAX_CHARS
from trainingsite.access import manager_required
from trainingsite.roles import user_is_manager

SAVED = "Your answers are saved."
SUBMITTED = "Your attempt is submitted."
ACCOMMODATION_SAVED = "Saved: {name} has {minutes} extra minutes and {attempts} extra attempts."


def _quiz_or_404(slug: str) -> Quiz:
    quiz = selectors.quiz_published_get(slug=slug)
    if quiz is None:
        raise Http404("No such quiz.")
    return quiz


def _problem(request: HttpRequest, message: str, status: int, attempt: Attempt | None = None):
    if wants_json(request):
        body = {"error": message}
        if attempt is not None and not attempt.is_open:
            body["closed"] = True
            body["result_url"] = attempt.get_absolute_url()
        return JsonResponse(body, status=status)
    return render(
        request,
        "quizzes/problem.html",
        {"message": message, "attempt": attempt},
        status=status,
    )


@login_required
def index(request):
    rows = selectors.quiz_list_for_user(user=request.user)
    return render(request, "quizzes/index.html", {"rows": rows})


@login_required
def detail(request, slug):
    quiz = _quiz_or_404(slug)
    page = selectors.quiz_page_data(user=request.user, quiz=quiz)
    return render(
        request,
        "quizzes/detail.html",
        {
            "page": page,
            "quiz": quiz,
            "partial_credit_rule": PARTIAL_CREDIT_RULE,
            "can_grant_accommodations": user_is_manager(request.user),
        },
    )


def _trainee_name(user) -> str:
    return user.get_full_name() or user.get_username()


@manager_required
def accommodations(request, slug):
    """List and grant extra time and attempts at a quiz for the manager's own trainees."""
    quiz = _quiz_or_404(slug)
    status = 200
    if request.method == "POST":
        form = AccommodationForm(request.POST)
        if form.is_valid():
            trainee = trainee_for_manager_or_404(request.user, form.cleaned_data["trainee"])
            granted = services.accommodation_grant(
                quiz=quiz,
                trainee=trainee,
                extra_minutes=form.cleaned_data["extra_minutes"],
                extra_attempts=form.cleaned_data["extra_attempts"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
            messages.success(
                request,
                ACCOMMODATION_SAVED.format(
                    name=_trainee_name(trainee),
                    minutes=granted.extra_minutes,
                    attempts=granted.extra_attempts,
                ),
            )
            return redirect("quizzes:accommodations", slug=quiz.slug)
        status = 400
    else:
        initial = {}
        if "trainee" in request.GET:
            try:
                trainee_id = int(request.GET["trainee"])
            except ValueError:
                raise Http404("No such trainee.") from None
            trainee = trainee_for_manager_or_404(request.user, trainee_id)
            current = selectors.accommodation_get(quiz=quiz, trainee=trainee)
            initial = {
                "trainee": trainee.pk,
                "extra_minutes": current.extra_minutes if current else 0,
                "extra_attempts": current.extra_attempts if current else 0,
                "note": current.note if current else "",
            }
        form = AccommodationForm(initial=initial)
    trainees = trainees_for_manager(request.user).order_by("last_name", "first_name", "username")
    rows = selectors.accommodations_for_manager(quiz=quiz, manager=request.user)
    return render(
        request,
        "quizzes/accommodations.html",
        {"quiz": quiz, "form": form, "rows": rows, "trainees": trainees},
        status=status,
    )


@login_required
@require_POST
def start(request, slug):
    quiz = _quiz_or_404(slug)
    open_attempt = selectors.attempt_open_get(user=request.user, quiz=quiz)
    if open_attempt is not None and services.attempt_close_if_expired(attempt=open_attempt):
        # "Resume" after the time ran out shows that attempt's result, not a new paper.
        messages.warning(request, CLOSED_AT_TIME_LIMIT)
        return redirect(open_attempt)
    try:
        attempt = services.attempt_start(user=request.user, quiz=quiz, open_attempt=open_attempt)
    except services.AttemptRefused as refused:
        messages.error(request, refused.message)
        return redirect(quiz)
    return redirect("quizzes:attempt", uuid=attempt.uuid)


def _page_number(raw: str | None) -> int:
    """A 1-based page number from the query string or the form; 404 for anything else."""
    if raw in (None, ""):
        return 1
    try:
        number = int(raw)
    except ValueError:
        raise Http404("No such page.") from None
    if number < 1:
        raise Http404("No such page.")
    return number


def _attempt_page_url(attempt: Attempt, page_number: int) -> str:
    url = reverse("quizzes:attempt", kwargs={"uuid": attempt.uuid})
    return f"{url}?page={page_number}" if page_number > 1 else url


@never_cache
@login_required
def attempt(request, uuid):
    attempt = attempt_or_404(request, uuid)
    if not attempt.is_open:
        return redirect(attempt)
    if attempt_is_immediate(attempt):
        # Immediate feedback: one question at a time, checked (quizzes/practice/).
        return redirect("practice:round", uuid=attempt.uuid)
    page = selectors.attempt_page_data(
        attempt=attempt,
        per_page=attempt.quiz.questions_per_page,
        page=_page_number(request.GET.get("page")),
    )
    if page.page_number > page.page_count:
        raise Http404("No such page.")
    remaining = None
    if attempt.deadline:
        remaining = max(int((attempt.deadline - timezone.now()).total_seconds()), 0)
    return render(
        request,
        "quizzes/attempt.html",
        {
            "page": page,
            "attempt": attempt,
            "remaining_seconds": remaining,
            "preview": False,
            "written_max_chars": WRITTEN_ANSWER_MAX_CHARS,
            "autosave_seconds": settings.QUIZ_AUTOSAVE_SECONDS,
        },
    )


def _stored_json(answer: StoredAnswer) -> dict:
    return {
        "question": answer.question_id,
        "number": answer.number,
        "positions": list(answer.positions),
        "text": answer.text,
    }


def _conflict_response(request: HttpRequest, attempt: Attempt, outcome: SaveOutcome):
    """409 naming the questions changed both here and in another tab, with the server's answers."""
    message = conflict_message(outcome.conflicts)
    if wants_json(request):
        return JsonResponse(
            {
                "error": message,
                "sequence": outcome.sequence,
                "conflicts": [_stored_json(answer) for answer in outcome.conflicts],
                "changed_elsewhere": [_stored_json(a) for a in outcome.changed_elsewhere],
                "others_saved": bool(outcome.written),
            },
            status=409,
        )
    per_page = attempt.quiz.questions_per_page
    links = [
        {
            "number": answer.number,
            "url": _attempt_page_url(
                attempt, (answer.number - 1) // per_page + 1 if per_page else 1
            )
            + f"#question-{answer.question_id}",
        }
        for answer in outcome.conflicts
    ]
    return render(
        request,
        "quizzes/save_conflict.html",
        {
            "message": message,
            "links": links,
            "others_saved": SAVE_CONFLICT_OTHERS_SAVED if outcome.written else "",
            "attempt": attempt,
        },
        status=409,
    )


def _save_from_post(request: HttpRequest, attempt: Attempt) -> HttpResponse | SaveOutcome:
    """Save the posted answers; return what was saved, or the error response."""
    if attempt_is_immediate(attempt):
        # Its answers are stored by Check only, so a checked answer stays locked.
        return _problem(request, PRACTICE_SAVE_LOCKED, 409, attempt)
    try:
        sequence = sequence_from_post(request.POST)
        answers = answers_from_post(paper=attempt.paper, data=request.POST)
        shown = shown_from_post(paper=attempt.paper, data=request.POST)
        texts = texts_from_post(paper=attempt.paper, data=request.POST)
        bases = bases_from_post(paper=attempt.paper, data=request.POST)
        outcome = services.attempt_save_merge(
            attempt=attempt,
            answers=answers,
            sequence=sequence,
            only=shown,
            texts=texts,
            bases=bases,
        )
    except ValidationError as error:
        return _problem(request, error.messages[0], 400, attempt)
    except services.AttemptClosed:
        attempt.refresh_from_db()
        return _problem(request, services.ATTEMPT_CLOSED, 409, attempt)
    if outcome.conflicts:
        return _conflict_response(request, attempt, outcome)
    return outcome


@never_cache
@login_required
@require_POST
def save(request, uuid):
    attempt = attempt_or_404(request, uuid)
    if not attempt.is_open:
        return _problem(request, services.ATTEMPT_CLOSED, 409, attempt)
    result = _save_from_post(request, attempt)
    if isinstance(result, HttpResponse):
        return result
    if request.POST.get("background"):
        # The page's script sent this as it was left (sendBeacon): nobody reads the answer,
        # and a "saved" message would greet the trainee on whatever page comes next.
        return HttpResponse(status=204)
    if wants_json(request):
        return JsonResponse(
            {
                "sequence": result.sequence,
                "saved_at": timezone.now().isoformat(),
                "changed_elsewhere": [_stored_json(a) for a in result.changed_elsewhere],
            }
        )
    # Previous, Next and the page navigator save the page, then go where they point.
    page_count = selectors.page_count_for(
        question_count=len(attempt.paper.get("questions", [])),
        per_page=attempt.quiz.questions_per_page,
    )
    target = request.POST.get("goto") or request.POST.get("page")
    try:
        page_number = min(_page_number(target), page_count)
    except Http404:
        page_number = 1
    if not request.POST.get("goto"):
        messages.success(request, SAVED)
    return redirect(_attempt_page_url(attempt, page_number))


@never_cache
@login_required
@require_POST
def submit(request, uuid):
    attempt = attempt_or_404(request, uuid)
    if not attempt.is_open:
        # A second submission (double click, another tab, a replay) shows the same result.
        return redirect(attempt)
    if request.POST.get("answers"):
        result = _save_from_post(request, attempt)
        if isinstance(result, HttpResponse):
            return result
    if not request.POST.get("confirm"):
        page = selectors.attempt_page_data(
            attempt=attempt, per_page=attempt.quiz.questions_per_page
        )
        if page.unanswered:
            return render(request, "quizzes/confirm.html", {"page": page, "attempt": attempt})
    attempt = services.attempt_submit(attempt=attempt)
    if attempt.close_reason == Attempt.CloseReason.TIME_LIMIT:
        messages.warning(request, CLOSED_AT_TIME_LIMIT)
    else:
        messages.success(request, SUBMITTED)
    return redirect(attempt)


@login_required
def result(request, uuid):
    attempt = attempt_or_404(request, uuid)
    if attempt.is_open or attempt.kind == Attempt.Kind.REVIEW:
        # A review session's own summary says what it strengthened; this page would call
        # it a practice round.
        return redirect(attempt)
    page = review.attempt_result_data(attempt=attempt)
    return render(request, "quizzes/result.html", {"page": page, "attempt": attempt})


@login_required
def history(request, slug):
    quiz = _quiz_or_404(slug)
    attempts = list(selectors.attempt_history(user=request.user, quiz=quiz))
    graded = [a for a in attempts if a.kind == Attempt.Kind.GRADED and a.percent is not None]
    best = max((a.percent for a in graded), default=None)
    return render(
        request, "quizzes/history.html", {"quiz": quiz, "attempts": attempts, "best": best}
    )


@login_required
@require_POST
def practice(request, slug):
    quiz = _quiz_or_404(slug)
    source = None
    if request.POST.get("source"):
        try:
            source = selectors.attempt_for_user(user=request.user, uuid=request.POST["source"])
        except ValidationError:
            source = None
        if source is None or source.quiz_id != quiz.id:
            raise Http404("No such attempt.")
    try:
        attempt = services.practice_start_from_mistakes(user=request.user, quiz=quiz, source=source)
    except services.AttemptRefused as refused:
        messages.info(request, refused.message)
        return redirect(source or quiz)
    return redirect("quizzes:attempt", uuid=attempt.uuid)
