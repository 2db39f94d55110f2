"""Reads for observed practice: the assessor's home, one trainee's checklists, the trainee's own.

An observation is reached through observation_get_for_viewer_or_404 only: its trainee, the
assessors and managers whose cohorts hold the trainee, and superusers; anyone else gets 404.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404

from quizzes.cohorts.scope import (
    cohorts_for_assessor,
    trainees_for_assessor,
    trainees_for_manager,
)
from quizzes.models import (
    ChecklistCriterion,
    CohortMembership,
    Observation,
    PracticalChecklist,
)
from quizzes.observations.rules import (
    ChecklistProgress,
    ObservationFact,
    checklist_progress,
)

OBSERVATION_NOT_FOUND = "No such observation."
CHECKLIST_NOT_FOUND = "No such checklist."
EVIDENCE_NOT_FOUND = "No such evidence file."


@dataclass(frozen=True)
class ChecklistState:
    checklist: PracticalChecklist
    progress: ChecklistProgress


@dataclass
class TraineeRow:
    trainee: object
    checklists: list[ChecklistState] = field(default_factory=list)


@dataclass
class CohortRow:
    cohort: object
    trainees: list[TraineeRow] = field(default_factory=list)


@dataclass(frozen=True)
class AssessorHome:
    cohorts: list[CohortRow]
    checklists: list[PracticalChecklist]


@dataclass(frozen=True)
class TraineeObservations:
    trainee: object
    checklists: list[ChecklistState]
    history: list[Observation]


def _published_checklists() -> list[PracticalChecklist]:
    return list(PracticalChecklist.objects.published().order_by("title", "id"))


def _facts(trainee_ids, checklists) -> dict[tuple[int, int], list[ObservationFact]]:
    """The observations of these trainees on these checklists, as plain facts, in one query."""
    rows = Observation.objects.filter(
        trainee_id__in=trainee_ids, checklist__in=[c.pk for c in checklists]
    ).values_list("trainee_id", "checklist_id", "outcome", "acknowledged_at", "superseded_by")
    facts: dict[tuple[int, int], list[ObservationFact]] = defaultdict(list)
    for trainee_id, checklist_id, outcome, acknowledged_at, superseded_by in rows:
        facts[(trainee_id, checklist_id)].append(
            ObservationFact(
                outcome=outcome,
                acknowledged_at=acknowledged_at,
                superseded=superseded_by is not None,
            )
        )
    return facts


def _states(trainee_id: int, checklists, facts) -> list[ChecklistState]:
    return [
        ChecklistState(
            checklist=checklist,
            progress=checklist_progress(
                facts=facts.get((trainee_id, checklist.pk), ()),
                required=checklist.observations_required,
            ),
        )
        for checklist in checklists
    ]


def assessor_home(*, user) -> AssessorHome:
    """The cohorts the user assesses, their trainees, each published checklist's state."""
    cohorts = list(cohorts_for_assessor(user).order_by("name", "id"))
    checklists = _published_checklists()
    memberships = (
        CohortMembership.objects.filter(cohort__in=[c.pk for c in cohorts])
        .exclude(user=user)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "id")
    )
    members: dict[int, list] = defaultdict(list)
    for membership in memberships:
        members[membership.cohort_id].append(membership.user)
    trainee_ids = {u.pk for users in members.values() for u in users}
    facts = _facts(trainee_ids, checklists) if trainee_ids and checklists else {}
    rows = [
        CohortRow(
            cohort=cohort,
            trainees=[
                TraineeRow(trainee=trainee, checklists=_states(trainee.pk, checklists, facts))
                for trainee in members.get(cohort.pk, [])
            ],
        )
        for cohort in cohorts
    ]
    return AssessorHome(cohorts=rows, checklists=checklists)


def _history(queryset):
    return queryset.select_related("checklist", "superseded_by", "supersedes").order_by(
        "-observed_on", "-recorded_at", "-id"
    )


def trainee_observations(*, trainee) -> TraineeObservations:
    """One trainee's published checklists with their states, and every observation of them."""
    checklists = _published_checklists()
    history = list(_history(Observation.objects.filter(trainee=trainee)))
    facts = _facts([trainee.pk], checklists) if checklists else {}
    return TraineeObservations(
        trainee=trainee, checklists=_states(trainee.pk, checklists, facts), history=history
    )


def observations_for_trainee(*, user) -> list[Observation]:
    """The trainee's own observations, newest first."""
    return list(_history(Observation.objects.filter(trainee=user)))


def observations_awaiting_acknowledgement(user) -> list[Observation]:
    """The trainee's observations not yet acknowledged, for the dashboard card."""
    if not (user and user.is_authenticated):
        return []
    return list(
        Observation.objects.filter(trainee=user, acknowledged_at__isnull=True)
        .select_related("checklist")
        .order_by("-observed_on", "-recorded_at", "-id")
    )


def observation_get_for_viewer_or_404(user, pk: int) -> Observation:
    """The observation, if the user may see it: trainee, assessors and managers in scope."""
    if not (user and user.is_authenticated):
        raise Http404(OBSERVATION_NOT_FOUND)
    observation = (
        Observation.objects.filter(pk=pk)
        .select_related("checklist", "trainee", "assessor", "supersedes", "superseded_by")
        .prefetch_related("results", "evidence")
        .first()
    )
    if observation is None:
        raise Http404(OBSERVATION_NOT_FOUND)
    if observation.trainee_id == user.pk or user.is_superuser:
        return observation
    trainee_id = observation.trainee_id
    if trainees_for_assessor(user).filter(pk=trainee_id).exists():
        return observation
    if trainees_for_manager(user).filter(pk=trainee_id).exists():
        return observation
    raise Http404(OBSERVATION_NOT_FOUND)


def observation_correctable_by(user, observation: Observation) -> bool:
    """Whether the user may record a correction of it: an assessor in scope, not yet corrected."""
    if getattr(observation, "superseded_by", None) is not None:
        return False
    return trainees_for_assessor(user).filter(pk=observation.trainee_id).exists()


def evidence_get_or_404(observation: Observation, evidence_id: int):
    """One evidence file of an observation the caller already reached through the viewer helper."""
    for item in observation.evidence.all():
        if item.pk == evidence_id:
            return item
    raise Http404(EVIDENCE_NOT_FOUND)


def checklist_for_observation_or_404(slug: str) -> PracticalChecklist:
    """A published checklist with its criteria in order."""
    checklist = (
        PracticalChecklist.objects.published()
        .filter(slug=slug)
        .prefetch_related(
            Prefetch("criteria", queryset=ChecklistCriterion.objects.order_by("order", "id"))
        )
        .first()
    )
    if checklist is None:
        raise Http404(CHECKLIST_NOT_FOUND)
    return checklist


def observation_to_correct_or_404(*, trainee, checklist, pk: int) -> Observation:
    """An observation of this trainee on this checklist that a new one may supersede."""
    observation = Observation.objects.filter(pk=pk, trainee=trainee, checklist=checklist).first()
    if observation is None:
        raise Http404(OBSERVATION_NOT_FOUND)
    return observation
