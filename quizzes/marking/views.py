"""Hand-marking pages for assessors: the queue and one written answer to mark.

Answers are reached through selectors.answer_for_marker_or_404 (the assessor's
cohorts only); the mark is written by services.answer_mark, which enforces the rules.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from quizzes.marking.forms import MarkForm, QueueFilterForm
from quizzes.marking.selectors import answer_for_marker_or_404, answer_page_data, marking_queue
from quizzes.marking.services import answer_mark
from trainingsite.access import assessor_required

MARK_SAVED = "The mark is saved: {points} / {max_points} points for {name}."


@assessor_required
@require_GET
def queue(request):
    form = QueueFilterForm(request.GET)
    if not form.is_valid():
        data = marking_queue(user=request.user)
        return render(request, "marking/queue.html", {"queue": data, "form": form}, status=400)
    data = marking_queue(
        user=request.user,
        quiz_id=form.cleaned_data["quiz"],
        cohort_id=form.cleaned_data["cohort"],
        page=form.cleaned_data["page"] or 1,
    )
    return render(request, "marking/queue.html", {"queue": data, "form": form})


@assessor_required
@require_http_methods(["GET", "POST"])
def answer(request, answer_id: int):
    item = answer_for_marker_or_404(request.user, answer_id)
    page = answer_page_data(answer=item)
    max_points = page.entry["points"]
    status = 200
    if request.method == "POST":
        form = MarkForm(request.POST, max_points=max_points)
        if form.is_valid():
            try:
                mark = answer_mark(
                    marker=request.user,
                    answer=item,
                    points=form.cleaned_data["points"],
                    feedback=form.cleaned_data["feedback"],
                )
            except ValidationError as error:
                form.add_error(None, error.messages[0])
            else:
                name = item.attempt.user.get_full_name() or item.attempt.user.get_username()
                messages.success(
                    request,
                    MARK_SAVED.format(points=mark.points, max_points=max_points, name=name),
                )
                return redirect("marking:answer", answer_id=item.pk)
        status = 400
    else:
        latest = page.latest
        initial = {"points": latest.points, "feedback": latest.feedback} if latest else {}
        form = MarkForm(initial=initial, max_points=max_points)
    return render(request, "marking/answer.html", {"page": page, "form": form}, status=status)
