"""Loading the shipped certification programs (fixtures/certification/programs.json)."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from lessons.models import Lesson
from quizzes.certification.renewal_rules import renewal_quiz_problem
from quizzes.models import Bank, Quiz
from quizzes.models.certification import Program
from trainingsite.content_files import json_objects_read

# The shipped programs, loaded by `make run` (setup_demo) and by load_programs.
SHIPPED_PROGRAMS = settings.BASE_DIR / "fixtures" / "certification" / "programs.json"
PROGRAM_KEYS = {"slug", "name", "lessons", "quizzes"}
PROGRAM_OPTIONAL_KEYS = {
    "description",
    "validity_months",
    "status",
    "cpd_hours",
    "cpd_awarding_body",
    "renewal_supersedes",
    "renewal_by_review",
    "renewal_quiz",
}


class ProgramContentError(ValueError):
    """The shipped programs cannot be loaded; the message names the entry."""


@dataclass
class ProgramsLoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def _cpd_hours(value, *, where: str) -> Decimal | None:
    """A number of hours (3 or 3.5; a string of one also reads) or null for none."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ProgramContentError(f"{where}: cpd_hours must be a number of hours or null.")
    try:
        return Decimal(str(value))
    except InvalidOperation as error:
        raise ProgramContentError(
            f"{where}: cpd_hours must be a number of hours or null."
        ) from error


def _renewal_by_review(program: Program, entry: dict, *, where: str) -> None:
    """Set renewal by review (off unless the entry says true) and its renewal quiz (a slug)."""
    enabled = entry.get("renewal_by_review", False)
    if not isinstance(enabled, bool):
        raise ProgramContentError(f"{where}: renewal_by_review must be true or false.")
    slug = entry.get("renewal_quiz")
    quiz = Quiz.objects.filter(slug=slug).first() if slug else None
    if slug and quiz is None:
        raise ProgramContentError(f"{where}: unknown renewal_quiz {slug}.")
    problem = renewal_quiz_problem(
        enabled=enabled,
        quiz_is_exam=None if quiz is None else quiz.bank == Bank.EXAM,
        quiz_published=quiz is not None and quiz.is_published,
    )
    if problem:
        raise ProgramContentError(f"{where}: {problem}")
    program.renewal_by_review, program.renewal_quiz = enabled, quiz


@transaction.atomic
def programs_load(
    *, path: Path, overwrite: bool = False, dry_run: bool = False
) -> ProgramsLoadResult:
    """Load programs.json keyed on slug; an existing program is kept unless overwrite is True."""
    path = Path(path)
    entries = json_objects_read(path, error=ProgramContentError)
    result = ProgramsLoadResult()
    for index, entry in enumerate(entries, start=1):
        where = f"{path.name} entry {index} ({entry.get('slug', 'no slug')})"
        missing = PROGRAM_KEYS - entry.keys()
        unknown = entry.keys() - PROGRAM_KEYS - PROGRAM_OPTIONAL_KEYS
        if missing or unknown:
            problem = f"missing {', '.join(sorted(missing))}" if missing else ""
            problem += f"unknown {', '.join(sorted(unknown))}" if unknown and not missing else ""
            raise ProgramContentError(f"{where}: {problem}.")
        for key in ("lessons", "quizzes"):
            if not isinstance(entry[key], list) or not all(isinstance(v, str) for v in entry[key]):
                raise ProgramContentError(f"{where}: {key} must be a list of slugs.")
        lessons = {
            lesson.slug: lesson for lesson in Lesson.objects.filter(slug__in=entry["lessons"])
        }
        quizzes = {quiz.slug: quiz for quiz in Quiz.objects.filter(slug__in=entry["quizzes"])}
        absent = [s for s in entry["lessons"] if s not in lessons] + [
            s for s in entry["quizzes"] if s not in quizzes
        ]
        if absent:
            raise ProgramContentError(f"{where}: unknown lessons or quizzes {', '.join(absent)}.")
        program = Program.objects.filter(slug=entry["slug"]).first()
        if program is not None and not overwrite:
            result.kept.append(program.slug)
            continue
        created = program is None
        program = program or Program(slug=entry["slug"])
        program.name = entry["name"]
        program.description = entry.get("description", "")
        program.validity_months = entry.get("validity_months")
        program.status = entry.get("status", Program.Status.PUBLISHED)
        program.cpd_hours = _cpd_hours(entry.get("cpd_hours"), where=where)
        program.cpd_awarding_body = entry.get("cpd_awarding_body") or ""
        program.renewal_supersedes = bool(entry.get("renewal_supersedes", False))
        _renewal_by_review(program, entry, where=where)
        try:
            program.full_clean()
        except ValidationError as error:
            raise ProgramContentError(f"{where}: {'; '.join(error.messages)}") from error
        program.save()
        program.required_lessons.set(lessons.values())
        program.required_quizzes.set(quizzes.values())
        (result.created if created else result.updated).append(program.slug)
    if dry_run:
        transaction.set_rollback(True)
    return result
