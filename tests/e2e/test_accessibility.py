"""axe-core on every page each role reaches, the trainee's and assessor's pages at 390 px,
visible focus.

axe-core comes inside the axe-playwright-python wheel and is injected into each page; the
contexts bypass the Content-Security-Policy so the policy stays as strict as in production.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from quizzes import services
from quizzes.certification.services import certificate_issue_if_complete
from quizzes.cohorts.tokens import join_code_format
from quizzes.models import Attempt, Cohort, Credential, Program, Quiz
from tests.builders import (
    TEST_PASSWORD,
    assign,
    attest,
    correct_ids,
    do_everything,
    make_cohort,
    make_program,
    make_trainee,
    observe,
    wrong_ids,
)
from tests.builders.cohorts import make_invitation
from tests.e2e.conftest import BROWSER_TIMEOUT_MS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe has no "wcag22a" tag: 2.2 added AA rules only).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"critical", "serious"}
IMPACTS = ["critical", "serious", "moderate", "minor"]
PROGRAM = "bleeding-management-foundation"
NARROW = {"width": 390, "height": 844}

# Pages with serious or critical findings not fixed yet: (role, page name) -> why.
# Printed by the test; every other page must have none.
KNOWN: dict[tuple[str, str], str] = {}


@dataclass
class Findings:
    pages: Counter = field(default_factory=Counter)
    impacts: Counter = field(default_factory=Counter)
    blocking: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)


def _axe(page, role: str, name: str, findings: Findings, context: str | None = None) -> None:
    page.wait_for_load_state()
    page.evaluate(AXE_SCRIPT)
    results = page.evaluate(
        "([context, options]) => axe.run(context ? document.querySelector(context) : document,"
        " options)",
        [context, AXE_OPTIONS],
    )
    findings.pages[role] += 1
    for violation in results["violations"]:
        findings.impacts[violation["impact"]] += 1
        if violation["impact"] in BLOCKING:
            targets = [
                f"{', '.join(map(str, node['target']))}: {node.get('failureSummary', '')[:160]}"
                for node in violation["nodes"][:3]
            ]
            line = (
                f"{role} {name} ({page.url}): {violation['id']} [{violation['impact']}] {targets}"
            )
            (findings.known if (role, name) in KNOWN else findings.blocking).append(line)


def _no_horizontal_scroll(page, role: str, name: str, findings: Findings) -> None:
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > NARROW["width"]:
        # Name the outermost elements that stick out, to say where to look.
        wide = page.evaluate(
            """(limit) => [...document.querySelectorAll("body *")]
                .filter((el) => {
                    if (el.getBoundingClientRect().right <= limit) return false;
                    for (let up = el.parentElement; up; up = up.parentElement) {
                        if (getComputedStyle(up).overflowX !== "visible") return false;
                        if (up.getBoundingClientRect().right > limit) return false;
                    }
                    return true;
                })
                .slice(0, 3)
                .map((el) => `${el.tagName.toLowerCase()}.${el.className}`)""",
            NARROW["width"],
        )
        findings.overflow.append(f"{role} {name} ({page.url}): {width} px wide, {wide}")


def _visit_all(page, role: str, pages: list[tuple[str, str]], findings: Findings) -> None:
    for name, url in pages:
        response = page.goto(url)
        # The error pages are visited on purpose; every other page must open.
        assert response.status == (int(name) if name in ("403", "404") else 200), (role, url)
        _axe(page, role, name, findings)


def _new_page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, **options)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
    return context.new_page()


def _answer(attempt: Attempt, *, wrong_first: bool = False) -> Attempt:
    answers = {}
    for index, question in enumerate(attempt.paper["questions"]):
        pick = wrong_ids if wrong_first and index == 0 else correct_ids
        answers[question["id"]] = pick(question)
    services.attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence)
    return services.attempt_submit(attempt=attempt)


@dataclass
class Site:
    quiz: Quiz
    other_quiz: Quiz
    open_attempt: Attempt
    graded: Attempt
    practice: Attempt
    code: str
    credential: str
    cohort: Cohort
    join_code: str
    invitation_token: str
    trainee_pk: int
    lesson_slug: str
    observation_pk: int
    demo_trainee_pk: int
    checklist_slug: str
    statement_slug: str
    written_answer_pk: int


def _build_site() -> Site:
    """The shipped demo, with the demo trainee certified and mid-way through another quiz."""
    call_command("setup_demo", verbosity=0)
    trainee = get_user_model().objects.get(username="trainee")
    program = Program.objects.get(slug=PROGRAM)
    do_everything(trainee, program, at=timezone.now() - timedelta(days=2))
    assessor = get_user_model().objects.get(username="assessor")
    checklist = program.required_checklists.get()
    statement = program.required_attestations.get()
    attest(trainee, statement)
    observation = observe(trainee, checklist, assessor=assessor)
    certificate = certificate_issue_if_complete(user=trainee, program=program)
    quizzes = list(program.required_quizzes.order_by("order"))
    quiz, other_quiz = quizzes[0], quizzes[1]
    graded = _answer(services.attempt_start(user=trainee, quiz=quiz), wrong_first=True)
    practice = _answer(services.practice_start_from_mistakes(user=trainee, quiz=quiz))
    open_attempt = services.attempt_start(user=trainee, quiz=other_quiz)
    cohort = Cohort.objects.exclude(join_code=None).first()
    other_cohort = Cohort.objects.create(name="Harbour Clinic", slug="harbour", join_code=None)
    _, token = make_invitation(cohort=other_cohort, user=trainee)
    # A pending invitation, so the manager's cohort page lists one.
    make_invitation(cohort=cohort, user=make_trainee(username="newcomer"))
    member = cohort.memberships.exclude(user=trainee).first().user
    # A case study awaiting marking, for the marking pages.
    cases = program.required_quizzes.get(hand_marked=True)
    waiting = services.attempt_start(user=member, quiz=cases)
    services.attempt_save_answers(
        attempt=waiting,
        answers={},
        sequence=waiting.sequence,
        texts={q["id"]: "Stop and press with sterile gauze." for q in waiting.paper["questions"]},
    )
    waiting.refresh_from_db()
    services.attempt_submit(attempt=waiting)
    return Site(
        quiz=quiz,
        other_quiz=other_quiz,
        open_attempt=open_attempt,
        graded=graded,
        practice=practice,
        code=certificate.display_code,
        credential=Credential.objects.get(certificate=certificate).jwt,
        cohort=cohort,
        join_code=join_code_format(cohort.join_code),
        invitation_token=token,
        trainee_pk=member.pk,
        lesson_slug=program.required_lessons.order_by("order").first().slug,
        observation_pk=observation.pk,
        demo_trainee_pk=trainee.pk,
        checklist_slug=checklist.slug,
        statement_slug=statement.slug,
        written_answer_pk=waiting.answers.filter(text__gt="").first().pk,
    )


def _trainee_main_pages(site: Site) -> list[tuple[str, str]]:
    return [
        ("dashboard", "/me/"),
        ("lesson", f"/lessons/{site.lesson_slug}/"),
        ("quiz", f"/quizzes/{site.quiz.slug}/"),
        ("attempt", f"/quizzes/attempts/{site.open_attempt.uuid}/"),
        ("result", f"/quizzes/attempts/{site.graded.uuid}/result/"),
        ("certificate", f"/certificates/{site.code}/"),
        ("cpd record", "/certificates/cpd/"),
        ("observation", f"/assessment/observations/{site.observation_pk}/"),
        ("attestation", f"/attestations/{site.statement_slug}/"),
    ]


def _assessor_pages(site: Site) -> list[tuple[str, str]]:
    trainee = f"/assessment/trainees/{site.demo_trainee_pk}/"
    return [
        ("assessment home", "/assessment/"),
        ("assessed trainee", trainee),
        ("observation form", f"{trainee}checklists/{site.checklist_slug}/observe/"),
        ("observation", f"/assessment/observations/{site.observation_pk}/"),
        ("marking queue", "/assessment/marking/"),
        ("marking an answer", f"/assessment/marking/answers/{site.written_answer_pk}/"),
    ]


def _manager_pages(site: Site) -> list[tuple[str, str]]:
    return [
        ("manager home", "/manager/"),
        ("reports overview", "/reports/"),
        ("trainees table", "/reports/trainees/"),
        ("trainee drill-down", f"/reports/trainees/{site.trainee_pk}/"),
        ("trainee cpd record", f"/certificates/cpd/trainees/{site.trainee_pk}/"),
        ("cohorts", "/reports/cohorts/"),
        ("cohort page and invitations", f"/reports/cohorts/{site.cohort.slug}/"),
        ("quiz reports", "/reports/quizzes/"),
        ("quiz report", f"/reports/quizzes/{site.quiz.pk}/"),
        ("question analysis", f"/reports/quizzes/{site.quiz.pk}/questions/"),
        ("revoke", f"/certificates/{site.code}/revoke/"),
        ("observation outcome", f"/assessment/observations/{site.observation_pk}/"),
    ]


def _educator_pages(site: Site) -> list[tuple[str, str]]:
    return [
        ("educator home", "/educator/"),
        ("quiz reports", "/reports/quizzes/"),
        ("question analysis", f"/reports/quizzes/{site.quiz.pk}/questions/"),
        ("quiz preview", f"/quizzes/{site.quiz.slug}/preview/"),
        ("quiz import", f"/admin/quizzes/quiz/{site.quiz.pk}/import-questions/"),
    ]


def _check_educator(page, role: str, site: Site, findings: Findings) -> None:
    _visit_all(page, role, _educator_pages(site), findings)
    # The item-quality panel the project adds to the admin's quiz page (the rest is Django's).
    page.goto(f"/admin/quizzes/quiz/{site.quiz.pk}/change/")
    _axe(page, role, "item quality panel", findings, context=".field-item_quality")


def test_every_page_of_every_role_has_no_serious_axe_findings(browser, live_server):
    site = _build_site()
    findings = Findings()

    # Anonymous.
    page = _new_page(browser, live_server)
    _visit_all(
        page,
        "anonymous",
        [
            ("home", "/"),
            ("login", "/accounts/login/"),
            ("password reset", "/accounts/password_reset/"),
            ("verification form", "/certificates/verify/"),
            ("verification by code", f"/certificates/verify/{site.code}/"),
            ("join page", f"/reports/join/{site.join_code}/"),
            ("404", "/no-such-page/"),
        ],
        findings,
    )
    page.goto("/certificates/verify/")
    page.get_by_label("Paste a credential").fill(site.credential)
    page.get_by_role("button", name="Check the credential").click()
    _axe(page, "anonymous", "verification by pasted credential", findings)
    page.context.close()

    # Trainee: desktop, then the main pages at 390 px.
    page = _new_page(browser, live_server)
    log_in(page, "trainee", settings.DEMO_PASSWORD)
    _visit_all(
        page,
        "trainee",
        [
            ("home", "/"),
            *_trainee_main_pages(site),
            ("lessons", "/lessons/"),
            ("quizzes", "/quizzes/"),
            ("quiz history", f"/quizzes/{site.quiz.slug}/history/"),
            ("practice result", f"/quizzes/attempts/{site.practice.uuid}/result/"),
            ("program", f"/certificates/programs/{PROGRAM}/"),
            ("cpd entry form", "/certificates/cpd/entries/add/"),
            ("invitation", f"/reports/invitations/{site.invitation_token}/"),
            ("my observations", "/assessment/mine/"),
            ("my attestations", "/attestations/"),
            ("403", "/reports/"),
        ],
        findings,
    )
    page.set_viewport_size(NARROW)
    for name, url in _trainee_main_pages(site):
        page.goto(url)
        _no_horizontal_scroll(page, "trainee", name, findings)
        _axe(page, "trainee", f"{name} at 390 px", findings)
    page.context.close()

    # Educator.
    page = _new_page(browser, live_server)
    log_in(page, "educator", settings.DEMO_PASSWORD)
    _check_educator(page, "educator", site, findings)
    page.context.close()

    # Assessor: desktop, then the same pages at 390 px (assessors observe on a phone).
    page = _new_page(browser, live_server)
    log_in(page, "assessor", settings.DEMO_PASSWORD)
    _visit_all(page, "assessor", [("home", "/"), *_assessor_pages(site)], findings)
    page.set_viewport_size(NARROW)
    for name, url in _assessor_pages(site):
        page.goto(url)
        _no_horizontal_scroll(page, "assessor", name, findings)
        _axe(page, "assessor", f"{name} at 390 px", findings)
    page.context.close()

    # Manager.
    page = _new_page(browser, live_server)
    log_in(page, "manager", settings.DEMO_PASSWORD)
    _visit_all(page, "manager", [("home", "/"), *_manager_pages(site)], findings)
    page.context.close()

    # Superuser.
    page = _new_page(browser, live_server)
    log_in(page, "admin", settings.DEMO_PASSWORD)
    _visit_all(page, "superuser", [("home", "/"), *_manager_pages(site)], findings)
    _check_educator(page, "superuser", site, findings)
    page.context.close()

    print("\naxe pages checked per role:", dict(findings.pages))
    print("axe violations by impact:", {impact: findings.impacts[impact] for impact in IMPACTS})
    for line in findings.known:
        print("KNOWN, not fixed yet:", line)
    for line in findings.blocking + findings.overflow:
        print("FAILING:", line)
    assert findings.blocking == []
    assert findings.overflow == []


def test_keyboard_focus_is_visible_on_the_trainee_dashboard(browser, live_server):
    trainee = make_trainee(username="tara", first_name="Tara", last_name="Trainee")
    assign(trainee, make_program(lessons=1, quizzes=1))
    # An open invitation puts buttons (accept, decline) on the dashboard.
    make_invitation(cohort=make_cohort(name="Harbour Clinic"), user=trainee)
    page = _new_page(browser, live_server)
    log_in(page, "tara", TEST_PASSWORD)
    page.goto("/me/")
    seen = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const el = document.activeElement;
                const style = getComputedStyle(el);
                return {
                    tag: el.tagName.toLowerCase(),
                    outline: style.outlineStyle === "none" ? "none" : style.outlineWidth,
                    shadow: style.boxShadow,
                };
            }"""
        )
        if focused["tag"] not in ("a", "button"):
            continue
        visible = focused["outline"] not in ("none", "0px") or focused["shadow"] != "none"
        assert visible, focused
        seen.add(focused["tag"])
        if seen == {"a", "button"}:
            break
    assert seen == {"a", "button"}
    page.context.close()
