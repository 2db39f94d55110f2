"""The layout holds: packages by concern, no cycles, lower layers never import higher ones.

Read from the source with `ast` (nothing is imported), so a change that breaks
the architecture docs/architecture.md describes fails here, not in review.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("trainingsite", "lessons", "quizzes")
MAX_LINES = 600

# Pure modules: plain data in, plain data out. They never reach the database.
PURE = {
    "lessons.progress",
    "quizzes.scoring",
    "quizzes.written",
    "quizzes.rules",
    "quizzes.certification.rules",
    "quizzes.certification.codes",
    "quizzes.certification.renewal_rules",
    "quizzes.reports.item_analysis",
    "quizzes.authoring.validation",
    "quizzes.authoring.quality",
    "quizzes.drawing",
    "quizzes.cohorts.tokens",
    "quizzes.credentials.badge",
    "quizzes.credentials.status_list",
    "quizzes.cpd.rules",
    "quizzes.observations.rules",
    "quizzes.attestations.rules",
    "quizzes.practice.rules",
    "quizzes.mastery.rules",
    "quizzes.spaced_review.rules",
    "quizzes.updates.rules",
    "quizzes.webhooks.rules",
    "quizzes.webhooks.signing",
    "quizzes.xapi.statements",
    "trainingsite.backoff",
    "trainingsite.codes",
    "trainingsite.plurals",
}
# What a pure module may not import (prefixes).
IMPURE = ("django.db", "django.contrib", "django.http", "django.core.cache")
# The layers, lowest first: a module may import its own layer and those below, never above.
LAYERS = {
    "rules": 0,
    "models": 1,
    "reads_writes": 2,
    "pages": 3,
}
PAGE_MODULES = {"views", "forms", "admin", "urls", "apps", "templatetags", "commands"}
READ_WRITE_MODULES = {
    "services",
    "selectors",
    "scope",
    "receivers",
    "signals",
    "regrade",
    "imports",
    "content",
    "reminders",
    "csv_import",
    "rules_sql",
    "retention",
    "retention_days",
    "retention_sql",
    "snapshot",
    "overview",
    "trainees",
    "detail",
    "quiz_stats",
    "progress",
    "review",
    "signup",
    "papers",
    "keys",
    "saving",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found[_module_name(path)] = path
    return found


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(module: str, node: ast.ImportFrom | ast.Import) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".")[: -node.level] if node.level else []
        base = ".".join([*package, base]) if base else ".".join(package)
    names = []
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        names.append(candidate if candidate in modules() else base)
    return names


@cache
def top_level_imports(module: str) -> tuple[str, ...]:
    """Project modules imported when `module` is imported (not under TYPE_CHECKING)."""
    tree = ast.parse(modules()[module].read_text())
    found: list[str] = []

    def visit(body):
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.extend(_imported(module, node))
            elif isinstance(node, ast.If) and not _type_checking(node):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)

    visit(tree.body)
    return tuple(name for name in found if name.split(".")[0] in APPS)


def _nested_project_imports(module: str) -> list[str]:
    """Project imports inside functions or classes: the usual way to hide a cycle."""
    tree = ast.parse(modules()[module].read_text())
    nested = []
    for outer in ast.walk(tree):
        if not isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for node in ast.walk(outer):
            if isinstance(node, ast.Import | ast.ImportFrom):
                nested += [n for n in _imported(module, node) if n.split(".")[0] in APPS]
    return nested


def layer_of(module: str) -> int:
    parts = module.split(".")
    if module in PURE:
        return LAYERS["rules"]
    if "models" in parts:
        return LAYERS["models"]
    if PAGE_MODULES & set(parts) or parts[-1] in PAGE_MODULES:
        return LAYERS["pages"]
    if parts[-1] in READ_WRITE_MODULES:
        return LAYERS["reads_writes"]
    return -1  # helpers (rendering, charts, snapshot builders ...): not ranked


def test_no_module_is_longer_than_the_limit():
    long = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_flat_concern_prefixed_modules_remain_in_quizzes():
    flat = sorted(p.name for p in (ROOT / "quizzes").glob("*.py"))
    prefixed = [
        name
        for name in flat
        if name.startswith(("certification_", "cohort_", "views_", "admin_", "urls_", "forms_"))
    ]
    assert prefixed == []


def test_no_star_imports():
    stars = [
        name
        for name, path in modules().items()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)
        if name != "trainingsite.settings"
    ]
    assert stars == []


def test_no_import_cycles():
    graph = {name: set(top_level_imports(name)) & set(modules()) for name in modules()}
    # Importing a package runs its __init__: an edge to a.b.c is an edge to a.b too.
    for name, targets in graph.items():
        for target in list(targets):
            parts = target.split(".")
            for i in range(1, len(parts)):
                parent = ".".join(parts[:i])
                if parent in graph and parent != name and not name.startswith(parent + "."):
                    targets.add(parent)
    cycles, state = [], {}

    def walk(node, stack):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append(stack[stack.index(target) :] + [target])
            elif target not in state:
                walk(target, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            walk(node, [])
    assert cycles == []


def test_project_imports_are_at_module_level():
    # AppConfig.ready() is where Django wants signal receivers imported.
    allowed = {name for name in modules() if name.endswith(".apps")}
    nested = {
        name: found
        for name in modules()
        if name not in allowed and (found := _nested_project_imports(name))
    }
    assert nested == {}


@pytest.mark.parametrize("module", sorted(PURE))
def test_pure_modules_never_touch_the_database(module):
    tree = ast.parse(modules()[module].read_text())
    imports = [
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in (
            [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        )
    ]
    assert [name for name in imports if name.startswith(IMPURE)] == []
    assert [n for n in top_level_imports(module) if layer_of(n) > LAYERS["rules"]] == []


def test_lower_layers_never_import_higher_ones():
    upward = [
        (name, target)
        for name in modules()
        if (own := layer_of(name)) >= 0
        for target in top_level_imports(name)
        if layer_of(target) > own
    ]
    assert upward == []


def test_lessons_reach_quizzes_only_from_their_pages():
    # Quizzes build on lessons; lessons' rules, models, services and selectors stand alone.
    reaching = [
        (name, target)
        for name in modules()
        if name.startswith("lessons.") and layer_of(name) < LAYERS["pages"]
        for target in top_level_imports(name)
        if target.startswith("quizzes")
    ]
    assert reaching == []


def test_another_concern_is_reached_through_its_services_and_selectors_never_its_views():
    concerns = ("certification", "cohorts", "reports", "authoring", "credentials")
    crossing = []
    for name in modules():
        own = name.split(".")[1] if name.startswith("quizzes.") and name.count(".") else ""
        for target in top_level_imports(name):
            parts = target.split(".")
            if len(parts) < 3 or parts[0] != "quizzes" or parts[1] not in concerns:
                continue
            if parts[1] != own and parts[2] in {"views", "forms", "admin"}:
                if name not in {"quizzes.admin", "trainingsite.urls"}:
                    crossing.append((name, target))
    assert crossing == []
