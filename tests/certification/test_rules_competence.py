"""Observed practice and attestations as program requirements, in the pure rules (no database)."""

from datetime import UTC, datetime, timedelta

from quizzes.certification.rules import (
    AttestationFacts,
    CertificateFacts,
    ChecklistFacts,
    LessonFacts,
    NextStep,
    ProgressStatus,
    QuizFacts,
    StepKind,
    attestation_counts,
    checklist_counts,
    progress_compute,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
EARLIER = NOW - 10 * DAY
ISSUED = NOW - 400 * DAY


def compute(*, lesson=EARLIER, quiz=EARLIER, checklists=(), attestations=(), certificate=None):
    return progress_compute(
        lessons=[LessonFacts(lesson_id=1, completed_at=lesson)],
        quizzes=[QuizFacts(quiz_id=2, last_passed_at=quiz, last_attempt_at=quiz)],
        checklists=checklists,
        attestations=attestations,
        certificate=certificate,
        due_date=None,
        now=NOW,
    )


def test_a_checklist_counts_with_enough_competent_observations():
    one = ChecklistFacts(checklist_id=7, observations_required=2, competent_at=(EARLIER,))
    two = ChecklistFacts(checklist_id=7, observations_required=2, competent_at=(EARLIER, NOW))
    assert checklist_counts(one, cycle_started_at=None) is False
    assert checklist_counts(two, cycle_started_at=None) is True


def test_a_checklist_counts_only_observations_of_the_current_cycle():
    facts = ChecklistFacts(checklist_id=7, competent_at=(ISSUED - DAY,))
    assert checklist_counts(facts, cycle_started_at=None) is True
    assert checklist_counts(facts, cycle_started_at=ISSUED) is False
    renewed = ChecklistFacts(checklist_id=7, competent_at=(ISSUED - DAY, ISSUED + DAY))
    assert checklist_counts(renewed, cycle_started_at=ISSUED) is True


def test_an_attestation_counts_when_the_current_version_is_attested_whatever_the_cycle():
    assert attestation_counts(AttestationFacts(statement_id=3, attested_at=ISSUED - DAY)) is True
    assert attestation_counts(AttestationFacts(statement_id=3)) is False


def test_everything_but_observed_practice_is_awaiting_sign_off():
    progress = compute(
        checklists=[ChecklistFacts(checklist_id=7)],
        attestations=[AttestationFacts(statement_id=3, attested_at=EARLIER)],
    )
    assert progress.awaiting_sign_off is True
    assert progress.is_complete is False
    assert progress.required == 4
    assert progress.done == 3
    assert progress.cycle_percent == 75
    assert progress.next_step == NextStep(StepKind.CHECKLIST, 7)
    assert progress.status == ProgressStatus.IN_PROGRESS


def test_a_missing_attestation_is_not_awaiting_sign_off_and_comes_before_the_checklist():
    progress = compute(
        checklists=[ChecklistFacts(checklist_id=7)], attestations=[AttestationFacts(statement_id=3)]
    )
    assert progress.awaiting_sign_off is False
    assert progress.next_step == NextStep(StepKind.ATTESTATION, 3)


def test_a_quiz_still_to_pass_comes_before_the_attestation():
    progress = compute(quiz=None, attestations=[AttestationFacts(statement_id=3)])
    assert progress.next_step == NextStep(StepKind.QUIZ, 2)
    assert progress.awaiting_sign_off is False


def test_all_four_kinds_met_is_complete():
    progress = compute(
        checklists=[ChecklistFacts(checklist_id=7, competent_at=(NOW,))],
        attestations=[AttestationFacts(statement_id=3, attested_at=EARLIER)],
    )
    assert progress.is_complete is True
    assert progress.next_step is None
    assert progress.checklists_done_ids == frozenset({7})
    assert progress.attestations_done_ids == frozenset({3})
    assert progress.last_activity_at == NOW


def test_renewal_needs_observed_practice_again_but_not_the_same_attestation():
    certificate = CertificateFacts(issued_at=ISSUED, expires_at=NOW + 5 * DAY)
    progress = compute(
        lesson=EARLIER,
        quiz=NOW - DAY,
        checklists=[ChecklistFacts(checklist_id=7, competent_at=(ISSUED - DAY,))],
        attestations=[AttestationFacts(statement_id=3, attested_at=ISSUED - DAY)],
        certificate=certificate,
    )
    assert progress.status == ProgressStatus.EXPIRING_SOON
    assert progress.attestations_done == 1
    assert progress.checklists_done == 0
    assert progress.next_step == NextStep(StepKind.CHECKLIST, 7)
    assert progress.awaiting_sign_off is False  # still holds a valid certificate


def test_observations_alone_do_not_start_the_program():
    """Starting reads lessons and quizzes only, as the SQL twin of the status does."""
    progress = progress_compute(
        lessons=[LessonFacts(lesson_id=1)],
        quizzes=[],
        checklists=[ChecklistFacts(checklist_id=7, competent_at=(EARLIER,))],
        certificate=None,
        due_date=None,
        now=NOW,
    )
    assert progress.status == ProgressStatus.NOT_STARTED
    assert progress.checklists_done == 1


def test_a_quiz_awaiting_marking_is_skipped_by_the_next_step_and_not_passed():
    progress = progress_compute(
        lessons=[],
        quizzes=[
            QuizFacts(quiz_id=2, awaiting_marking=True),
            QuizFacts(quiz_id=3),
        ],
        certificate=None,
        due_date=None,
        now=NOW,
    )
    assert progress.next_step == NextStep(StepKind.QUIZ, 3)
    assert progress.quizzes_awaiting_marking_ids == frozenset({2})
    assert progress.quizzes_passed == 0
    assert progress.is_complete is False


def test_only_a_quiz_awaiting_marking_left_has_no_next_step():
    progress = progress_compute(
        lessons=[],
        quizzes=[QuizFacts(quiz_id=2, awaiting_marking=True)],
        certificate=None,
        due_date=None,
        now=NOW,
    )
    assert progress.next_step is None
    assert progress.quizzes_awaiting_marking == 1
