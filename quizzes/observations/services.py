"""Writes for observed practice: recording an observation, and the trainee's acknowledgement.

Observations are append-only: nothing here edits or deletes one. A correction is a new
observation that supersedes the earlier one, which is kept and stops counting. The rules
(nobody assesses themselves, only trainees in the assessor's cohorts, a critical criterion
not met is never competent) hold here, whichever page or command calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from quizzes.certification.services import certificates_check_after_activity
from quizzes.cohorts.scope import trainees_for_assessor
from quizzes.cpd.evidence import original_name, validate_evidence
from quizzes.models import (
    Cohort,
    Observation,
    ObservationEvidence,
    ObservationResult,
    PracticalChecklist,
)
from quizzes.observations.rules import Criterion, CriterionResult, outcome_problems
from quizzes.observations.signals import observation_acknowledged
from trainingsite.audit import audit_record
from trainingsite.models import AuditEvent
from trainingsite.roles import user_is_assessor

MAX_EVIDENCE_FILES = 5

SELF_ASSESSMENT_REFUSED = "Nobody signs off their own practice: ask another assessor."
NOT_AN_ASSESSOR = "Only assessors record observations."
TRAINEE_NOT_IN_SCOPE = "This trainee is not in a cohort you assess."
CHECKLIST_NOT_PUBLISHED = "Observations are recorded on published checklists only."
OUTCOME_UNKNOWN = "Choose an outcome: competent or not yet competent."
SETTING_UNKNOWN = "Choose where the observation took place."
OBSERVED_IN_FUTURE = "The observation date cannot be in the future."
TOO_MANY_EVIDENCE_FILES = f"Attach at most {MAX_EVIDENCE_FILES} evidence files."
SUPERSEDES_OTHER = "The observation being corrected is of another trainee or another checklist."
SUPERSEDES_ALREADY = "That observation has already been corrected by a later one."
NOT_YOUR_OBSERVATION = "Only the trainee observed acknowledges an observation."
ALREADY_ACKNOWLEDGED = "You have already acknowledged this observation."


def _person_name(user) -> str:
    return user.get_full_name().strip() or user.get_username()


def _scope_check(*, assessor, trainee) -> None:
    if assessor.pk == trainee.pk:
        raise PermissionDenied(SELF_ASSESSMENT_REFUSED)
    if not user_is_assessor(assessor):
        raise PermissionDenied(NOT_AN_ASSESSOR)
    if not trainees_for_assessor(assessor).filter(pk=trainee.pk).exists():
        raise PermissionDenied(TRAINEE_NOT_IN_SCOPE)


def _supersedes_check(*, supersedes: Observation, trainee, checklist) -> None:
    if supersedes.trainee_id != trainee.pk or supersedes.checklist_id != checklist.pk:
        raise ValidationError(SUPERSEDES_OTHER, code="supersedes_other")
    if Observation.objects.filter(supersedes=supersedes).exists():
        raise ValidationError(SUPERSEDES_ALREADY, code="supersedes_already")


def _evidence_kinds(evidence: Sequence) -> list[str]:
    if len(evidence) > MAX_EVIDENCE_FILES:
        raise ValidationError(TOO_MANY_EVIDENCE_FILES, code="too_many_files")
    return [validate_evidence(upload) for upload in evidence]


@transaction.atomic
def observation_record(
    *,
    assessor,
    trainee,
    checklist: PracticalChecklist,
    observed_on: date,
    setting: str,
    results: Sequence[CriterionResult],
    outcome: str,
    feedback: str = "",
    evidence: Sequence = (),
    supersedes: Observation | None = None,
    now: datetime | None = None,
) -> Observation:
    """Record one observed session with a result per criterion; refuse what breaks a rule."""
    now = now or timezone.now()
    _scope_check(assessor=assessor, trainee=trainee)
    if not checklist.is_published:
        raise ValidationError(CHECKLIST_NOT_PUBLISHED, code="checklist_not_published")
    if outcome not in Observation.Outcome.values:
        raise ValidationError(OUTCOME_UNKNOWN, code="outcome_unknown")
    if setting not in Observation.Setting.values:
        raise ValidationError(SETTING_UNKNOWN, code="setting_unknown")
    if observed_on > timezone.localdate(now):
        raise ValidationError(OBSERVED_IN_FUTURE, code="observed_in_future")
    criteria = list(checklist.criteria.order_by("order", "id"))
    problems = outcome_problems(
        criteria=[
            Criterion(id=c.pk, text=c.text, critical=c.critical, order=c.order) for c in criteria
        ],
        results=results,
        outcome=outcome,
    )
    if problems:
        raise ValidationError(problems, code="results")
    if supersedes is not None:
        _supersedes_check(supersedes=supersedes, trainee=trainee, checklist=checklist)
    kinds = _evidence_kinds(evidence)
    observation = Observation(
        checklist=checklist,
        trainee=trainee,
        assessor=assessor,
        assessor_name=_person_name(assessor),
        observed_on=observed_on,
        setting=setting,
        outcome=outcome,
        feedback=feedback,
        supersedes=supersedes,
    )
    try:
        # Two corrections of one observation at once: the one-to-one key lets one in.
        with transaction.atomic():
            observation.save()
    except IntegrityError as error:
        raise ValidationError(SUPERSEDES_ALREADY, code="supersedes_already") from error
    given = {result.criterion_id: result for result in results}
    ObservationResult.objects.bulk_create(
        ObservationResult(
            observation=observation,
            criterion=criterion,
            criterion_text=criterion.text,
            critical=criterion.critical,
            order=criterion.order,
            met=given[criterion.pk].met,
            note=given[criterion.pk].note,
        )
        for criterion in criteria
    )
    for upload, kind in zip(evidence, kinds, strict=True):
        item = ObservationEvidence(observation=observation, kind=kind)
        item.original_name = original_name(upload)
        item.file = upload  # stored under a random name on save (observation_evidence_path)
        item.save()
    audit_record(
        actor=assessor,
        action=AuditEvent.Action.OBSERVATION_RECORDED,
        target=observation,
        summary=(
            f"{checklist.title} · {trainee.get_username()} · {observation.get_outcome_display()}"
        ),
        details={
            "observation": observation.pk,
            "checklist": checklist.slug,
            "trainee": trainee.get_username(),
            "outcome": outcome,
            "supersedes": supersedes.pk if supersedes else None,
            "evidence": len(kinds),
        },
    )
    return observation


@transaction.atomic
def observation_acknowledge(
    *, trainee, observation: Observation, now: datetime | None = None
) -> Observation:
    """The trainee confirms they have seen the observation (once); a sign-off may now count."""
    now = now or timezone.now()
    if observation.trainee_id != trainee.pk:
        raise PermissionDenied(NOT_YOUR_OBSERVATION)
    updated = Observation.objects.filter(
        pk=observation.pk, trainee=trainee, acknowledged_at__isnull=True
    ).update(acknowledged_at=now)
    if not updated:
        raise ValidationError(ALREADY_ACKNOWLEDGED, code="already_acknowledged")
    observation.acknowledged_at = now
    audit_record(
        actor=trainee,
        action=AuditEvent.Action.OBSERVATION_ACKNOWLEDGED,
        target=observation,
        summary=f"{observation.checklist.title} · {trainee.get_username()}",
        details={"observation": observation.pk, "checklist": observation.checklist.slug},
    )
    superseded = Observation.objects.filter(supersedes=observation).exists()
    if observation.is_competent and not superseded:
        certificates_check_after_activity(user=trainee, checklist=observation.checklist, now=now)
    observation_acknowledged.send(sender=Observation, observation=observation, now=now)
    return observation


@transaction.atomic
def assessor_demo_assign(*, username: str, cohort_slugs: Sequence[str]) -> bool:
    """Make the demo assessor an assessor of the demo cohorts; False when either is missing."""
    user = get_user_model().objects.filter(username=username).first()
    cohorts = list(Cohort.objects.filter(slug__in=cohort_slugs))
    if user is None or not cohorts:
        return False
    for cohort in cohorts:
        cohort.assessors.add(user)
    return True
