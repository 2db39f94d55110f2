"""Reads for renewal that follows what changed: the trainee's delta path, a certificate's
update history, and update status for many trainees at once (the managers' reports)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from django.http import Http404
from django.utils import timezone

from lessons.models import Lesson
from quizzes.models import (
    Attempt,
    Certificate,
    CertificateUpdate,
    PracticalChecklist,
    Program,
)
from quizzes.updates.rules import (
    UPDATE_DUE_SOON_DAYS,
    checklist_observed_again,
    lesson_reread,
    update_quiz_passed,
)
from quizzes.updates.services import (
    pending_updates,
    trainee_activity,
    update_quiz_slug,
    updates_facts,
)

NO_UPDATE_PATH = "No update is due for this program."


@dataclass(frozen=True)
class UpdateVersion:
    version: int
    summary: str
    changed_at: datetime
    due_at: datetime
    completed_at: datetime | None = None
    program_slug: str = ""
    lapsed: bool = False  # not done by its due moment: the certificate expired early


@dataclass(frozen=True)
class LessonStep:
    lesson: Lesson
    done: bool


@dataclass(frozen=True)
class ChecklistStep:
    checklist: PracticalChecklist
    done: bool


@dataclass(frozen=True)
class UpdatePath:
    """What a certified trainee must do to bring a certificate up to date, and what is done."""

    program: Program
    certificate: Certificate
    versions: tuple[UpdateVersion, ...]
    due_at: datetime
    lessons: tuple[LessonStep, ...] = ()
    checklists: tuple[ChecklistStep, ...] = ()
    needs_quiz: bool = False
    quiz_passed: bool = False
    quiz_questions: int = 0
    pass_mark: int = 0
    open_attempt: Attempt | None = None
    last_attempt: Attempt | None = None

    @property
    def latest_version(self) -> int:
        return self.versions[-1].version


def update_path_get(*, user, program: Program, now: datetime | None = None) -> UpdatePath:
    """The trainee's open update path in the program, or 404 when none is open."""
    now = now or timezone.now()
    rows = pending_updates(user=user, program=program, now=now)
    if not rows:
        raise Http404(NO_UPDATE_PATH)
    facts = updates_facts(rows)
    activity, _latest = trainee_activity(user=user, facts=facts.values())
    lesson_ids = sorted({pk for item in facts.values() for pk in item.lesson_ids})
    checklist_ids = sorted({pk for item in facts.values() for pk in item.checklist_ids})
    lessons = {lesson.pk: lesson for lesson in Lesson.objects.filter(pk__in=lesson_ids)}
    checklists = {c.pk: c for c in PracticalChecklist.objects.filter(pk__in=checklist_ids)}

    def done(pk: int, changed_ids: str, check) -> bool:
        return all(check(item, pk) for item in facts.values() if pk in getattr(item, changed_ids))

    lesson_steps = [
        LessonStep(
            lesson=lessons[pk],
            done=done(
                pk,
                "lesson_ids",
                lambda item, pk: lesson_reread(update=item, activity=activity, lesson_id=pk),
            ),
        )
        for pk in lesson_ids
        if pk in lessons
    ]
    checklist_steps = [
        ChecklistStep(
            checklist=checklists[pk],
            done=done(
                pk,
                "checklist_ids",
                lambda item, pk: checklist_observed_again(
                    update=item, activity=activity, checklist_id=pk
                ),
            ),
        )
        for pk in checklist_ids
        if pk in checklists
    ]
    quiz_facts = [item for item in facts.values() if item.needs_quiz]
    attempts = list(
        Attempt.objects.filter(
            user=user, kind=Attempt.Kind.UPDATE, quiz__slug=update_quiz_slug(program.pk)
        )
        .select_related("quiz")
        .defer("paper")
        .order_by("-started_at")[:1]
    )
    last = attempts[0] if attempts else None
    return UpdatePath(
        program=program,
        certificate=rows[0].certificate,
        versions=tuple(
            UpdateVersion(
                version=row.update.version,
                summary=row.update.summary,
                changed_at=row.update.changed_at,
                due_at=row.due_at,
            )
            for row in rows
        ),
        due_at=min(row.due_at for row in rows),
        lessons=tuple(lesson_steps),
        checklists=tuple(checklist_steps),
        needs_quiz=bool(quiz_facts),
        quiz_passed=all(update_quiz_passed(update=item, activity=activity) for item in quiz_facts),
        quiz_questions=program.update_quiz_questions,
        pass_mark=program.update_pass_mark,
        open_attempt=last if last is not None and last.is_open else None,
        last_attempt=last if last is not None and not last.is_open else None,
    )


@dataclass(frozen=True)
class UpdateStatus:
    """One trainee's update standing in one program, from the latest certificate."""

    due_at: datetime | None = None  # the earliest open update's due moment
    updated_version: int | None = None  # the latest completed update
    lapsed: bool = False  # an update was not done in time: the certificate expired early

    @property
    def required(self) -> bool:
        return self.due_at is not None

    def due_soon(self, now: datetime) -> bool:
        return self.due_at is not None and (self.due_at - now).days < UPDATE_DUE_SOON_DAYS

    @property
    def label(self) -> str:
        if self.lapsed:
            return "Update not done in time"
        if self.due_at is not None:
            return f"Update required by {timezone.localdate(self.due_at):%-d %b %Y}"
        if self.updated_version is not None:
            return f"Updated to version {self.updated_version}"
        return ""


def update_status_bulk(
    *, user_ids: Iterable[int] | object, program_ids: Iterable[int], now: datetime | None = None
) -> dict[tuple[int, int], UpdateStatus]:
    """Per (trainee id, program id): update status of the latest certificate, in one query.

    `user_ids` may be a list or a subquery of user ids.
    """
    now = now or timezone.now()
    rows = (
        CertificateUpdate.objects.filter(
            certificate__in=Certificate.objects.latest_cycles().filter(
                user_id__in=user_ids, program_id__in=list(program_ids), revoked_at__isnull=True
            )
        )
        .order_by("update__version")
        .values_list(
            "certificate__user_id",
            "certificate__program_id",
            "update__version",
            "due_at",
            "completed_at",
        )
    )
    found: dict[tuple[int, int], UpdateStatus] = {}
    for user_id, program_id, version, due_at, completed_at in rows:
        status = found.get((user_id, program_id), UpdateStatus())
        if completed_at is not None:
            status = replace(status, updated_version=version)  # rows come by version
        elif due_at < now:
            status = replace(status, lapsed=True)
        elif status.due_at is None or due_at < status.due_at:
            status = replace(status, due_at=due_at)
        found[(user_id, program_id)] = status
    return found


def certificate_update_history(
    *, certificate: Certificate, now: datetime | None = None
) -> tuple[UpdateVersion, ...]:
    """The updates asked of one certificate, done or open, oldest first (one query).

    The certificate comes with its program (select_related), as its pages read it.
    """
    now = now or timezone.now()
    rows = (
        CertificateUpdate.objects.filter(certificate=certificate)
        .select_related("update")
        .order_by("update__version")
    )
    return tuple(
        UpdateVersion(
            version=row.update.version,
            summary=row.update.summary,
            changed_at=row.update.changed_at,
            due_at=row.due_at,
            completed_at=row.completed_at,
            program_slug=certificate.program.slug,
            lapsed=row.completed_at is None and row.due_at < now,
        )
        for row in rows
    )


@dataclass(frozen=True)
class OpenUpdate:
    """A program in which the trainee's certificate waits for an update."""

    program: Program
    due_at: datetime
    versions: tuple[int, ...]
    summary: str


def updates_open_for_user(*, user, now: datetime | None = None) -> list[OpenUpdate]:
    """The trainee's open updates per program, soonest due first (one query)."""
    now = now or timezone.now()
    rows = (
        CertificateUpdate.objects.filter(
            certificate__in=Certificate.objects.latest_cycles().filter(
                user=user, revoked_at__isnull=True
            ),
            completed_at__isnull=True,
            due_at__gte=now,
        )
        .select_related("update__program")
        .order_by("due_at", "update__version")
    )
    found: dict[int, list[CertificateUpdate]] = {}
    for row in rows:
        found.setdefault(row.update.program_id, []).append(row)
    return [
        OpenUpdate(
            program=items[0].update.program,
            due_at=items[0].due_at,
            versions=tuple(item.update.version for item in items),
            summary="; ".join(item.update.summary for item in items),
        )
        for items in found.values()
    ]
