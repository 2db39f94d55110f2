"""Recording and acknowledging observations: the rules hold in the service itself."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from quizzes.cpd.evidence import EVIDENCE_TOO_LARGE, EVIDENCE_WRONG_TYPE
from quizzes.cpd.rules import MAX_EVIDENCE_BYTES
from quizzes.models import Certificate, Observation, ObservationEvidence, ObservationResult
from quizzes.observations import services
from quizzes.observations.rules import CRITICAL_NOT_MET, RESULT_MISSING
from quizzes.observations.selectors import trainee_observations
from quizzes.observations.services import (
    ALREADY_ACKNOWLEDGED,
    CHECKLIST_NOT_PUBLISHED,
    NOT_AN_ASSESSOR,
    NOT_YOUR_OBSERVATION,
    OBSERVED_IN_FUTURE,
    SELF_ASSESSMENT_REFUSED,
    SUPERSEDES_ALREADY,
    SUPERSEDES_OTHER,
    TOO_MANY_EVIDENCE_FILES,
    TRAINEE_NOT_IN_SCOPE,
    observation_acknowledge,
)
from tests.builders import do_everything, make_checklist, make_program, make_trainee
from tests.observations.conftest import pdf_upload, png_upload, results_for
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db


def _messages(error) -> list[str]:
    return error.value.messages


def test_record_copies_the_assessor_name_and_each_criterion(record, assessor, trainee, cohort):
    observation = record(assessor, trainee, feedback="Good pressure technique.")
    assert observation.assessor_name == "Asha Assessor"
    rows = list(observation.results.values_list("criterion_text", "critical", "order", "met"))
    assert rows == [
        ("Criterion 1 of bleeding-practice", True, 0, True),
        ("Criterion 2 of bleeding-practice", False, 1, True),
        ("Criterion 3 of bleeding-practice", False, 2, True),
    ]
    event = AuditEvent.objects.get(action=AuditEvent.Action.OBSERVATION_RECORDED)
    assert (event.actor, event.target_id) == (assessor, str(observation.pk))
    assert event.details["outcome"] == "competent"


def test_self_assessment_is_refused_in_the_service(record, assessor, cohort):
    # Even an assessor who is also a member of the cohort they assess.
    cohort.memberships.create(user=assessor)
    with pytest.raises(PermissionDenied, match=SELF_ASSESSMENT_REFUSED):
        record(assessor, assessor)
    assert Observation.objects.count() == 0


def test_the_database_refuses_self_assessment_too(checklist, assessor):
    with pytest.raises(IntegrityError):
        Observation.objects.create(
            checklist=checklist,
            trainee=assessor,
            assessor=assessor,
            assessor_name="x",
            observed_on=timezone.localdate(),
            setting="clinic",
            outcome="competent",
        )


def test_a_trainee_outside_the_assessors_cohorts_is_refused(
    record, assessor, other_trainee, cohort, other_cohort
):
    with pytest.raises(PermissionDenied, match=TRAINEE_NOT_IN_SCOPE):
        record(assessor, other_trainee)


def test_someone_who_is_not_an_assessor_is_refused(record, manager, trainee, cohort):
    cohort.assessors.add(manager)  # assigned, but without the role
    with pytest.raises(PermissionDenied, match=NOT_AN_ASSESSOR):
        record(manager, trainee)


def test_a_draft_checklist_is_refused(record, assessor, trainee, cohort):
    draft = make_checklist(slug="draft-practice")
    draft.status = draft.Status.DRAFT
    draft.save()
    with pytest.raises(ValidationError) as error:
        record(assessor, trainee, checklist=draft)
    assert _messages(error) == [CHECKLIST_NOT_PUBLISHED]


def test_a_critical_criterion_not_met_is_never_competent(
    record, checklist, assessor, trainee, cohort
):
    with pytest.raises(ValidationError) as error:
        record(assessor, trainee, unmet=(0,))
    assert _messages(error) == [
        CRITICAL_NOT_MET.format(criterion="Criterion 1 of bleeding-practice")
    ]
    observation = record(assessor, trainee, unmet=(0,), outcome=Observation.Outcome.NOT_YET)
    assert observation.outcome == "not_yet"


def test_a_missing_result_is_refused(record, checklist, assessor, trainee, cohort):
    with pytest.raises(ValidationError) as error:
        record(assessor, trainee, results=results_for(checklist)[:2])
    assert _messages(error) == [RESULT_MISSING.format(criterion="Criterion 3 of bleeding-practice")]


def test_a_future_date_is_refused(record, assessor, trainee, cohort):
    with pytest.raises(ValidationError) as error:
        record(assessor, trainee, observed_on=timezone.localdate() + timedelta(days=1))
    assert _messages(error) == [OBSERVED_IN_FUTURE]


def test_evidence_is_stored_under_a_random_name_with_its_original_name(
    record, assessor, trainee, cohort
):
    observation = record(assessor, trainee, evidence=[pdf_upload(), png_upload()])
    stored = list(observation.evidence.order_by("id").values_list("original_name", "kind"))
    assert stored == [("photo consent.pdf", "pdf"), ("gauze.png", "png")]
    name = observation.evidence.first().file.name
    assert name.startswith("observations/") and "consent" not in name


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: pdf_upload(content=b"MZ not a pdf"), EVIDENCE_WRONG_TYPE),
        (lambda: pdf_upload(content=b"%PDF-" + b"0" * MAX_EVIDENCE_BYTES), EVIDENCE_TOO_LARGE),
    ],
)
def test_evidence_of_the_wrong_type_or_size_is_refused(
    record, assessor, trainee, cohort, upload, message
):
    with pytest.raises(ValidationError) as error:
        record(assessor, trainee, evidence=[upload()])
    assert _messages(error) == [message]
    assert Observation.objects.count() == ObservationEvidence.objects.count() == 0


def test_too_many_evidence_files_are_refused(record, assessor, trainee, cohort):
    with pytest.raises(ValidationError) as error:
        record(assessor, trainee, evidence=[pdf_upload() for _ in range(6)])
    assert _messages(error) == [TOO_MANY_EVIDENCE_FILES]


def test_a_correction_supersedes_and_keeps_the_old_one(
    record, checklist, assessor, trainee, cohort
):
    old = record(assessor, trainee)
    observation_acknowledge(trainee=trainee, observation=old)
    assert trainee_observations(trainee=trainee).checklists[0].progress.counted == 1
    new = record(assessor, trainee, supersedes=old, unmet=(0,), outcome=Observation.Outcome.NOT_YET)
    old.refresh_from_db()
    assert (
        old.superseded_by == new and ObservationResult.objects.filter(observation=old).count() == 3
    )
    progress = trainee_observations(trainee=trainee).checklists[0].progress
    assert (progress.state, progress.counted) == ("not_yet_competent", 0)


def test_an_observation_is_superseded_once(record, assessor, trainee, cohort):
    old = record(assessor, trainee)
    record(assessor, trainee, supersedes=old)
    with pytest.raises(ValidationError) as error:
        record(assessor, trainee, supersedes=old)
    assert _messages(error) == [SUPERSEDES_ALREADY]


def test_a_correction_of_another_trainees_observation_is_refused(record, assessor, trainee, cohort):
    someone = make_trainee(username="sam")
    cohort.memberships.create(user=someone)
    theirs = record(assessor, someone)
    with pytest.raises(ValidationError) as error:
        record(assessor, trainee, supersedes=theirs)
    assert _messages(error) == [SUPERSEDES_OTHER]


def test_acknowledge_only_by_the_trainee_and_once(record, assessor, trainee, other_trainee, cohort):
    observation = record(assessor, trainee)
    with pytest.raises(PermissionDenied, match=NOT_YOUR_OBSERVATION):
        observation_acknowledge(trainee=other_trainee, observation=observation)
    with pytest.raises(PermissionDenied, match=NOT_YOUR_OBSERVATION):
        observation_acknowledge(trainee=assessor, observation=observation)
    now = timezone.now()
    observation_acknowledge(trainee=trainee, observation=observation, now=now)
    with pytest.raises(ValidationError) as error:
        observation_acknowledge(trainee=trainee, observation=observation)
    assert _messages(error) == [ALREADY_ACKNOWLEDGED]
    observation.refresh_from_db()
    assert observation.acknowledged_at == now
    events = AuditEvent.objects.filter(action=AuditEvent.Action.OBSERVATION_ACKNOWLEDGED)
    assert list(events.values_list("actor", flat=True)) == [trainee.pk]


def test_acknowledging_a_sign_off_asks_certification(record, checklist, assessor, trainee, cohort):
    observation = record(assessor, trainee)
    with mock.patch.object(services, "certificates_check_after_activity") as check:
        observation_acknowledge(trainee=trainee, observation=observation)
    check.assert_called_once_with(
        user=trainee, checklist=checklist, now=observation.acknowledged_at
    )


def test_acknowledging_not_yet_or_a_superseded_one_asks_nothing(record, assessor, trainee, cohort):
    not_yet = record(assessor, trainee, unmet=(1,), outcome=Observation.Outcome.NOT_YET)
    old = record(assessor, trainee)
    record(assessor, trainee, supersedes=old)
    with mock.patch.object(services, "certificates_check_after_activity") as check:
        observation_acknowledge(trainee=trainee, observation=not_yet)
        observation_acknowledge(trainee=trainee, observation=old)
    check.assert_not_called()


def test_superusers_may_assess_anyone_but_themselves(record, superuser, trainee, cohort):
    assert record(superuser, trainee).assessor == superuser
    with pytest.raises(PermissionDenied, match=SELF_ASSESSMENT_REFUSED):
        record(superuser, superuser)


def test_acknowledging_the_last_sign_off_issues_the_certificate_once(
    record, checklist, assessor, trainee, cohort
):
    program = make_program(slug="observed-foundation", lessons=1, quizzes=1)
    checklist.programs.add(program)
    do_everything(trainee, program, at=timezone.now() - timedelta(days=1))
    assert Certificate.objects.filter(user=trainee).count() == 0
    observation = record(assessor, trainee)
    assert Certificate.objects.filter(user=trainee).count() == 0  # waits for acknowledgement
    observation_acknowledge(trainee=trainee, observation=observation)
    assert Certificate.objects.filter(user=trainee, program=program).count() == 1
    with pytest.raises(ValidationError):
        observation_acknowledge(trainee=trainee, observation=observation)
    assert Certificate.objects.filter(user=trainee, program=program).count() == 1
