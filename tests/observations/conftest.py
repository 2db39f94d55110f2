"""Observation test helpers: two cohorts with their assessors, a checklist, the service's inputs."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from quizzes.models import Observation
from quizzes.observations.rules import CriterionResult
from quizzes.observations.services import observation_record
from tests.builders import make_checklist, make_cohort

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name="photo consent.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, "application/pdf")


def png_upload(name="gauze.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/png")


@pytest.fixture
def cohort(trainee, manager, assessor):
    cohort = make_cohort(name="Alpha", managers=[manager], trainees=[trainee])
    cohort.assessors.add(assessor)
    return cohort


@pytest.fixture
def other_cohort(other_trainee, other_manager, other_assessor):
    cohort = make_cohort(name="Beta", managers=[other_manager], trainees=[other_trainee])
    cohort.assessors.add(other_assessor)
    return cohort


@pytest.fixture
def checklist(db):
    """Three criteria, the first critical."""
    return make_checklist(slug="bleeding-practice", criteria=3, critical=(0,))


def results_for(checklist, *, unmet=()):
    """A result for every criterion, met except the orders in `unmet`."""
    return [
        CriterionResult(criterion_id=c.pk, met=c.order not in unmet, note=f"note {c.order}")
        for c in checklist.criteria.order_by("order")
    ]


@pytest.fixture
def record(checklist):
    def make(assessor, trainee, *, outcome=Observation.Outcome.COMPETENT, unmet=(), **fields):
        fields.setdefault("observed_on", timezone.localdate() - timedelta(days=1))
        fields.setdefault("setting", Observation.Setting.CLINIC)
        fields.setdefault("checklist", checklist)
        return observation_record(
            assessor=assessor,
            trainee=trainee,
            results=fields.pop("results", None) or results_for(fields["checklist"], unmet=unmet),
            outcome=outcome,
            **fields,
        )

    return make
