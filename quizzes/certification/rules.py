"""Certification rules, the one home of status, validity and expiry: plain data in, no database.

Selectors gather the facts (completions, passed attempts, the latest
certificate, the assignment) and call `progress_compute`; reports call it for
thousands of trainees with the facts they fetched in bulk.

Cycles and renewal
------------------
Before any certificate, every lesson completion and every passed graded attempt
counts. Once a certificate exists, the *current cycle* began at the latest
certificate's ``issued_at`` and only what happened after it counts toward the
next certificate:

- a quiz counts only if a graded attempt was passed after the cycle began;
- a lesson still counts as done, unless its ``content_changed_at`` is after the
  cycle began: then it must have been completed again after that change;
- a practical checklist counts once enough competent observations (acknowledged by
  the trainee, not superseded by a correction) were recorded after the cycle began:
  competence is observed again for each renewal;
- an attestation counts while it is of the statement's current version, whatever
  the cycle: a new version of the statement asks for a new attestation.
- renewal by review (renewal_rules.py): a trainee who qualifies meets the
  quizzes with a pass of the program's renewal quiz in the cycle.

Status precedence (the first rule that matches wins)
----------------------------------------------------
1. ``expiring_soon`` - a valid certificate (not revoked, not past its expiry)
   that expires within the window (default 30 days).
2. ``certified`` - any other valid certificate.
3. ``expired`` - the latest certificate lapsed (not revoked), unless the due
   date has passed and that certificate was not valid on it: a trainee who met
   the due date and later lapsed needs to renew, not to catch up.
4. ``overdue`` - the due date has passed without a valid certificate.
5. ``in_progress`` - at least one requirement counts in the current cycle, or a
   graded attempt on a required quiz was made since the cycle began.
6. ``not_started`` - otherwise.

A revoked latest certificate is not valid: it still ends its cycle (the
activity it was issued on is spent), so the trainee starts a new cycle.

Validity and expiry
-------------------
A certificate expires ``validity_months`` after its issue (never without
one: ``certificate_expires_at``); it is valid while not revoked and before
that moment (``certificate_is_valid``); public verification says valid,
expired or revoked from the same rule (``verification_status``). The
expiring-soon window is the ``CERTIFICATION_EXPIRING_SOON_DAYS`` setting, read
by ``expiring_soon_days`` (the one setting read here; every other function
takes the window as an argument). The SQL twin, quizzes/certification/rules_sql.py,
is checked against these rules case by case by tests/certification/status_cases.py.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from django.conf import settings

DEFAULT_EXPIRING_SOON_DAYS = 30


class ProgressStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    CERTIFIED = "certified"
    EXPIRING_SOON = "expiring_soon"
    EXPIRED = "expired"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    ProgressStatus.NOT_STARTED: "Not started",
    ProgressStatus.IN_PROGRESS: "In progress",
    ProgressStatus.CERTIFIED: "Certified",
    ProgressStatus.EXPIRING_SOON: "Expiring soon",
    ProgressStatus.EXPIRED: "Expired",
    ProgressStatus.OVERDUE: "Overdue",
}

# Statuses from which a trainee is offered renewal.
RENEWABLE_STATUSES = frozenset({ProgressStatus.EXPIRING_SOON, ProgressStatus.EXPIRED})
# Statuses in which the trainee holds a valid certificate.
VALID_CERTIFICATE_STATUSES = frozenset({ProgressStatus.CERTIFIED, ProgressStatus.EXPIRING_SOON})


class VerificationStatus(StrEnum):
    """What public verification says about a certificate."""

    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


class StepKind(StrEnum):
    LESSON = "lesson"
    QUIZ = "quiz"
    ATTESTATION = "attestation"
    CHECKLIST = "checklist"


@dataclass(frozen=True)
class LessonFacts:
    """One required lesson and the trainee's latest completion of it."""

    lesson_id: int
    completed_at: datetime | None = None
    content_changed_at: datetime | None = None


@dataclass(frozen=True)
class QuizFacts:
    """One required quiz and the trainee's graded attempts on it."""

    quiz_id: int
    last_passed_at: datetime | None = None
    last_attempt_at: datetime | None = None
    best_percent: float | None = None
    awaiting_marking: bool = False  # a graded attempt waits for an assessor's marks


@dataclass(frozen=True)
class ChecklistFacts:
    """One required practical checklist and the trainee's observations that count toward it.

    `competent_at` holds when each competent observation was recorded, counting only
    those the trainee has acknowledged and no later observation superseded.
    """

    checklist_id: int
    observations_required: int = 1
    competent_at: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class AttestationFacts:
    """One required statement and when the trainee attested its current version (if ever)."""

    statement_id: int
    attested_at: datetime | None = None


@dataclass(frozen=True)
class CertificateFacts:
    """The trainee's latest certificate for the program."""

    issued_at: datetime
    expires_at: datetime | None = None
    revoked: bool = False

    def is_valid(self, now: datetime) -> bool:
        return certificate_is_valid(expires_at=self.expires_at, revoked=self.revoked, now=now)


@dataclass(frozen=True)
class NextStep:
    kind: StepKind
    object_id: int


@dataclass(frozen=True)
class Progress:
    lessons_done: int
    lessons_required: int
    quizzes_passed: int
    quizzes_required: int
    status: ProgressStatus
    next_step: NextStep | None
    due_date: date | None
    lessons_done_ids: frozenset[int]
    quizzes_passed_ids: frozenset[int]
    cycle_started_at: datetime | None
    certificate: CertificateFacts | None
    last_activity_at: datetime | None
    checklists_done: int = 0
    checklists_required: int = 0
    attestations_done: int = 0
    attestations_required: int = 0
    checklists_done_ids: frozenset[int] = frozenset()
    attestations_done_ids: frozenset[int] = frozenset()
    quizzes_awaiting_marking_ids: frozenset[int] = frozenset()
    # Renewal by review: the renewal quiz that stands for the program's quizzes (one
    # requirement in the counts), when the trainee qualifies (renewal_rules.py).
    renewal_quiz_id: int | None = None

    @property
    def required(self) -> int:
        return (
            self.lessons_required
            + self.quizzes_required
            + self.checklists_required
            + self.attestations_required
        )

    @property
    def done(self) -> int:
        met = self.lessons_done + self.quizzes_passed
        return met + self.checklists_done + self.attestations_done

    @property
    def quizzes_awaiting_marking(self) -> int:
        return len(self.quizzes_awaiting_marking_ids)

    @property
    def awaiting_sign_off(self) -> bool:
        """Everything else is met; only observed practice is still to be signed off."""
        return (
            not self.holds_valid_certificate
            and self.checklists_done < self.checklists_required
            and self.lessons_done == self.lessons_required
            and self.quizzes_passed == self.quizzes_required
            and self.attestations_done == self.attestations_required
        )

    @property
    def cycle_percent(self) -> int:
        """Whole percent of the requirements met in the current cycle, rounded down."""
        if self.required == 0:
            return 0
        return self.done * 100 // self.required

    @property
    def percent(self) -> int:
        """100 while a valid certificate is held, otherwise the current cycle's percent."""
        if self.holds_valid_certificate:
            return 100
        return self.cycle_percent

    @property
    def holds_valid_certificate(self) -> bool:
        return self.status in VALID_CERTIFICATE_STATUSES

    @property
    def is_complete(self) -> bool:
        """Every requirement is met in the current cycle: a certificate is due."""
        return self.required > 0 and self.done == self.required

    @property
    def can_renew(self) -> bool:
        return self.status in RENEWABLE_STATUSES

    @property
    def started(self) -> bool:
        return self.status != ProgressStatus.NOT_STARTED

    @property
    def offers_renewal_by_review(self) -> bool:
        """The trainee qualifies and renewal is theirs to do: the pages offer the renewal quiz."""
        return self.renewal_quiz_id is not None and self.status != ProgressStatus.CERTIFIED


def _after(moment: datetime | None, start: datetime | None) -> bool:
    return moment is not None and (start is None or moment > start)


def lesson_counts(lesson: LessonFacts, *, cycle_started_at: datetime | None) -> bool:
    """Return True when the lesson counts as done in the cycle that began at cycle_started_at."""
    if lesson.completed_at is None:
        return False
    changed = lesson.content_changed_at
    if cycle_started_at is None or changed is None or changed <= cycle_started_at:
        return True
    return lesson.completed_at >= changed


def quiz_counts(quiz: QuizFacts, *, cycle_started_at: datetime | None) -> bool:
    """Return True when the quiz was passed in the cycle that began at cycle_started_at."""
    return _after(quiz.last_passed_at, cycle_started_at)


def checklist_counts(checklist: ChecklistFacts, *, cycle_started_at: datetime | None) -> bool:
    """Return True when enough competent observations were recorded in the current cycle."""
    counted = sum(1 for moment in checklist.competent_at if _after(moment, cycle_started_at))
    return counted >= checklist.observations_required


def attestation_counts(attestation: AttestationFacts) -> bool:
    """Return True when the statement's current version is attested.

    An attestation is not renewed with each cycle: only a new version of the statement
    asks for a new one (its facts then carry no moment).
    """
    return attestation.attested_at is not None


def _certificate_met_due_date(certificate: CertificateFacts, due_date: date) -> bool:
    """True when the certificate was issued by the due date and still valid at its end."""
    if certificate.revoked or certificate.issued_at.date() > due_date:
        return False
    return certificate.expires_at is None or certificate.expires_at.date() > due_date


def progress_compute(
    *,
    lessons: Sequence[LessonFacts],
    quizzes: Sequence[QuizFacts],
    certificate: CertificateFacts | None,
    due_date: date | None,
    now: datetime,
    today: date | None = None,
    expiring_soon_days: int = DEFAULT_EXPIRING_SOON_DAYS,
    checklists: Sequence[ChecklistFacts] = (),
    attestations: Sequence[AttestationFacts] = (),
    renewal_quiz: QuizFacts | None = None,
) -> Progress:
    """Compute a trainee's progress in one program from plain facts.

    `lessons`, `quizzes`, `attestations` and `checklists` are the program's
    requirements in the order a trainee should do them; the next step is the first
    one not yet counted (lessons, then quizzes, then attestations, then observed
    practice). `today` is the local date used for the due date (defaults to
    `now.date()`). A quiz whose attempt awaits marking is skipped by the next step
    (the trainee can go on meanwhile). Whether the trainee has *started* (and so the
    status) reads the lessons and quizzes only, as the SQL twin does. `renewal_quiz` is
    given only when the trainee qualifies for renewal by review (renewal_rules.py): its
    pass in the cycle, or passes of every required quiz, then meets the quizzes as one
    requirement, and it is the quizzes' next step.
    """
    today = today or now.date()
    cycle_started_at = certificate.issued_at if certificate is not None else None

    lessons_done = frozenset(
        item.lesson_id for item in lessons if lesson_counts(item, cycle_started_at=cycle_started_at)
    )
    by_review = renewal_quiz is not None and bool(quizzes)
    quiz_items = [*quizzes, renewal_quiz] if by_review else list(quizzes)
    quizzes_passed = frozenset(
        item.quiz_id for item in quiz_items if quiz_counts(item, cycle_started_at=cycle_started_at)
    )
    attempted = any(_after(item.last_attempt_at, cycle_started_at) for item in quiz_items)
    # Not passed yet, but nothing for the trainee to do there until the marks are in.
    awaiting_marking = frozenset(
        item.quiz_id
        for item in quiz_items
        if item.awaiting_marking and item.quiz_id not in quizzes_passed
    )
    quiz_steps, quizzes_met, quizzes_required = quizzes, len(quizzes_passed), len(quizzes)
    if by_review:
        met = renewal_quiz.quiz_id in quizzes_passed or all(
            item.quiz_id in quizzes_passed for item in quizzes
        )
        quiz_steps, quizzes_met, quizzes_required = ([] if met else [renewal_quiz]), int(met), 1
    checklists_done = frozenset(
        item.checklist_id
        for item in checklists
        if checklist_counts(item, cycle_started_at=cycle_started_at)
    )
    attestations_done = frozenset(
        item.statement_id for item in attestations if attestation_counts(item)
    )

    status = status_compute(
        certificate=certificate,
        due_date=due_date,
        now=now,
        today=today,
        expiring_soon_days=expiring_soon_days,
        started=bool(lessons_done or quizzes_passed or attempted),
    )

    next_step = None
    if status != ProgressStatus.CERTIFIED:
        pending = (
            [
                NextStep(StepKind.LESSON, i.lesson_id)
                for i in lessons
                if i.lesson_id not in lessons_done
            ]
            + [
                NextStep(StepKind.QUIZ, i.quiz_id)
                for i in quiz_steps
                if i.quiz_id not in quizzes_passed and i.quiz_id not in awaiting_marking
            ]
            + [
                NextStep(StepKind.ATTESTATION, i.statement_id)
                for i in attestations
                if i.statement_id not in attestations_done
            ]
            + [
                NextStep(StepKind.CHECKLIST, i.checklist_id)
                for i in checklists
                if i.checklist_id not in checklists_done
            ]
        )
        next_step = pending[0] if pending else None

    moments = [item.completed_at for item in lessons] + [item.last_attempt_at for item in quizzes]
    moments += [item.attested_at for item in attestations]
    moments += [moment for item in checklists for moment in item.competent_at]
    moments = [moment for moment in moments if moment is not None]
    return Progress(
        lessons_done=len(lessons_done),
        lessons_required=len(lessons),
        quizzes_passed=quizzes_met,
        quizzes_required=quizzes_required,
        status=status,
        next_step=next_step,
        due_date=due_date,
        lessons_done_ids=lessons_done,
        quizzes_passed_ids=quizzes_passed,
        cycle_started_at=cycle_started_at,
        certificate=certificate,
        last_activity_at=max(moments) if moments else None,
        checklists_done=len(checklists_done),
        checklists_required=len(checklists),
        attestations_done=len(attestations_done),
        attestations_required=len(attestations),
        checklists_done_ids=checklists_done,
        attestations_done_ids=attestations_done,
        quizzes_awaiting_marking_ids=awaiting_marking,
        renewal_quiz_id=renewal_quiz.quiz_id if by_review else None,
    )


def status_compute(
    *,
    certificate: CertificateFacts | None,
    due_date: date | None,
    now: datetime,
    today: date,
    expiring_soon_days: int = DEFAULT_EXPIRING_SOON_DAYS,
    started: bool,
) -> ProgressStatus:
    """Return the status from the latest certificate, the effective due date and `started`.

    The precedence is the module docstring's. `due_date` is the effective one
    (individual or cohort assignment, earliest wins); `started` is True when a
    requirement counts in the current cycle or a graded attempt on a required
    quiz was made since the cycle began. The SQL twin in
    quizzes/certification/rules_sql.py must give the same answer.
    """
    if certificate is not None and certificate.is_valid(now):
        if certificate_expiring_soon(
            expires_at=certificate.expires_at, now=now, expiring_soon_days=expiring_soon_days
        ):
            return ProgressStatus.EXPIRING_SOON
        return ProgressStatus.CERTIFIED
    lapsed = certificate is not None and not certificate.revoked
    if lapsed and (due_date is None or _certificate_met_due_date(certificate, due_date)):
        return ProgressStatus.EXPIRED
    if due_date_passed(due_date=due_date, today=today):
        return ProgressStatus.OVERDUE
    if lapsed:
        return ProgressStatus.EXPIRED
    return ProgressStatus.IN_PROGRESS if started else ProgressStatus.NOT_STARTED


def expiring_soon_days() -> int:
    """Return the expiring-soon window in days: the CERTIFICATION_EXPIRING_SOON_DAYS setting."""
    return int(getattr(settings, "CERTIFICATION_EXPIRING_SOON_DAYS", DEFAULT_EXPIRING_SOON_DAYS))


def expiring_soon_from(*, now: datetime, expiring_soon_days: int) -> datetime:
    """Return the moment up to which (inclusive) a valid certificate's expiry is "soon".

    Added in UTC, so the window is exactly that many days (no daylight-saving hour).
    """
    return now.astimezone(UTC) + timedelta(days=expiring_soon_days)


def certificate_expiring_soon(
    *, expires_at: datetime | None, now: datetime, expiring_soon_days: int
) -> bool:
    """Return True when a valid certificate expires within the window (the edge included)."""
    return expires_at is not None and expires_at <= expiring_soon_from(
        now=now, expiring_soon_days=expiring_soon_days
    )


def renewal_opens_at(*, expires_at: datetime | None, expiring_soon_days: int) -> datetime | None:
    """Return when renewal opens: the start of the expiring-soon window; None when it never expires.

    The inverse of `expiring_soon_from`: a certificate is expiring soon from this moment on.
    """
    if expires_at is None:
        return None
    return expires_at.astimezone(UTC) - timedelta(days=expiring_soon_days)


def renewal_is_open(
    *, certificate: CertificateFacts | None, now: datetime, expiring_soon_days: int
) -> bool:
    """Return True when the trainee may work toward the next certificate of a program.

    Open without a valid certificate (none, revoked or expired) and while a valid one is
    expiring soon: exactly the statuses of `RENEWABLE_STATUSES`, or no certificate yet.
    """
    if certificate is None or not certificate.is_valid(now):
        return True
    return certificate_expiring_soon(
        expires_at=certificate.expires_at, now=now, expiring_soon_days=expiring_soon_days
    )


@dataclass(frozen=True)
class RetakeHold:
    """Why a passed required quiz offers no further graded attempt, and until when."""

    passed_at: datetime
    renewal_opens_at: datetime | None  # None: the certificate never expires


def quiz_retake_hold(
    *,
    last_passed_at: datetime | None,
    certificates: Sequence[CertificateFacts],
    now: datetime,
    expiring_soon_days: int,
) -> RetakeHold | None:
    """Return the hold on further attempts at a passed quiz, or None when they are open.

    `certificates` holds the trainee's latest certificate in each published program that
    requires the quiz (programs without one need no retake: any pass counts there). The
    quiz is held while at least one of them is valid and not yet in its renewal window,
    and no other still needs the quiz passed in its current cycle (one whose renewal is
    open and whose cycle began after the last pass).
    """
    if last_passed_at is None:
        return None
    held = []
    for certificate in certificates:
        if renewal_is_open(certificate=certificate, now=now, expiring_soon_days=expiring_soon_days):
            if not _after(last_passed_at, certificate.issued_at):
                return None  # that program's current cycle still needs the quiz
            continue
        held.append(certificate)
    if not held:
        return None
    opens = [
        opening
        for certificate in held
        if (
            opening := renewal_opens_at(
                expires_at=certificate.expires_at, expiring_soon_days=expiring_soon_days
            )
        )
        is not None
    ]
    return RetakeHold(passed_at=last_passed_at, renewal_opens_at=min(opens) if opens else None)


# A certificate issued this soon after a pass was issued by it (the same transaction).
COMPLETED_BY_WINDOW = timedelta(minutes=5)


def certificate_completed_by(*, submitted_at: datetime | None, issued_at: datetime) -> bool:
    """Return True when the attempt submitted at `submitted_at` completed the certificate.

    A pass that completes a program issues its certificate in the same transaction, a
    moment later; a certificate issued before the pass, or long after it (the last
    requirement was something else), was not completed by it.
    """
    if submitted_at is None:
        return False
    return timedelta(0) <= issued_at - submitted_at <= COMPLETED_BY_WINDOW


def certificate_expires_at(*, issued_at: datetime, validity_months: int | None) -> datetime | None:
    """Return when a certificate issued at `issued_at` expires; None when the program sets none."""
    return add_months(issued_at, validity_months) if validity_months else None


def certificate_is_valid(*, expires_at: datetime | None, revoked: bool, now: datetime) -> bool:
    """Return True for a certificate that is not revoked and not past its expiry at `now`."""
    return not revoked and (expires_at is None or expires_at > now)


def verification_status(
    *, expires_at: datetime | None, revoked: bool, now: datetime
) -> VerificationStatus:
    """Return what public verification says: revoked first, then expired, else valid."""
    if revoked:
        return VerificationStatus.REVOKED
    if not certificate_is_valid(expires_at=expires_at, revoked=False, now=now):
        return VerificationStatus.EXPIRED
    return VerificationStatus.VALID


def due_date_passed(*, due_date: date | None, today: date) -> bool:
    """Return True once the local date is after the due date (the due day itself is in time)."""
    return due_date is not None and today > due_date


def add_months(moment: datetime, months: int) -> datetime:
    """Return the same wall-clock moment `months` later, clamping to the month's last day."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    next_month_first = date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month_first - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))
