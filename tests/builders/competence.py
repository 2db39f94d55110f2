"""Builders for competence records: checklists and observations, statements and attestations.

They write the rows directly (no service), so the certification tests state the facts they
need; the observation and attestation services have tests of their own.
"""

from datetime import datetime

from django.utils import timezone

from quizzes.models import (
    Attestation,
    AttestationStatement,
    ChecklistCriterion,
    Observation,
    ObservationResult,
    PracticalChecklist,
)
from tests.builders.people import make_assessor


def make_checklist(
    *, slug="observed-practice", programs=(), criteria=2, critical=(0,), required=1
) -> PracticalChecklist:
    """A published checklist with `criteria` criteria (the indexes in `critical` are critical)."""
    checklist = PracticalChecklist.objects.create(
        title=f"Checklist {slug}",
        slug=slug,
        observations_required=required,
        status=PracticalChecklist.Status.PUBLISHED,
    )
    for order in range(criteria):
        ChecklistCriterion.objects.create(
            checklist=checklist,
            order=order,
            text=f"Criterion {order + 1} of {slug}",
            guidance="Watch for it.",
            critical=order in critical,
        )
    checklist.programs.set(programs)
    return checklist


def observe(
    trainee,
    checklist,
    *,
    assessor=None,
    competent=True,
    acknowledged=True,
    at: datetime | None = None,
    supersedes=None,
) -> Observation:
    """An observation of every criterion, met when competent, recorded at `at` (default now)."""
    assessor = assessor or make_assessor()
    at = at or timezone.now()
    observation = Observation.objects.create(
        checklist=checklist,
        trainee=trainee,
        assessor=assessor,
        assessor_name=assessor.get_full_name() or assessor.username,
        observed_on=timezone.localdate(at),
        setting=Observation.Setting.CLINIC,
        outcome=Observation.Outcome.COMPETENT if competent else Observation.Outcome.NOT_YET,
        supersedes=supersedes,
        acknowledged_at=at if acknowledged else None,
    )
    # recorded_at is auto_now_add: set the moment the test asks for.
    Observation.objects.filter(pk=observation.pk).update(recorded_at=at)
    observation.recorded_at = at
    for criterion in checklist.criteria.all():
        ObservationResult.objects.create(
            observation=observation,
            criterion=criterion,
            criterion_text=criterion.text,
            critical=criterion.critical,
            order=criterion.order,
            met=competent,
        )
    return observation


def make_statement(*, slug="protocol", programs=(), text="I will follow the protocol."):
    statement = AttestationStatement.objects.create(title=f"Statement {slug}", slug=slug, text=text)
    statement.programs.set(programs)
    return statement


def attest(user, statement, *, at: datetime | None = None, version=None) -> Attestation:
    return Attestation.objects.create(
        user=user,
        statement=statement,
        version=version or statement.version,
        text=statement.text,
        typed_name=user.get_full_name() or user.username,
        attested_at=at or timezone.now(),
        ip_address="127.0.0.1",
    )
