"""axe-core in the browser tests: one set of WCAG rules, one way to run it, one way to report.

axe-core comes inside the axe-playwright-python wheel and is injected into the page; the
contexts that run it bypass the Content-Security-Policy, so the policy stays as strict as in
production.
"""

from axe_playwright_python.base import AXE_SCRIPT

# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe has no "wcag22a" tag: 2.2 added AA rules only).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"critical", "serious"}
IMPACTS = ["critical", "serious", "moderate", "minor"]
NARROW = {"width": 390, "height": 844}


def axe_violations(page, context: str | None = None) -> list[dict]:
    """axe's violations on the loaded page (or inside the element `context` selects)."""
    page.wait_for_load_state()
    page.evaluate(AXE_SCRIPT)
    results = page.evaluate(
        "([context, options]) => axe.run(context ? document.querySelector(context) : document,"
        " options)",
        [context, AXE_OPTIONS],
    )
    return results["violations"]


def violation_line(violation: dict, *, summary_chars: int = 160) -> str:
    """One line naming the rule, its impact and up to three of the elements it found."""
    targets = [
        f"{', '.join(map(str, node['target']))}: {node.get('failureSummary', '')[:summary_chars]}"
        for node in violation["nodes"][:3]
    ]
    return f"{violation['id']} [{violation['impact']}] {targets}"


def blocking_findings(page, context: str | None = None) -> list[str]:
    """The critical and serious findings on the page, one line each."""
    return [
        violation_line(violation)
        for violation in axe_violations(page, context)
        if violation["impact"] in BLOCKING
    ]
