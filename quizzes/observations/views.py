"""Observed-practice pages: the assessor's home and recording, the observation, the trainee's list.

Assessors reach trainees through trainee_for_assessor_or_404 (their cohorts only); every
observation and its evidence through observation_get_for_viewer_or_404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quizzes.cohorts.scope import trainee_for_assessor_or_404
from quizzes.cpd.evidence import evidence_storage
from quizzes.cpd.rules import EVIDENCE_TYPES
from quizzes.observations.forms import ObservationForm, SupersedesForm
from quizzes.observations.selectors import (
    EVIDENCE_NOT_FOUND,
    assessor_home,
    checklist_for_observation_or_404,
    evidence_get_or_404,
    observation_correctable_by,
    observation_get_for_viewer_or_404,
    observation_to_correct_or_404,
    observations_for_trainee,
    trainee_observations,
)
from quizzes.observations.services import observation_acknowledge, observation_record
from trainingsite.access import assessor_required

OBSERVATION_RECORDED = "The observation has been recorded. The trainee is asked to acknowledge it."
OBSERVATION_ACKNOWLEDGED = "Thank you: the observation is acknowledged."
SUPERSEDES_INVALID = "The observation to correct is not a valid id."


@assessor_required
@require_GET
def home(request):
    return render(request, "observations/home.html", {"home": assessor_home(user=request.user)})


@assessor_required
@require_GET
def trainee(request, trainee_id: int):
    person = trainee_for_assessor_or_404(request.user, trainee_id)
    return render(
        request, "observations/trainee.html", {"data": trainee_observations(trainee=person)}
    )


def _correction(request, *, person, checklist):
    """The observation a correction supersedes (from ?supersedes= or the form), or None."""
    source = request.POST if request.method == "POST" else request.GET
    form = SupersedesForm(source)
    if not form.is_valid():
        return None, False
    pk = form.cleaned_data["supersedes"]
    if pk is None:
        return None, True
    return observation_to_correct_or_404(trainee=person, checklist=checklist, pk=pk), True


@assessor_required
@require_http_methods(["GET", "POST"])
def observe(request, trainee_id: int, slug: str):
    person = trainee_for_assessor_or_404(request.user, trainee_id)
    checklist = checklist_for_observation_or_404(slug)
    criteria = list(checklist.criteria.all())
    corrected, valid = _correction(request, person=person, checklist=checklist)
    context = {"trainee": person, "checklist": checklist, "corrected": corrected}
    if not valid:
        form = ObservationForm(criteria=criteria)
        context["error"] = SUPERSEDES_INVALID
        return render(request, "observations/observe.html", {**context, "form": form}, status=400)
    if request.method == "POST":
        form = ObservationForm(request.POST, request.FILES, criteria=criteria)
    else:
        initial = {"observed_on": timezone.localdate()}
        if corrected:
            initial["supersedes"] = corrected.pk
        form = ObservationForm(initial=initial, criteria=criteria)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            observation = observation_record(
                assessor=request.user,
                trainee=person,
                checklist=checklist,
                observed_on=data["observed_on"],
                setting=data["setting"],
                results=form.results(),
                outcome=data["outcome"],
                feedback=data["feedback"],
                evidence=data["evidence"],
                supersedes=corrected,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, OBSERVATION_RECORDED)
            return redirect("observations:detail", pk=observation.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "observations/observe.html", {**context, "form": form}, status=status)


def _detail(request, observation, *, error: str = "", status: int = 200):
    return render(
        request,
        "observations/detail.html",
        {
            "observation": observation,
            "results": list(observation.results.all()),
            "unmet": [r for r in observation.results.all() if not r.met],
            "evidence": list(observation.evidence.all()),
            "is_trainee": observation.trainee_id == request.user.pk,
            "superseded_by": getattr(observation, "superseded_by", None),
            "can_correct": observation_correctable_by(request.user, observation),
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def detail(request, pk: int):
    return _detail(request, observation_get_for_viewer_or_404(request.user, pk))


@login_required
@require_POST
def acknowledge(request, pk: int):
    observation = observation_get_for_viewer_or_404(request.user, pk)
    if observation.trainee_id != request.user.pk:
        raise Http404("No such observation.")
    try:
        observation_acknowledge(trainee=request.user, observation=observation)
    except ValidationError as error:
        return _detail(request, observation, error=error.messages[0], status=409)
    messages.success(request, OBSERVATION_ACKNOWLEDGED)
    return redirect("observations:detail", pk=observation.pk)


@login_required
@require_GET
def evidence(request, pk: int, evidence_id: int):
    """One evidence file, as a download, to those who may see the observation (else 404)."""
    observation = observation_get_for_viewer_or_404(request.user, pk)
    item = evidence_get_or_404(observation, evidence_id)
    storage = evidence_storage()
    if item.kind not in EVIDENCE_TYPES or not storage.exists(item.file.name):
        raise Http404(EVIDENCE_NOT_FOUND)
    content_type, extension = EVIDENCE_TYPES[item.kind]
    response = FileResponse(
        storage.open(item.file.name, "rb"),
        as_attachment=True,
        filename=item.original_name or f"observation-{observation.pk}-{item.pk}.{extension}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def mine(request):
    return render(
        request,
        "observations/mine.html",
        {"observations": observations_for_trainee(user=request.user)},
    )
