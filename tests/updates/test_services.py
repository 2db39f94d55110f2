"""Renewal that follows what changed: who is asked, the delta path, early expiry."""

from datetime import timedelta

import pytest

from lessons.services import lesson_complete
from quizzes.certification.rules import ProgressStatus
from quizzes.certification.selectors import certificate_verify, program_progress
from quizzes.models import Attempt, Certificate, CertificateUpdate, ProgramUpdate, QuizQuestion
from quizzes.services import AttemptRefused
from quizzes.updates import services
from tests.builders import (
    make_certificate,
    make_program,
    make_question,
    make_trainee,
    observe,
)
from tests.builders.competence import make_checklist
from tests.updates.conftest import change_lesson, take_update_quiz

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def test_a_material_lesson_change_asks_each_certified_trainee_and_brings_expiry_forward(
    world, trainee, educator
):
    now = world["now"]
    change_lesson(world["first"], by=educator, now=now)

    update = ProgramUpdate.objects.get(program=world["program"])
    assert (update.version, update.summary) == (1, "Pressure before referral")
    assert update.due_at == now + 60 * DAY
    assert list(update.lessons.all()) == [world["first"]]
    # The update quiz draws from the pool's questions on the changed lesson only.
    assert sorted(c["question"] for c in update.quiz_candidates) == sorted(
        q.pk for q in world["questions"]
    )
    asked = CertificateUpdate.objects.get()
    assert asked.certificate == world["certificate"]
    assert asked.expires_at_before == world["expires"]
    world["certificate"].refresh_from_db()
    assert world["certificate"].expires_at == now + 60 * DAY
    assert program_progress(user=trainee, program=world["program"]).progress.status == (
        ProgressStatus.CERTIFIED
    )


def test_who_is_not_asked(world, trainee, educator):
    now = world["now"]
    program = world["program"]
    expiring = make_trainee(username="expiring")
    make_certificate(expiring, program, issued_at=now - 700 * DAY, expires_at=now + 30 * DAY)
    revoked = make_trainee(username="revoked")
    make_certificate(
        revoked, program, issued_at=now - DAY, expires_at=now + 700 * DAY, revoked=True
    )
    lapsed = make_trainee(username="lapsed")
    make_certificate(lapsed, program, issued_at=now - 800 * DAY, expires_at=now - 70 * DAY)
    renewed = make_trainee(username="renewed")
    make_certificate(renewed, program, issued_at=now - 800 * DAY, expires_at=now - 70 * DAY)
    latest = make_certificate(
        renewed, program, issued_at=now - 60 * DAY, expires_at=now + 670 * DAY, cycle=2
    )
    other_program = make_program(slug="other", lessons=1, quizzes=0)
    bystander = make_trainee(username="bystander")
    make_certificate(bystander, other_program, issued_at=now - DAY, expires_at=now + 700 * DAY)

    change_lesson(world["first"], by=educator, now=now)

    asked = set(CertificateUpdate.objects.values_list("certificate__user__username", flat=True))
    assert asked == {trainee.username, "renewed"}
    assert CertificateUpdate.objects.get(certificate__user=renewed).certificate == latest
    assert ProgramUpdate.objects.filter(program=other_program).exists() is False


def test_re_reading_and_passing_the_update_quiz_completes_it_and_gives_the_expiry_back(
    world, trainee, educator
):
    now = world["now"]
    change_lesson(world["first"], by=educator, now=now - 5 * DAY)
    program = world["program"]

    lesson_complete(user=trainee, lesson=world["first"], now=now - 4 * DAY)
    assert CertificateUpdate.objects.get().completed_at is None  # the quiz is still to pass

    failed = take_update_quiz(trainee, program, now=now - 3 * DAY, right=False)
    assert (failed.kind, failed.passed) == (Attempt.Kind.UPDATE, False)
    assert CertificateUpdate.objects.get().completed_at is None

    passed = take_update_quiz(trainee, program, now=now - 2 * DAY)
    assert passed.passed is True
    # One question per point, critical first; only the changed lesson's questions.
    asked = [q["id"] for q in passed.paper["questions"]]
    assert len(asked) == 3
    assert asked[0] == world["questions"][0].pk
    assert world["other"].pk not in asked

    row = CertificateUpdate.objects.get()
    assert row.completed_at == now - 2 * DAY
    assert row.attempt == passed
    world["certificate"].refresh_from_db()
    assert world["certificate"].expires_at == world["expires"]
    with pytest.raises(AttemptRefused) as refused:
        services.update_quiz_start(user=trainee, program=program, now=now)
    assert refused.value.message == services.NO_UPDATE_DUE


def test_the_update_quiz_never_counts_as_an_exam_attempt(world, trainee, educator):
    now = world["now"]
    change_lesson(world["first"], by=educator, now=now - DAY)
    take_update_quiz(trainee, world["program"], now=now)
    assert Attempt.objects.filter(user=trainee).graded().count() == 0
    assert Attempt.objects.filter(user=trainee, quiz=world["final"]).count() == 0
    # Passed only: the receiver records the update, certification issues nothing new.
    assert Certificate.objects.filter(user=trainee).count() == 1


def test_an_update_not_done_in_time_expires_the_certificate_early(world, trainee, educator):
    now = world["now"]
    change_lesson(world["first"], by=educator, now=now - 61 * DAY)
    progress = program_progress(user=trainee, program=world["program"], now=now)
    assert progress.progress.status == ProgressStatus.EXPIRED
    verification = certificate_verify(code=world["certificate"].code, now=now)
    assert verification.status == "expired"
    assert verification.expires_at == now - DAY
    # Past the window, a re-read no longer completes it.
    lesson_complete(user=trainee, lesson=world["first"], now=now)
    assert CertificateUpdate.objects.get().completed_at is None


def test_two_changes_number_versions_and_the_expiry_follows_the_earliest_open(
    world, trainee, educator
):
    now = world["now"]
    change_lesson(world["first"], by=educator, now=now - 10 * DAY, summary="first")
    change_lesson(world["second"], by=educator, now=now - 5 * DAY, summary="second")
    versions = list(ProgramUpdate.objects.order_by("version").values_list("version", "summary"))
    assert versions == [(1, "first"), (2, "second")]
    certificate = world["certificate"]
    certificate.refresh_from_db()
    assert certificate.expires_at == now + 50 * DAY
    assert list(CertificateUpdate.objects.values_list("expires_at_before", flat=True)) == [
        world["expires"],
        world["expires"],
    ]


def test_an_exam_item_change_draws_the_update_quiz_from_its_variants(world, trainee, educator):
    now = world["now"]
    changed = make_question("variant-a", bank="exam", variant_group="pressure")
    sibling = make_question("variant-b", bank="exam", variant_group="pressure")
    QuizQuestion.objects.bulk_create(
        [
            QuizQuestion(quiz=world["final"], question=changed, order=10),
            QuizQuestion(quiz=world["final"], question=sibling, order=11),
        ]
    )
    services.program_updates_record(
        summary="Pressure time", by=educator, questions=[changed], now=now - DAY
    )
    update = ProgramUpdate.objects.get()
    assert list(update.questions.all()) == [changed]
    assert {c["question"] for c in update.quiz_candidates} == {changed.pk, sibling.pk}
    assert {c["point"] for c in update.quiz_candidates} == {"group:pressure"}
    attempt = take_update_quiz(trainee, world["program"], now=now)
    assert len(attempt.paper["questions"]) == 1
    assert CertificateUpdate.objects.get().completed_at == now


def test_a_checklist_change_needs_a_new_observation(world, trainee, educator, assessor):
    now = world["now"]
    checklist = make_checklist(programs=[world["program"]])
    services.program_updates_record(
        summary="New haemostasis step", by=educator, checklists=[checklist], now=now - 3 * DAY
    )
    update = ProgramUpdate.objects.get()
    assert update.quiz_candidates == []
    with pytest.raises(AttemptRefused) as refused:
        services.update_quiz_start(user=trainee, program=world["program"], now=now)
    assert refused.value.message == services.NO_UPDATE_QUIZ
    observe(trainee, checklist, assessor=assessor, at=now - DAY)
    # The observation service settles inside its transaction; the builder does not.
    services.certificate_updates_settle(user=trainee, now=now)
    assert CertificateUpdate.objects.get().completed_at is not None


def test_a_change_to_nothing_any_program_requires_records_nothing(world, educator):
    stray = make_question("stray", bank="exam")
    assert services.program_updates_record(summary="x", by=educator, questions=[stray]) == []
    assert ProgramUpdate.objects.count() == 0
