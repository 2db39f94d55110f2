"""Loading the shipped practical checklists (fixtures/observations/checklists.json).

Keyed on slug, like the programs loader: a checklist that already exists is left as an
educator may have edited it, unless `overwrite` is asked for; its criteria are then
replaced only when no observation refers to them (observations keep their own copy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from quizzes.models import ChecklistCriterion, ObservationResult, PracticalChecklist, Program
from trainingsite.content_files import json_objects_read

SHIPPED_CHECKLISTS = settings.BASE_DIR / "fixtures" / "observations" / "checklists.json"
CHECKLIST_KEYS = {"slug", "title", "criteria"}
CHECKLIST_OPTIONAL_KEYS = {"description", "programs", "observations_required", "status"}
CRITERION_KEYS = {"text"}
CRITERION_OPTIONAL_KEYS = {"guidance", "critical"}


class ChecklistContentError(ValueError):
    """The shipped checklists cannot be loaded; the message names the entry."""


@dataclass
class ChecklistsLoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def _read(path: Path) -> list[dict]:
    entries = json_objects_read(path, error=ChecklistContentError)
    return entries


def _keys_check(entry: dict, *, required: set, optional: set, where: str) -> None:
    missing = required - entry.keys()
    unknown = entry.keys() - required - optional
    if missing:
        raise ChecklistContentError(f"{where}: missing {', '.join(sorted(missing))}.")
    if unknown:
        raise ChecklistContentError(f"{where}: unknown {', '.join(sorted(unknown))}.")


def _criteria(entry: dict, *, where: str) -> list[dict]:
    criteria = entry["criteria"]
    if not isinstance(criteria, list) or not criteria:
        raise ChecklistContentError(f"{where}: criteria must be a non-empty list.")
    for number, criterion in enumerate(criteria, start=1):
        place = f"{where} criterion {number}"
        if not isinstance(criterion, dict):
            raise ChecklistContentError(f"{place}: expected an object.")
        _keys_check(
            criterion, required=CRITERION_KEYS, optional=CRITERION_OPTIONAL_KEYS, where=place
        )
    return criteria


def _programs(entry: dict, *, where: str) -> list[Program]:
    slugs = entry.get("programs", [])
    if not isinstance(slugs, list) or not all(isinstance(s, str) for s in slugs):
        raise ChecklistContentError(f"{where}: programs must be a list of slugs.")
    programs = {p.slug: p for p in Program.objects.filter(slug__in=slugs)}
    absent = [slug for slug in slugs if slug not in programs]
    if absent:
        raise ChecklistContentError(f"{where}: unknown programs {', '.join(absent)}.")
    return list(programs.values())


def _criteria_replace(checklist: PracticalChecklist, criteria: list[dict], *, where: str) -> None:
    if ObservationResult.objects.filter(observation__checklist=checklist).exists():
        raise ChecklistContentError(
            f"{where}: has observations; change its criteria in the admin instead."
        )
    checklist.criteria.all().delete()
    for order, criterion in enumerate(criteria, start=1):
        row = ChecklistCriterion(
            checklist=checklist,
            order=order,
            text=criterion["text"],
            guidance=criterion.get("guidance", ""),
            critical=bool(criterion.get("critical", False)),
        )
        try:
            row.full_clean()
        except ValidationError as error:
            raise ChecklistContentError(
                f"{where} criterion {order}: {'; '.join(error.messages)}"
            ) from error
        row.save()


@transaction.atomic
def checklists_load(
    *, path: Path, overwrite: bool = False, dry_run: bool = False
) -> ChecklistsLoadResult:
    """Load checklists.json keyed on slug; an existing checklist is kept unless overwrite."""
    path = Path(path)
    result = ChecklistsLoadResult()
    for index, entry in enumerate(_read(path), start=1):
        where = f"{path.name} entry {index} ({entry.get('slug', 'no slug')})"
        _keys_check(entry, required=CHECKLIST_KEYS, optional=CHECKLIST_OPTIONAL_KEYS, where=where)
        criteria = _criteria(entry, where=where)
        programs = _programs(entry, where=where)
        checklist = PracticalChecklist.objects.filter(slug=entry["slug"]).first()
        if checklist is not None and not overwrite:
            result.kept.append(checklist.slug)
            continue
        created = checklist is None
        checklist = checklist or PracticalChecklist(slug=entry["slug"])
        checklist.title = entry["title"]
        checklist.description = entry.get("description", "")
        checklist.observations_required = entry.get("observations_required", 1)
        checklist.status = entry.get("status", PracticalChecklist.Status.PUBLISHED)
        try:
            checklist.full_clean()
        except ValidationError as error:
            raise ChecklistContentError(f"{where}: {'; '.join(error.messages)}") from error
        checklist.save()
        checklist.programs.set(programs)
        _criteria_replace(checklist, criteria, where=where)
        (result.created if created else result.updated).append(checklist.slug)
    if dry_run:
        transaction.set_rollback(True)
    return result
