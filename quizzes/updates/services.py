"""Writes for renewal that follows what changed: record a material change, start the update
quiz, and settle the updates a trainee's activity completed (quizzes.updates.rules).

`program_updates_record` is called by the admins (a lesson's change through the lessons
app's `lesson_materially_changed` signal, an exam item's or a checklist's directly) inside
the save's transaction. `certificate_updates_settle` is called inside the activity's
transaction by certification's `certificates_check_after_activity` (lesson completions,
observations) and by this package's receiver for a graded update quiz.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from lessons.models import Lesson, LessonCompletion
from quizzes import papers
from quizzes import services as engine
from quizzes.models import (
    UPDATE_QUIZ_SLUG_PREFIX,
    Attempt,
    Bank,
    Certificate,
    CertificateUpdate,
    Observation,
    PracticalChecklist,
    Program,
    ProgramUpdate,
    Question,
    Quiz,
)
from quizzes.spaced_review.rules import point_key
from quizzes.updates.rules import (
    Candidate,
    TraineeActivity,
    UpdateFacts,
    expiry_with_updates,
    update_applies,
    update_due_at,
    update_is_done,
    update_points_pick,
)
from trainingsite.audit import audit_record
from trainingsite.models import AuditEvent

NO_UPDATE_DUE = "No update is due for this program: your certificate is up to date."
NO_UPDATE_QUIZ = "This update asks for no quiz: re-read the changed lessons below."
UPDATE_QUIZ_DONE = "You have passed the update quiz already."
UPDATE_QUIZ_NO_QUESTIONS = (
    "The update quiz's questions are being revised by an educator just now. Try again later."
)
UPDATE_QUIZ_DESCRIPTION = (
    "Holds certified trainees' update quizzes after a material change, drawn from the "
    "changed points. Leave it as a draft: it is never listed, and its pool stays empty."
)


def update_quiz_slug(program_id: int) -> str:
    """The slug of the draft quiz that holds a program's update quizzes."""
    return f"{UPDATE_QUIZ_SLUG_PREFIX}{program_id}"


def _pool_questions(*, program: Program):
    """The questions the program's required quizzes draw from (each of its quiz's bank)."""
    return (
        Question.objects.drawable()
        .filter(pool_entries__quiz__programs=program, bank=F("pool_entries__quiz__bank"))
        .exclude(kind=Question.Kind.WRITTEN)
    )


def _quiz_candidates(
    *, program: Program, question_ids: Sequence[int], lesson_ids: Sequence[int]
) -> list[dict]:
    """The questions an update quiz may ask: each changed item's point, and changed lessons'."""
    if not question_ids and not lesson_ids:
        return []
    changed = list(Question.objects.filter(pk__in=question_ids).values_list("pk", "variant_group"))
    groups = {group for _pk, group in changed if group}
    rows = (
        _pool_questions(program=program)
        .filter(Q(pk__in=question_ids) | Q(variant_group__in=groups) | Q(lesson_id__in=lesson_ids))
        .distinct()
        .order_by("key")
        .values_list("pk", "variant_group", "critical")
    )
    return [
        {
            "question": pk,
            "point": point_key(question_id=pk, variant_group=group),
            "critical": critical,
        }
        for pk, group, critical in rows
    ]


def _latest_valid_certificates(*, program: Program, now: datetime) -> list[Certificate]:
    return list(
        Certificate.objects.latest_cycles()
        .filter(program=program, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .only("id", "user_id", "expires_at")
    )


def _expiry_facts(certificate_ids: Iterable[int]) -> dict[int, tuple[datetime | None, list]]:
    """Per certificate that was asked for updates (one query): the expiry it had before the
    first of them brought it forward, and the due moments of those still open."""
    found: dict[int, tuple[datetime | None, list]] = {}
    rows = (
        CertificateUpdate.objects.filter(certificate_id__in=list(certificate_ids))
        .order_by("certificate_id", "id")
        .values_list("certificate_id", "expires_at_before", "due_at", "completed_at")
    )
    for certificate_id, before, due_at, completed_at in rows:
        _original, open_dues = found.setdefault(certificate_id, (before, []))
        if completed_at is None:
            open_dues.append(due_at)
    return found


def _program_update_record(
    *,
    program: Program,
    summary: str,
    by,
    lesson_ids: list[int],
    question_ids: list[int],
    checklist_ids: list[int],
    now: datetime,
) -> ProgramUpdate:
    version = (program.updates.aggregate(top=Max("version"))["top"] or 0) + 1
    update = ProgramUpdate.objects.create(
        program=program,
        version=version,
        summary=summary,
        changed_at=now,
        due_at=update_due_at(changed_at=now, window_days=program.update_window_days),
        quiz_candidates=_quiz_candidates(
            program=program, question_ids=question_ids, lesson_ids=lesson_ids
        ),
        created_by=by if by is not None and by.pk else None,
    )
    update.lessons.set(lesson_ids)
    update.questions.set(question_ids)
    update.checklists.set(checklist_ids)
    certificates = _latest_valid_certificates(program=program, now=now)
    facts = _expiry_facts(c.pk for c in certificates)
    asked, changed = [], []
    for certificate in certificates:
        original, open_dues = facts.get(certificate.pk, (certificate.expires_at, []))
        if not update_applies(expires_at=original, changed_at=now, due_at=update.due_at):
            continue
        asked.append(
            CertificateUpdate(
                certificate=certificate,
                update=update,
                due_at=update.due_at,
                expires_at_before=original,
            )
        )
        certificate.expires_at = expiry_with_updates(
            expires_at=original, pending_dues=[*open_dues, update.due_at]
        )
        changed.append(certificate)
    CertificateUpdate.objects.bulk_create(asked, batch_size=1000)
    Certificate.objects.bulk_update(changed, ["expires_at"], batch_size=1000)
    audit_record(
        actor=by,
        action=AuditEvent.Action.PROGRAM_UPDATE_RECORDED,
        target=program,
        summary=f"{program.name} version {version}: {summary}"[:300],
        details={
            "version": version,
            "summary": summary,
            "due_at": update.due_at.isoformat(),
            "certificates": len(asked),
            "lessons": lesson_ids,
            "questions": question_ids,
            "checklists": checklist_ids,
        },
    )
    return update


@transaction.atomic
def program_updates_record(
    *,
    summary: str,
    by,
    lessons: Iterable[Lesson] = (),
    questions: Iterable[Question] = (),
    checklists: Iterable[PracticalChecklist] = (),
    now: datetime | None = None,
) -> list[ProgramUpdate]:
    """Record a material change as the next version of every published program it touches.

    A program is touched when it requires a changed lesson or checklist, or one of its
    required quizzes draws a changed question. Every certificate of it valid now (and
    past the program's window) is asked for the update, its expiry brought forward.
    """
    now = now or timezone.now()
    lesson_ids = sorted({lesson.pk for lesson in lessons})
    question_ids = sorted({question.pk for question in questions})
    checklist_ids = sorted({checklist.pk for checklist in checklists})
    touched = Q(pk__in=[])
    if lesson_ids:
        touched |= Q(required_lessons__in=lesson_ids)
    if question_ids:
        touched |= Q(required_quizzes__questions__in=question_ids)
    if checklist_ids:
        touched |= Q(required_checklists__in=checklist_ids)
    program_ids = set(Program.objects.published().filter(touched).values_list("pk", flat=True))
    # Locked in id order: two changes at once number their versions one after the other.
    programs = list(Program.objects.select_for_update().filter(pk__in=program_ids).order_by("pk"))
    updates = []
    for program in programs:
        own_lessons = set(program.required_lessons.values_list("pk", flat=True))
        own_checklists = set(program.required_checklists.values_list("pk", flat=True))
        own_questions = set(
            Question.objects.filter(
                pk__in=question_ids, pool_entries__quiz__programs=program
            ).values_list("pk", flat=True)
        )
        updates.append(
            _program_update_record(
                program=program,
                summary=summary.strip() or "Material change",
                by=by,
                lesson_ids=[pk for pk in lesson_ids if pk in own_lessons],
                question_ids=[pk for pk in question_ids if pk in own_questions],
                checklist_ids=[pk for pk in checklist_ids if pk in own_checklists],
                now=now,
            )
        )
    return updates


# The update quiz ----------------------------------------------------------------------


def update_quiz_get(*, program: Program) -> Quiz:
    """The program's draft quiz that update quizzes belong to, with its current pass mark."""
    quiz, created = Quiz.objects.get_or_create(
        slug=update_quiz_slug(program.pk),
        defaults={
            "title": f"{program.name}: update quiz"[:200],
            "description": UPDATE_QUIZ_DESCRIPTION,
            "bank": Bank.EXAM,
            "status": Quiz.Status.DRAFT,
            "feedback_policy": Quiz.FeedbackPolicy.WRONG_ONLY,
            "shuffle_questions": False,
            "shuffle_choices": True,
            "pass_mark": program.update_pass_mark,
            "order": 100_001,
        },
    )
    if not created and quiz.pass_mark != program.update_pass_mark:
        quiz.pass_mark = program.update_pass_mark
        quiz.save(update_fields=["pass_mark"])
    return quiz


def pending_updates(*, user, program: Program, now: datetime) -> list[CertificateUpdate]:
    """The updates still open on the trainee's latest certificate of the program, oldest first."""
    latest = Certificate.objects.latest_cycles().filter(user=user, program=program)
    return list(
        CertificateUpdate.objects.filter(
            certificate__in=latest, completed_at__isnull=True, due_at__gte=now
        )
        .select_related("update", "certificate")
        .order_by("update__version")
    )


def update_quiz_open(*, user, quiz: Quiz) -> Attempt | None:
    return (
        Attempt.objects.select_related("quiz")
        .filter(user=user, quiz=quiz, kind=Attempt.Kind.UPDATE, state=Attempt.State.IN_PROGRESS)
        .first()
    )


def update_quiz_start(
    *, user, program: Program, now: datetime | None = None, rng: random.Random | None = None
) -> Attempt:
    """Resume the trainee's open update quiz, or start one drawn from what changed.

    Raises engine.AttemptRefused when no update is open, none asks for a quiz, it was
    passed since the change, or no question of the changed points can be asked now.
    """
    now = now or timezone.now()
    quiz = update_quiz_get(program=program)
    open_attempt = update_quiz_open(user=user, quiz=quiz)
    if open_attempt is not None and not engine.attempt_close_if_expired(
        attempt=open_attempt, now=now
    ):
        return open_attempt
    return _update_quiz_create(
        user=user, program=program, quiz=quiz, now=now, rng=rng or random.SystemRandom()
    )


@transaction.atomic
def _update_quiz_create(
    *, user, program: Program, quiz: Quiz, now: datetime, rng: random.Random
) -> Attempt:
    updates = pending_updates(user=user, program=program, now=now)
    if not updates:
        raise engine.AttemptRefused(NO_UPDATE_DUE)
    wanting = [row for row in updates if row.update.quiz_candidates]
    if not wanting:
        raise engine.AttemptRefused(NO_UPDATE_QUIZ)
    earliest = min(row.update.changed_at for row in wanting)
    if _passed_update_quiz_starts(user=user, quiz=quiz, since=earliest):
        raise engine.AttemptRefused(UPDATE_QUIZ_DONE)
    drawable = set(
        Question.objects.drawable()
        .filter(pk__in={c["question"] for row in wanting for c in row.update.quiz_candidates})
        .values_list("pk", flat=True)
    )
    candidates = [
        Candidate(question_id=c["question"], point=c["point"], critical=c["critical"])
        for row in wanting
        for c in row.update.quiz_candidates
        if c["question"] in drawable
    ]
    picked = update_points_pick(candidates=candidates, size=program.update_quiz_questions, rng=rng)
    if not picked:
        raise engine.AttemptRefused(UPDATE_QUIZ_NO_QUESTIONS)
    questions = {
        question.pk: question
        for question in Question.objects.filter(pk__in=picked)
        .select_related("topic", "lesson")
        .prefetch_related("choices")
    }
    entries = [papers.paper_question(questions[pk]) for pk in picked]
    for entry in entries:
        if entry["kind"] != Question.Kind.TRUE_FALSE:
            rng.shuffle(entry["choices"])
    paper = papers.paper_frame(quiz)
    paper["questions"] = entries
    try:
        with transaction.atomic():
            return engine.attempt_create(
                user=user, quiz=quiz, kind=Attempt.Kind.UPDATE, paper=paper, now=now
            )
    except IntegrityError:
        # Another request (a double click) started one first: resume that one.
        return Attempt.objects.select_related("quiz").get(
            user=user, quiz=quiz, kind=Attempt.Kind.UPDATE, state=Attempt.State.IN_PROGRESS
        )


def _passed_update_quiz_starts(*, user, quiz: Quiz, since: datetime) -> list[datetime]:
    return list(
        Attempt.objects.filter(
            user=user,
            quiz=quiz,
            kind=Attempt.Kind.UPDATE,
            state=Attempt.State.SUBMITTED,
            passed=True,
            started_at__gte=since,
        ).values_list("started_at", flat=True)
    )


# Settling: what a trainee's activity completed ----------------------------------------


def _changed_ids(rows: Sequence[CertificateUpdate]) -> tuple[dict, dict]:
    """Per program update: its changed lessons and checklists (two queries)."""
    update_ids = {row.update_id for row in rows}
    lessons: dict[int, set[int]] = {}
    checklists: dict[int, set[int]] = {}
    for update_id, lesson_id in ProgramUpdate.lessons.through.objects.filter(
        programupdate_id__in=update_ids
    ).values_list("programupdate_id", "lesson_id"):
        lessons.setdefault(update_id, set()).add(lesson_id)
    for update_id, checklist_id in ProgramUpdate.checklists.through.objects.filter(
        programupdate_id__in=update_ids
    ).values_list("programupdate_id", "practicalchecklist_id"):
        checklists.setdefault(update_id, set()).add(checklist_id)
    return lessons, checklists


def updates_facts(rows: Sequence[CertificateUpdate]) -> dict[int, UpdateFacts]:
    """The rules' view of each certificate update, by its id."""
    lessons, checklists = _changed_ids(rows)
    return {
        row.pk: UpdateFacts(
            program_id=row.update.program_id,
            changed_at=row.update.changed_at,
            due_at=row.due_at,
            lesson_ids=frozenset(lessons.get(row.update_id, ())),
            checklist_ids=frozenset(checklists.get(row.update_id, ())),
            needs_quiz=bool(row.update.quiz_candidates),
        )
        for row in rows
    }


def trainee_activity(*, user, facts: Iterable[UpdateFacts]) -> tuple[TraineeActivity, dict]:
    """What the trainee did that these updates may count, and each program's latest pass."""
    facts = list(facts)
    lesson_ids = {pk for item in facts for pk in item.lesson_ids}
    checklist_ids = {pk for item in facts for pk in item.checklist_ids}
    read = {}
    if lesson_ids:
        read = dict(
            LessonCompletion.objects.filter(user=user, lesson_id__in=lesson_ids).values_list(
                "lesson_id", "completed_at"
            )
        )
    observed: dict[int, list[datetime]] = {}
    required: dict[int, int] = {}
    if checklist_ids:
        for checklist_id, recorded_at in Observation.objects.filter(
            trainee=user,
            checklist_id__in=checklist_ids,
            outcome=Observation.Outcome.COMPETENT,
            acknowledged_at__isnull=False,
            superseded_by__isnull=True,
        ).values_list("checklist_id", "recorded_at"):
            observed.setdefault(checklist_id, []).append(recorded_at)
        required = dict(
            PracticalChecklist.objects.filter(pk__in=checklist_ids).values_list(
                "pk", "observations_required"
            )
        )
    slugs = {update_quiz_slug(item.program_id): item.program_id for item in facts}
    passed: dict[int, list[datetime]] = {}
    latest: dict[int, Attempt] = {}
    if any(item.needs_quiz for item in facts):
        attempts = (
            Attempt.objects.filter(
                user=user,
                kind=Attempt.Kind.UPDATE,
                state=Attempt.State.SUBMITTED,
                passed=True,
                quiz__slug__in=list(slugs),
            )
            .select_related("quiz")
            .defer("paper")
            .order_by("started_at")
        )
        for attempt in attempts:
            program_id = slugs[attempt.quiz.slug]
            passed.setdefault(program_id, []).append(attempt.started_at)
            latest[program_id] = attempt
    activity = TraineeActivity(
        lessons_read_at=read,
        checklists_observed_at=observed,
        checklists_required=required,
        update_quizzes_passed=passed,
    )
    return activity, latest


def certificate_updates_settle(*, user, now: datetime | None = None) -> list[CertificateUpdate]:
    """Record the updates the trainee's activity has completed; return them.

    One query when nothing is open. A completed update gives its certificate back the
    expiry it had, or the earliest due of another update still open on it.
    """
    now = now or timezone.now()
    rows = list(
        CertificateUpdate.objects.filter(
            certificate__user=user, completed_at__isnull=True, due_at__gte=now
        ).select_related("update", "certificate")
    )
    if not rows:
        return []
    facts = updates_facts(rows)
    activity, latest = trainee_activity(user=user, facts=facts.values())
    done = [row for row in rows if update_is_done(update=facts[row.pk], activity=activity, now=now)]
    if not done:
        return []
    for row in done:
        # Conditional: two requests settling at once record one completion.
        attempt = latest.get(row.update.program_id) if facts[row.pk].needs_quiz else None
        row.completed_at = now
        row.attempt = attempt
        claimed = CertificateUpdate.objects.filter(pk=row.pk, completed_at__isnull=True).update(
            completed_at=now, attempt=attempt
        )
        if not claimed:
            continue
        _expiry_restore(certificate=row.certificate, now=now)
        audit_record(
            actor=user,
            action=AuditEvent.Action.CERTIFICATE_UPDATED,
            target=row.certificate,
            summary=(
                f"{row.certificate.holder_name} · {row.certificate.display_code} · "
                f"updated to version {row.update.version}"
            ),
            details={
                "code": row.certificate.display_code,
                "version": row.update.version,
                "completed_at": now.isoformat(),
            },
        )
    return done


def _expiry_restore(*, certificate: Certificate, now: datetime) -> None:
    original, open_dues = _expiry_facts([certificate.pk])[certificate.pk]
    expires_at = expiry_with_updates(expires_at=original, pending_dues=open_dues)
    Certificate.objects.filter(pk=certificate.pk).update(expires_at=expires_at)
    certificate.expires_at = expires_at
