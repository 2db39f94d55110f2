"""Observed practice in the hardening world: a published checklist (not required by the
world's program, so certification stays as it was) and the trainee's observation by the
cohort A assessor, with a PDF evidence file, not yet acknowledged."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from quizzes.models import ChecklistCriterion, Observation, PracticalChecklist
from quizzes.observations.rules import CriterionResult
from quizzes.observations.services import observation_record

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def build_observations_world(*, trainee, assessor) -> dict:
    checklist = PracticalChecklist.objects.create(
        title="Observed bleeding management",
        slug="observed-bleeding",
        status=PracticalChecklist.Status.PUBLISHED,
    )
    criteria = [
        ChecklistCriterion.objects.create(
            checklist=checklist, order=order, text=text, critical=critical, guidance="Watch."
        )
        for order, (text, critical) in enumerate(
            [("Screens bleeding risk", True), ("Applies pressure with gauze", False)]
        )
    ]
    observation = observation_record(
        assessor=assessor,
        trainee=trainee,
        checklist=checklist,
        observed_on=date(2026, 11, 2),
        setting=Observation.Setting.CLINIC,
        results=[CriterionResult(criterion_id=c.pk, met=True) for c in criteria],
        outcome=Observation.Outcome.COMPETENT,
        feedback="Calm and thorough.",
        evidence=[SimpleUploadedFile("consent.pdf", MINIMAL_PDF, "application/pdf")],
    )
    return {
        "checklist": checklist,
        "observation": observation,
        "observation_evidence": observation.evidence.get(),
    }
