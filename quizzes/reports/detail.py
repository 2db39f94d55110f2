"""The trainee drill-down: one trainee's cohorts, programs, lessons, attempts, observed
practice, attestations and certificates."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from lessons.models import LessonCompletion
from quizzes.cohorts.scope import trainee_cohorts_for_manager, trainee_for_manager_or_404
from quizzes.models import Attempt, Attestation, Certificate, Cohort, Observation, Program
from quizzes.reports.progress import PairProgress, progress_for_assignments
from quizzes.updates.selectors import UpdateStatus, update_status_bulk


@dataclass
class TraineeDetail:
    trainee: object
    cohorts: list[Cohort]
    programs: list[tuple[Program, PairProgress]]
    completions: list[LessonCompletion]
    attempts: list[Attempt]
    certificates: list[Certificate]
    observations: list[Observation]  # newest first, corrections and superseded ones alike
    attestations: list[Attestation]
    # Per program id: the update standing after a material change (quizzes/updates/).
    updates: dict[int, UpdateStatus] = field(default_factory=dict)

    def programs_with_updates(self) -> list[tuple[Program, PairProgress, UpdateStatus | None]]:
        return [(program, item, self.updates.get(program.pk)) for program, item in self.programs]


def trainee_attempts(*, trainee) -> QuerySet[Attempt]:
    return (
        Attempt.objects.filter(user=trainee)
        .select_related("quiz")
        .defer("paper", "fail_reasons", "topic_scores")
        .order_by("-started_at", "-id")
    )


def report_trainee_detail(*, user, trainee_id: int, now=None) -> TraineeDetail:
    """Everything about one trainee in the manager's cohorts (404 outside them)."""
    trainee = trainee_for_manager_or_404(user, trainee_id)
    users = get_user_model().objects.filter(pk=trainee.pk)
    progress = progress_for_assignments(users=users, now=now)
    programs = {k[1]: v.program for k, v in progress.items()}
    return TraineeDetail(
        trainee=trainee,
        cohorts=list(trainee_cohorts_for_manager(user, trainee)),
        programs=sorted(
            ((programs[k[1]], v) for k, v in progress.items()),
            key=lambda pair: pair[0].name.casefold(),
        ),
        completions=list(
            LessonCompletion.objects.filter(user=trainee)
            .select_related("lesson")
            .order_by("completed_at", "id")
        ),
        attempts=list(trainee_attempts(trainee=trainee)),
        certificates=list(
            Certificate.objects.filter(user=trainee)
            .select_related("program")
            .order_by("-issued_at", "-id")
        ),
        # Managers see the outcome of observed practice, not the assessors' pages.
        observations=list(
            Observation.objects.filter(trainee=trainee)
            .select_related("checklist", "superseded_by")
            .order_by("-observed_on", "-recorded_at", "-id")
        ),
        attestations=list(
            Attestation.objects.filter(user=trainee)
            .select_related("statement")
            .order_by("-attested_at", "-id")
        ),
        updates={
            program_id: status
            for (_user, program_id), status in update_status_bulk(
                user_ids=[trainee.pk], program_ids=list(programs), now=now
            ).items()
        }
        if programs
        else {},
    )
