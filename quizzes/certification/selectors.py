"""Reads for certification: progress (one trainee or thousands), the dashboard, verification.

Progress is computed by the pure rules in quizzes/certification/rules.py from facts
aggregated in SQL; the number of queries never depends on how many trainees
or programs are asked about.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lessons.models import Lesson, LessonCompletion
from quizzes.certification.codes import code_normalise
from quizzes.certification.renewal_rules import renewal_by_review_qualifies
from quizzes.certification.retention import retention_spans
from quizzes.certification.rules import (
    AttestationFacts,
    CertificateFacts,
    ChecklistFacts,
    LessonFacts,
    Progress,
    ProgressStatus,
    QuizFacts,
    StepKind,
    VerificationStatus,
    expiring_soon_days,
    progress_compute,
    verification_status,
)
from quizzes.cohorts.scope import trainees_for_manager
from quizzes.cohorts.selectors import EffectiveAssignment, assignments_effective
from quizzes.models import (
    Attempt,
    Attestation,
    AttestationStatement,
    Observation,
    PracticalChecklist,
    Quiz,
)
from quizzes.models.certification import Certificate, Program
from quizzes.rules import minutes_left
from quizzes.spaced_review.retention import threshold_percent
from quizzes.updates.selectors import UpdateVersion, certificate_update_history
from trainingsite.roles import user_is_educator

CERTIFICATE_NOT_FOUND = "No certificate found here."
PROGRAM_NOT_FOUND = "No certification program found here."
REVOKE_PAGE_FORBIDDEN = "You do not have permission to revoke certificates."
RECENT_ATTEMPTS = 5
_NO_ATTEMPT = (None, None, None, 0, 0, None)
STATUS_BADGES = {
    ProgressStatus.NOT_STARTED: "secondary",
    ProgressStatus.IN_PROGRESS: "primary",
    ProgressStatus.CERTIFIED: "success",
    ProgressStatus.EXPIRING_SOON: "warning",
    ProgressStatus.EXPIRED: "danger",
    ProgressStatus.OVERDUE: "danger",
}


@dataclass(frozen=True)
class OpenAttempt:
    """A graded attempt in progress: resume it, with the time left when it is timed."""

    quiz_id: int
    deadline: datetime | None  # includes any extra time granted; None when untimed
    minutes_left: int | None  # whole minutes, computed on the server; None when untimed
    time_up: bool = False  # the deadline passed: opening it closes and scores it


def _open_attempt(*, quiz_id: int, deadline: datetime | None, now: datetime) -> OpenAttempt:
    return OpenAttempt(
        quiz_id=quiz_id,
        deadline=deadline,
        minutes_left=None if deadline is None else minutes_left(deadline=deadline, now=now),
        time_up=deadline is not None and deadline <= now,
    )


@dataclass(frozen=True)
class ProgramProgress:
    """A trainee's progress in one program, with the objects a page needs to show it."""

    program: Program
    progress: Progress
    assignment: EffectiveAssignment | None  # individual or through a cohort, earliest due
    certificate: Certificate | None  # the latest, valid or not
    # The next step's attempt in progress, when the next step is a quiz with one open.
    next_step_attempt: OpenAttempt | None = None

    @property
    def next_step_object(
        self,
    ) -> Lesson | Quiz | AttestationStatement | PracticalChecklist | None:
        step = self.progress.next_step
        if step is None:
            return None
        items = {
            StepKind.LESSON: self.program.required_lesson_list,
            StepKind.QUIZ: [*self.program.required_quiz_list, self.renewal_quiz],
            StepKind.ATTESTATION: self.program.required_attestation_list,
            StepKind.CHECKLIST: self.program.required_checklist_list,
        }[step.kind]
        return next((item for item in items if item and item.pk == step.object_id), None)

    @property
    def renewal_quiz(self) -> Quiz | None:
        """The renewal quiz, when the trainee qualifies for renewal by review."""
        return self.program.renewal_quiz if self.progress.renewal_quiz_id else None

    @property
    def status_badge(self) -> str:
        """The Bootstrap colour for the status badge."""
        return STATUS_BADGES[self.progress.status]

    @property
    def next_step_kind(self) -> str | None:
        step = self.progress.next_step
        return step.kind.value if step else None


def _programs_with_requirements(program_ids) -> list[Program]:
    """Return the programs with their requirements in teaching order (5 queries).

    Lessons, quizzes, attestation statements and practical checklists, each list on
    the program as `required_<kind>_list`.
    """
    lessons = Lesson.objects.order_by("topic__order", "topic_id", "order", "id").only(
        "id", "slug", "title", "status", "content_changed_at", "topic_id", "order"
    )
    quizzes = Quiz.objects.order_by("order", "id").only("id", "slug", "title", "status", "order")
    statements = AttestationStatement.objects.order_by("title", "id").only(
        "id", "slug", "title", "version"
    )
    checklists = PracticalChecklist.objects.order_by("title", "id").only(
        "id", "slug", "title", "status", "observations_required"
    )
    return list(
        Program.objects.filter(pk__in=program_ids)
        .select_related("renewal_quiz")
        .prefetch_related(
            Prefetch("required_lessons", queryset=lessons, to_attr="required_lesson_list"),
            Prefetch("required_quizzes", queryset=quizzes, to_attr="required_quiz_list"),
            Prefetch(
                "required_attestations", queryset=statements, to_attr="required_attestation_list"
            ),
            Prefetch("required_checklists", queryset=checklists, to_attr="required_checklist_list"),
        )
    )


def _competent_observations(*, user_filter, checklist_ids) -> dict[tuple[int, int], list]:
    """When each counting observation was recorded, per (trainee id, checklist id): one query.

    Counting: competent, acknowledged by the trainee, and not superseded by a correction.
    """
    moments: dict[tuple[int, int], list] = {}
    if not checklist_ids:
        return moments
    rows = Observation.objects.filter(
        trainee_id__in=user_filter,
        checklist_id__in=checklist_ids,
        outcome=Observation.Outcome.COMPETENT,
        acknowledged_at__isnull=False,
        superseded_by__isnull=True,
    ).values_list("trainee_id", "checklist_id", "recorded_at")
    for trainee_id, checklist_id, recorded_at in rows:
        moments.setdefault((trainee_id, checklist_id), []).append(recorded_at)
    return moments


def _current_attestations(*, user_filter, statement_ids) -> dict[tuple[int, int], datetime]:
    """When each trainee attested each statement's current version: one query."""
    if not statement_ids:
        return {}
    rows = Attestation.objects.filter(
        user_id__in=user_filter, statement_id__in=statement_ids, version=F("statement__version")
    ).values_list("user_id", "statement_id", "attested_at")
    return {(user_id, statement_id): at for user_id, statement_id, at in rows}


def _user_filter(users) -> tuple[list[int], object]:
    """Return the user ids and what to filter on: a subquery for a QuerySet (no variable limit)."""
    if isinstance(users, QuerySet):
        return list(users.values_list("pk", flat=True)), users.values("pk")
    ids = [user if isinstance(user, int) else user.pk for user in users]
    return ids, ids


def _latest_certificates(*, user_filter, program_ids) -> dict[tuple[int, int], Certificate]:
    """Return the latest certificate per (user id, program id): one query, no JSON loaded."""
    latest: dict[tuple[int, int], Certificate] = {}
    certificates = (
        Certificate.objects.filter(user_id__in=user_filter, program_id__in=program_ids)
        .only(
            "id",
            "user_id",
            "program_id",
            "holder_name",
            "issued_at",
            "expires_at",
            "code",
            "cycle",
            "revoked_at",
        )
        .order_by("cycle")
    )
    for certificate in certificates:
        # Ordered by cycle: the last one seen per pair is the latest.
        latest[(certificate.user_id, certificate.program_id)] = certificate
    return latest


def programs_progress_bulk(
    *, users, programs: Iterable[Program] | QuerySet, now: datetime | None = None
) -> dict[tuple[int, int], ProgramProgress]:
    """Return progress for every (user, program) pair, keyed by (user_id, program_id).

    The due date is the effective assignment's (individual or through a
    cohort, the earliest wins: quizzes.cohorts.selectors.assignments_effective), so the
    dashboard, the program page, the reminders and the reports agree.

    At most thirteen queries whatever the number of users and programs (one fewer
    when `users` is a list rather than a QuerySet): programs with their requirements,
    completions, passed/attempted/best per user and quiz (renewal quizzes included),
    counting observations, current attestations, stored retention days (these three only
    when a program needs them), certificates, and individual and cohort assignments.
    Plain values are read (no model instances except the latest certificates).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    window = expiring_soon_days()
    user_ids, user_filter = _user_filter(users)
    if isinstance(programs, QuerySet):
        program_ids = programs.values("pk")
    else:
        program_ids = [program.pk for program in programs]
    program_list = _programs_with_requirements(program_ids)
    if not user_ids or not program_list:
        return {}
    program_pks = [p.pk for p in program_list]

    lesson_ids = {lesson.pk for p in program_list for lesson in p.required_lesson_list}
    quiz_ids = {quiz.pk for p in program_list for quiz in p.required_quiz_list}
    by_review = [p for p in program_list if p.renewal_by_review and p.renewal_quiz_id]
    quiz_ids |= {p.renewal_quiz_id for p in by_review}

    completions: dict[tuple[int, int], datetime] = {}
    if lesson_ids:
        # One completion per (user, lesson): a constraint keeps it so.
        rows = LessonCompletion.objects.filter(
            user_id__in=user_filter, lesson_id__in=lesson_ids
        ).values_list("user_id", "lesson_id", "completed_at")
        completions = {(user_id, lesson_id): at for user_id, lesson_id, at in rows}

    attempts: dict[tuple[int, int], tuple] = {}
    if quiz_ids:
        # Scored attempts (Attempt.objects.counted()) decide passes, best and activity;
        # one awaiting an assessor's marks only says so.
        # An attempt in progress only says so (and when it closes), for "Resume".
        scored = Q(state=Attempt.State.SUBMITTED)
        in_progress = Q(state=Attempt.State.IN_PROGRESS)
        rows = (
            Attempt.objects.graded()
            .filter(
                user_id__in=user_filter,
                quiz_id__in=quiz_ids,
                state__in=[
                    Attempt.State.SUBMITTED,
                    Attempt.State.MARKING,
                    Attempt.State.IN_PROGRESS,
                ],
            )
            .values("user_id", "quiz_id")
            .annotate(
                last_passed=Max("submitted_at", filter=scored & Q(passed=True)),
                last_attempt=Max("submitted_at", filter=scored),
                best=Max("percent", filter=scored),
                marking=Count("pk", filter=Q(state=Attempt.State.MARKING)),
                open_count=Count("pk", filter=in_progress),
                open_deadline=Max("deadline", filter=in_progress),
            )
            .order_by()
            .values_list(
                "user_id",
                "quiz_id",
                "last_passed",
                "last_attempt",
                "best",
                "marking",
                "open_count",
                "open_deadline",
            )
        )
        attempts = {(row[0], row[1]): row[2:] for row in rows}

    checklist_ids = {c.pk for p in program_list for c in p.required_checklist_list}
    statement_ids = {a.pk for p in program_list for a in p.required_attestation_list}
    observed = _competent_observations(user_filter=user_filter, checklist_ids=checklist_ids)
    attested = _current_attestations(user_filter=user_filter, statement_ids=statement_ids)

    latest_certificates = _latest_certificates(user_filter=user_filter, program_ids=program_pks)
    assignments = assignments_effective(users=user_filter, programs=program_pks)
    spans = retention_spans(user_filter=user_filter, today=today) if by_review else {}
    threshold = threshold_percent()  # renewal by review: critical recall, whole percent

    result = {}
    for program in program_list:
        lessons = [
            (lesson.pk, lesson.content_changed_at) for lesson in program.required_lesson_list
        ]
        quiz_pks = [quiz.pk for quiz in program.required_quiz_list]
        for user_id in user_ids:
            key = (user_id, program.pk)
            certificate = latest_certificates.get(key)
            assignment = assignments.get(key)
            lesson_facts = [
                LessonFacts(
                    lesson_id=lesson_id,
                    completed_at=completions.get((user_id, lesson_id)),
                    content_changed_at=changed,
                )
                for lesson_id, changed in lessons
            ]
            quiz_facts = [_quiz_facts(attempts, user_id, quiz_id) for quiz_id in quiz_pks]
            certificate_facts = (
                CertificateFacts(
                    issued_at=certificate.issued_at,
                    expires_at=certificate.expires_at,
                    revoked=certificate.is_revoked,
                )
                if certificate
                else None
            )
            qualifies = renewal_by_review_qualifies(
                enabled=program.renewal_by_review and program.renewal_quiz_id is not None,
                certificate=certificate_facts,
                span=spans.get(user_id),
                today=today,
                threshold=threshold,
            )
            progress = progress_compute(
                lessons=lesson_facts,
                quizzes=quiz_facts,
                attestations=[
                    AttestationFacts(
                        statement_id=statement.pk, attested_at=attested.get((user_id, statement.pk))
                    )
                    for statement in program.required_attestation_list
                ],
                checklists=[
                    ChecklistFacts(
                        checklist_id=checklist.pk,
                        observations_required=checklist.observations_required,
                        competent_at=tuple(observed.get((user_id, checklist.pk), ())),
                    )
                    for checklist in program.required_checklist_list
                ],
                certificate=certificate_facts,
                renewal_quiz=(
                    _quiz_facts(attempts, user_id, program.renewal_quiz_id) if qualifies else None
                ),
                due_date=assignment.due_date if assignment else None,
                now=now,
                today=today,
                expiring_soon_days=window,
            )
            step = progress.next_step
            next_step_attempt = None
            if step is not None and step.kind == StepKind.QUIZ:
                _, _, _, _, open_count, deadline = attempts.get(
                    (user_id, step.object_id), _NO_ATTEMPT
                )
                if open_count:
                    next_step_attempt = _open_attempt(
                        quiz_id=step.object_id, deadline=deadline, now=now
                    )
            result[key] = ProgramProgress(
                program=program,
                progress=progress,
                assignment=assignment,
                certificate=certificate,
                next_step_attempt=next_step_attempt,
            )
    return result


def _quiz_facts(attempts: dict, user_id: int, quiz_id: int) -> QuizFacts:
    last_passed, last_attempt, best, marking, _, _ = attempts.get((user_id, quiz_id), _NO_ATTEMPT)
    return QuizFacts(
        quiz_id=quiz_id,
        last_passed_at=last_passed,
        last_attempt_at=last_attempt,
        best_percent=best,
        awaiting_marking=bool(marking),
    )


def program_progress(*, user, program: Program, now: datetime | None = None) -> ProgramProgress:
    """Return one trainee's progress in one program."""
    return programs_progress_bulk(users=[user], programs=[program], now=now)[(user.pk, program.pk)]


@dataclass(frozen=True)
class InProgressAttempt:
    """A graded attempt in progress on the dashboard, with its quiz and the time left."""

    attempt: Attempt
    open: OpenAttempt


@dataclass(frozen=True)
class TraineeDashboard:
    programs: list[ProgramProgress]  # assigned, started or certified
    other_programs: list[ProgramProgress]  # published, not yet begun
    certificates: list[Certificate]
    recent_attempts: list[Attempt]  # submitted
    in_progress: tuple[InProgressAttempt, ...] = ()  # graded attempts to resume, newest first


def trainee_dashboard(*, user, now: datetime | None = None) -> TraineeDashboard:
    """Everything the trainee's home page shows, in a fixed number of queries.

    One query reads the recent attempts: the graded ones in progress first (one per
    quiz at most), then the latest submitted, RECENT_ATTEMPTS in all.
    """
    now = now or timezone.now()
    published = Program.objects.published()
    progress = programs_progress_bulk(users=[user], programs=published, now=now)
    mine, others = [], []
    for item in sorted(progress.values(), key=_dashboard_order):
        begun = item.assignment or item.certificate or item.progress.started
        (mine if begun else others).append(item)
    certificates = list(
        Certificate.objects.filter(user=user).select_related("program").order_by("-issued_at")
    )
    recent = (
        Attempt.objects.filter(user=user)
        .filter(
            Q(state=Attempt.State.SUBMITTED)
            | Q(state=Attempt.State.IN_PROGRESS, kind=Attempt.Kind.GRADED)
        )
        .select_related("quiz")
        .defer("paper")
        .order_by(F("submitted_at").desc(nulls_first=True), "-started_at", "-id")
    )
    recent_attempts, in_progress = [], []
    for attempt in recent[:RECENT_ATTEMPTS]:
        if attempt.is_open:
            open_attempt = _open_attempt(
                quiz_id=attempt.quiz_id, deadline=attempt.deadline, now=now
            )
            in_progress.append(InProgressAttempt(attempt=attempt, open=open_attempt))
        else:
            recent_attempts.append(attempt)
    return TraineeDashboard(
        programs=mine,
        other_programs=others,
        certificates=certificates,
        recent_attempts=recent_attempts,
        in_progress=tuple(in_progress),
    )


def _dashboard_order(item: ProgramProgress):
    due = item.assignment.due_date if item.assignment and item.assignment.due_date else None
    return (due is None, due or "", item.program.name.lower(), item.program.pk)


def program_get_published(*, slug: str) -> Program:
    program = Program.objects.published().filter(slug=slug).first()
    if program is None:
        raise Http404(PROGRAM_NOT_FOUND)
    return program


def certificate_get_for_owner(*, user, code: str) -> Certificate:
    """Return the user's own certificate with that code, or raise 404 for anyone else's."""
    normalised = code_normalise(code)
    certificate = (
        Certificate.objects.select_related("program").filter(code=normalised, user=user).first()
        if normalised
        else None
    )
    if certificate is None:
        raise Http404(CERTIFICATE_NOT_FOUND)
    return certificate


def certificates_revocable_by(user) -> QuerySet[Certificate]:
    """Return the certificates the user may revoke.

    The permission is needed; educators (and superusers) holding it may revoke
    any certificate, anyone else (managers) only those of trainees in their
    cohorts.
    """
    if not (user and user.is_authenticated and user.has_perm("quizzes.revoke_certificate")):
        return Certificate.objects.none()
    if user_is_educator(user):
        return Certificate.objects.all()
    return Certificate.objects.filter(user__in=trainees_for_manager(user).values("pk"))


def certificate_get_for_revoker(*, user, code: str) -> Certificate:
    """Return a certificate the user may revoke; 403 without the permission, else 404."""
    if not user.has_perm("quizzes.revoke_certificate"):
        raise PermissionDenied(REVOKE_PAGE_FORBIDDEN)
    normalised = code_normalise(code)
    certificate = (
        certificates_revocable_by(user)
        .select_related("program", "user")
        .filter(code=normalised)
        .first()
        if normalised
        else None
    )
    if certificate is None:
        raise Http404(CERTIFICATE_NOT_FOUND)
    return certificate


@dataclass(frozen=True)
class Verification:
    """What the public may learn about a certificate: nothing beyond these fields."""

    status: VerificationStatus
    holder_name: str
    program_name: str
    issued_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    code: str
    cpd_hours: Decimal | None = None  # the hours on the certificate; no more personal data
    superseded: bool = False  # revoked because a renewal replaced it
    # What it certifies (the certificate's frozen lists); attestations without the typed name.
    lessons_completed: tuple[dict, ...] = ()
    quiz_scores: tuple[dict, ...] = ()
    observations: tuple[dict, ...] = ()
    attestations: tuple[dict, ...] = ()
    # Updates after material changes: done ("updated to version N on date") or still open.
    updates: tuple[UpdateVersion, ...] = ()


def certificate_verify(*, code: str, now: datetime | None = None) -> Verification | None:
    """Look a typed code up; return None when no certificate has it."""
    normalised = code_normalise(code)
    if normalised is None:
        return None
    certificate = Certificate.objects.select_related("program").filter(code=normalised).first()
    if certificate is None:
        return None
    return Verification(
        status=verification_status(
            expires_at=certificate.expires_at,
            revoked=certificate.is_revoked,
            now=now or timezone.now(),
        ),
        holder_name=certificate.holder_name,
        program_name=certificate.program.name,
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
        revoked_at=certificate.revoked_at,
        code=certificate.display_code,
        cpd_hours=certificate.cpd_hours,
        superseded=certificate.superseded_by_id is not None,
        lessons_completed=tuple(certificate.lessons_completed),
        quiz_scores=tuple(certificate.quiz_scores),
        observations=tuple(certificate.observations),
        attestations=tuple(
            {key: value for key, value in entry.items() if key != "typed_name"}
            for entry in certificate.attestations
        ),
        updates=certificate_update_history(certificate=certificate),
    )
