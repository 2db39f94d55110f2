"""Every manager page at 390 px: no horizontal overflow, no blank scroll below the footer, axe.

Wide tables scroll inside a focusable, labelled region (`.table-responsive` with
tabindex="0", role="region" and a label), never the page.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from quizzes.certification.services import certificate_issue_if_complete
from quizzes.models import Cohort, Program
from tests.builders import attest, do_everything, make_trainee, observe
from tests.builders.cohorts import make_invitation
from tests.e2e.axe import NARROW
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import (
    PROGRAM,
    Findings,
    _axe,
    _new_page,
    _no_horizontal_scroll,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The footer's bottom may differ from the document's height by rounding only.
FOOTER_SLACK_PX = 2

IMPORT_CSV = b"name,email\nNew Person,new.person@example.com\nNo Address,not-an-address\n"

BLANK_BELOW_FOOTER = """() => {
    const footer = document.querySelector("footer");
    const bottom = footer.getBoundingClientRect().bottom + window.scrollY;
    return document.documentElement.scrollHeight - bottom;
}"""

REGIONS_WITHOUT_LABEL = """() => [...document.querySelectorAll(".table-responsive")]
    .filter((el) => el.getAttribute("tabindex") !== "0" || el.getAttribute("role") !== "region"
        || !(el.getAttribute("aria-label") || el.getAttribute("aria-labelledby")))
    .map((el) => el.outerHTML.slice(0, 120))"""


@dataclass
class ManagerSite:
    cohort: Cohort
    quiz_pk: int
    code: str
    observation_pk: int
    trainee_pk: int
    demo_trainee_pk: int


def _build_manager_site() -> ManagerSite:
    """The shipped demo, with the demo trainee certified, observed and one invitation pending."""
    call_command("setup_demo", verbosity=0)
    trainee = get_user_model().objects.get(username="trainee")
    program = Program.objects.get(slug=PROGRAM)
    do_everything(trainee, program, at=timezone.now() - timedelta(days=2))
    attest(trainee, program.required_attestations.get())
    assessor = get_user_model().objects.get(username="assessor")
    observation = observe(trainee, program.required_checklists.get(), assessor=assessor)
    certificate = certificate_issue_if_complete(user=trainee, program=program)
    cohort = Cohort.objects.exclude(join_code=None).first()
    make_invitation(cohort=cohort, user=make_trainee(username="newcomer"))
    return ManagerSite(
        cohort=cohort,
        quiz_pk=program.required_quizzes.order_by("order").first().pk,
        code=certificate.display_code,
        observation_pk=observation.pk,
        trainee_pk=cohort.memberships.exclude(user=trainee).first().user_id,
        demo_trainee_pk=trainee.pk,
    )


def _manager_narrow_pages(site: ManagerSite) -> list[tuple[str, str]]:
    trainee = site.trainee_pk
    return [
        ("manager home", "/manager/"),
        ("reports overview", "/reports/"),
        ("reports overview of one cohort", f"/reports/?cohort={site.cohort.slug}"),
        ("trainees table", "/reports/trainees/"),
        (
            "trainees table with filters",
            f"/reports/trainees/?cohort={site.cohort.slug}&status=in_progress&sort=-due",
        ),
        ("trainee drill-down", f"/reports/trainees/{trainee}/"),
        ("certified trainee drill-down", f"/reports/trainees/{site.demo_trainee_pk}/"),
        ("trainee cpd record", f"/certificates/cpd/trainees/{site.demo_trainee_pk}/"),
        ("cohorts", "/reports/cohorts/"),
        ("cohort page and invitations", f"/reports/cohorts/{site.cohort.slug}/"),
        ("quiz reports", "/reports/quizzes/"),
        ("quiz report", f"/reports/quizzes/{site.quiz_pk}/"),
        ("question analysis", f"/reports/quizzes/{site.quiz_pk}/questions/"),
        ("revoke", f"/certificates/{site.code}/revoke/"),
        ("observation outcome", f"/assessment/observations/{site.observation_pk}/"),
    ]


def _check_page(page, name: str, findings: Findings, problems: list[str]) -> None:
    _no_horizontal_scroll(page, "manager", name, findings)
    blank = page.evaluate(BLANK_BELOW_FOOTER)
    if blank > FOOTER_SLACK_PX:
        problems.append(f"{name} ({page.url}): {blank:.0f} px of blank scroll below the footer")
    unlabelled = page.evaluate(REGIONS_WITHOUT_LABEL)
    if unlabelled:
        problems.append(f"{name} ({page.url}): scroll regions without focus or label {unlabelled}")
    _axe(page, "manager", name, findings)


def test_every_manager_page_fits_390_px_without_blank_scroll(browser, live_server):
    site = _build_manager_site()
    page = _new_page(browser, live_server, viewport=NARROW)
    log_in(page, "manager", settings.DEMO_PASSWORD)
    findings = Findings()
    problems: list[str] = []
    for name, url in _manager_narrow_pages(site):
        response = page.goto(url)
        assert response.status == 200, (name, url)
        _check_page(page, name, findings, problems)

    # The import preview is the answer to an upload.
    page.goto(f"/reports/cohorts/{site.cohort.slug}/")
    page.get_by_label("CSV file", exact=True).and_(page.locator("input")).set_input_files(
        {"name": "trainees.csv", "mimeType": "text/csv", "buffer": IMPORT_CSV}
    )
    page.get_by_role("button", name="Preview the import").click()
    page.wait_for_load_state()
    assert "preview" in page.title().lower()
    _check_page(page, "cohort import preview", findings, problems)

    page.context.close()
    assert findings.overflow == [], "\n".join(findings.overflow)
    assert problems == [], "\n".join(problems)
    assert findings.blocking == [], "\n".join(findings.blocking)
