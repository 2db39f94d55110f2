"""axe-core on every page each role reaches, at a desktop width and again at 390 px (where no
page may scroll sideways), and visible keyboard focus from the skip link through the navbar and
the user menu to the page.

axe-core comes inside the axe-playwright-python wheel and is injected into each page; the
contexts bypass the Content-Security-Policy so the policy stays as strict as in production.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from quizzes import services
from quizzes.api.services import api_token_create
from quizzes.certification.services import certificate_issue_if_complete
from quizzes.cohorts.tokens import join_code_format
from quizzes.models import (
    Attempt,
    Bank,
    Certificate,
    Cohort,
    Credential,
    Program,
    Quiz,
    WebhookDelivery,
    WebhookEvent,
)
from quizzes.practice.services import attempt_is_immediate, practice_answer_check
from quizzes.webhooks.services import endpoint_create
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
from tests.e2e.axe import BLOCKING, IMPACTS, NARROW, axe_violations, violation_line
from tests.e2e.conftest import BROWSER_TIMEOUT_MS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRAM = "bleeding-management-foundation"

# Pages with serious or critical findings not fixed yet: (role, page name) -> why.
# Printed by the test; every other page must have none.
KNOWN: dict[tuple[str, str], str] = {}

# Pages that still scroll sideways at 390 px: (role, page name) -> why. Printed by the test,
# and printed again once they no longer overflow, so that the entry is removed.
KNOWN_OVERFLOW: dict[tuple[str, str], str] = {}


@dataclass
class Findings:
    pages: Counter = field(default_factory=Counter)
    impacts: Counter = field(default_factory=Counter)
    blocking: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)
    known_overflow: list[str] = field(default_factory=list)
    fixed_overflow: list[str] = field(default_factory=list)


def _axe(page, role: str, name: str, findings: Findings, context: str | None = None) -> None:
    findings.pages[role] += 1
    for violation in axe_violations(page, context):
        findings.impacts[violation["impact"]] += 1
        if violation["impact"] in BLOCKING:
            line = f"{role} {name} ({page.url}): {violation_line(violation)}"
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


def _visit_narrow(page, role: str, pages: list[tuple[str, str]], findings: Findings) -> None:
    """The same pages again at 390 px, in the same signed-in context: no sideways scroll, axe."""
    page.set_viewport_size(NARROW)
    for name, url in pages:
        response = page.goto(url)
        assert response.status == (int(name) if name in ("403", "404") else 200), (role, url)
        _check_narrow(page, role, name, findings)


def _check_narrow(page, role: str, name: str, findings: Findings) -> None:
    before = len(findings.overflow)
    _no_horizontal_scroll(page, role, name, findings)
    if (role, name) in KNOWN_OVERFLOW:
        if len(findings.overflow) == before:
            findings.fixed_overflow.append(f"{role} {name}")
        findings.known_overflow.extend(findings.overflow[before:])
        del findings.overflow[before:]
    _axe(page, role, f"{name} at 390 px", findings)


def _new_page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, **options)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
    return context.new_page()


def _answer(attempt: Attempt, *, wrong_first: bool = False) -> Attempt:
    """Answer every question (the first wrongly if asked) and submit.

    An immediate-feedback attempt (a topic quiz, a mistakes round) is answered as its page
    does, by checking each question; any other by saving the answers.
    """
    answers = {}
    for index, question in enumerate(attempt.paper["questions"]):
        pick = wrong_ids if wrong_first and index == 0 else correct_ids
        answers[question["id"]] = pick(question)
    if attempt_is_immediate(attempt):
        for question_id, choice_ids in answers.items():
            practice_answer_check(attempt=attempt, question_id=question_id, choice_ids=choice_ids)
    else:
        services.attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence)
    return services.attempt_submit(attempt=attempt)


@dataclass
class Site:
    quiz: Quiz
    other_quiz: Quiz
    open_attempt: Attempt
    open_practice: Attempt
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
    # The webhook endpoint each of the demo's manager and superuser owns, by username.
    webhook_endpoints: dict[str, int]


def _first_to_start(users: list, quiz: Quiz) -> tuple:
    for user in users:
        try:
            return user, services.attempt_start(user=user, quiz=quiz)
        except services.AttemptRefused:
            continue
    raise AssertionError(f"no demo trainee may start {quiz}")


def _integrations_for(user) -> int:
    """An API token and a webhook endpoint with deliveries (a success, a long failure)."""
    api_token_create(owner=user, name=f"HR system of {user.get_username()}", expires_at=None)
    with override_settings(WEBHOOKS_ALLOW_PRIVATE_ADDRESSES=True):
        endpoint = endpoint_create(
            owner=user,
            url=f"http://127.0.0.1:9/hooks/{user.get_username()}/a-rather-long-path/for-narrow",
            events=[WebhookEvent.CERTIFICATE_ISSUED, WebhookEvent.TRAINEE_OVERDUE],
        )
    now = timezone.now()
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type=WebhookEvent.TEST,
        event_id="6f1d8a52-0000-4000-8000-000000000001",
        payload={},
        status=WebhookDelivery.Status.SUCCEEDED,
        attempts=1,
        last_status_code=200,
        delivered_at=now,
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type=WebhookEvent.CERTIFICATE_ISSUED,
        event_id="6f1d8a52-0000-4000-8000-000000000002",
        payload={},
        attempts=3,
        last_status_code=503,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused by the receiver",
        next_attempt_at=now + timedelta(hours=1),
    )
    return endpoint.pk


def _build_site() -> Site:
    """The shipped demo, with the demo trainee certified and mid-way through another quiz."""
    call_command("setup_demo", verbosity=0)
    trainee = get_user_model().objects.get(username="trainee")
    program = Program.objects.get(slug=PROGRAM)
    do_everything(trainee, program, at=timezone.now() - timedelta(days=2))
    # The attempts before the certificate: once certified, its quizzes are not retaken.
    quizzes = list(program.required_quizzes.order_by("order"))
    quiz, other_quiz = quizzes[0], quizzes[1]
    graded = _answer(services.attempt_start(user=trainee, quiz=quiz), wrong_first=True)
    practice = _answer(services.practice_start_from_mistakes(user=trainee, quiz=quiz))
    # The attempt page proper: the final assessment (an exam, deferred feedback, timed).
    exam = program.required_quizzes.get(bank=Bank.EXAM)
    open_attempt = services.attempt_start(user=trainee, quiz=exam)
    # A topic quiz gives immediate feedback: its page mid-way, one question checked (wrong).
    open_practice = services.attempt_start(user=trainee, quiz=other_quiz)
    first = open_practice.paper["questions"][0]
    practice_answer_check(
        attempt=open_practice, question_id=first["id"], choice_ids=wrong_ids(first)
    )
    assessor = get_user_model().objects.get(username="assessor")
    checklist = program.required_checklists.get()
    statement = program.required_attestations.get()
    attest(trainee, statement)
    observation = observe(trainee, checklist, assessor=assessor)
    certificate = certificate_issue_if_complete(
        user=trainee, program=program
    ) or Certificate.objects.get(user=trainee, program=program)
    cohort = Cohort.objects.exclude(join_code=None).first()
    other_cohort = Cohort.objects.create(name="Harbour Clinic", slug="harbour", join_code=None)
    _, token = make_invitation(cohort=other_cohort, user=trainee)
    # A pending invitation, so the manager's cohort page lists one.
    make_invitation(cohort=cohort, user=make_trainee(username="newcomer"))
    # A case study awaiting marking, for the marking pages, by the first member who may start
    # it (not one who is certified already, nor one short of its prerequisites).
    cases = program.required_quizzes.get(hand_marked=True)
    member, waiting = _first_to_start(
        [m.user for m in cohort.memberships.exclude(user=trainee).order_by("pk")], cases
    )
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
        open_practice=open_practice,
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
        webhook_endpoints={
            username: _integrations_for(get_user_model().objects.get(username=username))
            for username in ("manager", "admin")
        },
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


def _integration_pages(site: Site, username: str) -> list[tuple[str, str]]:
    return [
        ("api tokens", "/integrations/tokens/"),
        ("api token form", "/integrations/tokens/new/"),
        ("webhooks", "/integrations/webhooks/"),
        ("webhook form", "/integrations/webhooks/new/"),
        ("webhook endpoint", f"/integrations/webhooks/{site.webhook_endpoints[username]}/"),
    ]


def _educator_pages(site: Site) -> list[tuple[str, str]]:
    return [
        ("educator home", "/educator/"),
        ("quiz reports", "/reports/quizzes/"),
        ("question analysis", f"/reports/quizzes/{site.quiz.pk}/questions/"),
        ("quiz preview", f"/quizzes/{site.quiz.slug}/preview/"),
        ("quiz import", f"/admin/quizzes/quiz/{site.quiz.pk}/import-questions/"),
    ]


def _check_educator(page, role: str, site: Site, findings: Findings, *, narrow=False) -> None:
    pages = _educator_pages(site)
    (_visit_narrow if narrow else _visit_all)(page, role, pages, findings)
    # The item-quality panel the project adds to the admin's quiz page (the rest is Django's).
    page.goto(f"/admin/quizzes/quiz/{site.quiz.pk}/change/")
    _axe(
        page,
        role,
        f"item quality panel{' at 390 px' if narrow else ''}",
        findings,
        context=".field-item_quality",
    )


def _anonymous_pages(site: Site) -> list[tuple[str, str]]:
    return [
        ("home", "/"),
        ("login", "/accounts/login/"),
        ("password reset", "/accounts/password_reset/"),
        ("password reset sent", "/accounts/password_reset/done/"),
        ("password set", "/accounts/reset/done/"),
        ("verification form", "/certificates/verify/"),
        ("verification by code", f"/certificates/verify/{site.code}/"),
        ("join page", f"/reports/join/{site.join_code}/"),
        ("404", "/no-such-page/"),
    ]


def _trainee_pages(site: Site) -> list[tuple[str, str]]:
    return [
        ("home", "/"),
        *_trainee_main_pages(site),
        ("lessons", "/lessons/"),
        ("quizzes", "/quizzes/"),
        ("quiz history", f"/quizzes/{site.quiz.slug}/history/"),
        ("practice result", f"/quizzes/attempts/{site.practice.uuid}/result/"),
        ("immediate feedback", f"/quizzes/attempts/{site.open_practice.uuid}/practice/"),
        ("program", f"/certificates/programs/{PROGRAM}/"),
        ("cpd entry form", "/certificates/cpd/entries/add/"),
        ("invitation", f"/reports/invitations/{site.invitation_token}/"),
        ("my observations", "/assessment/mine/"),
        ("my attestations", "/attestations/"),
        # The demo trainee has reviews due (setup_demo): the count and the Start button.
        ("review", "/review/"),
        ("change password", "/accounts/password_change/"),
        ("403", "/reports/"),
    ]


def _check_pasted_credential(page, site: Site, findings: Findings, *, narrow=False) -> None:
    page.goto("/certificates/verify/")
    page.get_by_label("Paste a credential").fill(site.credential)
    page.get_by_role("button", name="Check the credential").click()
    name = "verification by pasted credential"
    if narrow:
        _check_narrow(page, "anonymous", name, findings)
    else:
        _axe(page, "anonymous", name, findings)


def test_every_page_of_every_role_has_no_serious_axe_findings(browser, live_server):
    """Every page each role reaches, at 1280 px and then at 390 px in the same context."""
    site = _build_site()
    findings = Findings()

    # Anonymous.
    page = _new_page(browser, live_server)
    _visit_all(page, "anonymous", _anonymous_pages(site), findings)
    _check_pasted_credential(page, site, findings)
    _visit_narrow(page, "anonymous", _anonymous_pages(site), findings)
    _check_pasted_credential(page, site, findings, narrow=True)
    page.context.close()

    # Trainee.
    page = _new_page(browser, live_server)
    log_in(page, "trainee", settings.DEMO_PASSWORD)
    _visit_all(page, "trainee", _trainee_pages(site), findings)
    _visit_narrow(page, "trainee", _trainee_pages(site), findings)
    page.context.close()

    # Educator.
    page = _new_page(browser, live_server)
    log_in(page, "educator", settings.DEMO_PASSWORD)
    _check_educator(page, "educator", site, findings)
    _check_educator(page, "educator", site, findings, narrow=True)
    page.context.close()

    # Assessor (assessors observe on a phone).
    page = _new_page(browser, live_server)
    log_in(page, "assessor", settings.DEMO_PASSWORD)
    pages = [("home", "/"), *_assessor_pages(site)]
    _visit_all(page, "assessor", pages, findings)
    _visit_narrow(page, "assessor", pages, findings)
    page.context.close()

    # Manager.
    page = _new_page(browser, live_server)
    log_in(page, "manager", settings.DEMO_PASSWORD)
    pages = [("home", "/"), *_manager_pages(site)]
    _visit_all(page, "manager", [*pages, *_integration_pages(site, "manager")], findings)
    _visit_narrow(page, "manager", [*pages, *_integration_pages(site, "manager")], findings)
    page.context.close()

    # Superuser.
    page = _new_page(browser, live_server)
    log_in(page, "admin", settings.DEMO_PASSWORD)
    pages = [*pages, *_integration_pages(site, "admin")]
    _visit_all(page, "superuser", pages, findings)
    _check_educator(page, "superuser", site, findings)
    _visit_narrow(page, "superuser", pages, findings)
    _check_educator(page, "superuser", site, findings, narrow=True)
    page.context.close()

    print("\naxe pages checked per role:", dict(findings.pages))
    print("axe violations by impact:", {impact: findings.impacts[impact] for impact in IMPACTS})
    for line in findings.known:
        print("KNOWN, not fixed yet:", line)
    for line in findings.known_overflow:
        print("KNOWN overflow at 390 px, not fixed yet:", line)
    for line in findings.fixed_overflow:
        print("FIXED, remove from KNOWN_OVERFLOW:", line)
    for line in findings.blocking + findings.overflow:
        print("FAILING:", line)
    assert findings.blocking == []
    assert findings.overflow == []


FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(),
        text: (el.textContent || "").trim().slice(0, 40),
        href: el.getAttribute("href"),
        inNavbar: el.closest(".site-navbar") !== null,
        inMenu: el.closest(".dropdown-menu") !== null,
        outline: style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth),
        onScreen: box.width > 1 && box.height > 1 && box.top >= 0 && box.left >= 0,
    };
}"""


def _tab(page) -> dict:
    page.keyboard.press("Tab")
    return page.evaluate(FOCUSED)


def _assert_visible_focus(focused: dict) -> None:
    # A real outline (site.css draws 3 px); Bootstrap's faint navbar shadow does not count.
    assert focused["outline"] >= 2, focused
    assert focused["onScreen"] is True, focused


def test_keyboard_focus_is_visible_from_the_skip_link_through_the_navbar_and_user_menu(
    browser, live_server
):
    trainee = make_trainee(username="tara", first_name="Tara", last_name="Trainee")
    assign(trainee, make_program(lessons=1, quizzes=1))
    # An open invitation puts buttons (accept, decline) on the dashboard.
    make_invitation(cohort=make_cohort(name="Harbour Clinic"), user=trainee)
    page = _new_page(browser, live_server)
    log_in(page, "tara", TEST_PASSWORD)
    page.goto("/me/")

    # The first Tab shows the skip link; following it puts focus on the main content.
    skip = _tab(page)
    assert (skip["href"], skip["text"]) == ("#main", "Skip to main content")
    _assert_visible_focus(skip)

    # Then the navbar: the brand, every role link and the user menu, each with a visible ring.
    navbar = []
    focused = _tab(page)
    while focused["inNavbar"]:
        _assert_visible_focus(focused)
        navbar.append(focused["text"])
        if focused["text"] == "Tara Trainee":
            break
        focused = _tab(page)
    assert navbar[:2] == ["Bleeding management training", "My training"], navbar
    assert navbar[-1] == "Tara Trainee", navbar

    # The user menu opens from the keyboard and its entries show focus too.
    page.keyboard.press("Enter")
    menu = []
    for _ in range(2):
        page.keyboard.press("ArrowDown")
        focused = page.evaluate(FOCUSED)
        assert focused["inMenu"] is True, focused
        _assert_visible_focus(focused)
        menu.append(focused["text"])
    assert menu == ["Change password", "Log out"]
    page.keyboard.press("Escape")

    # The skip link moves focus past the navbar, and the page's own links and buttons show it.
    page.goto("/me/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    seen = set()
    for _ in range(40):
        focused = _tab(page)
        assert focused["inNavbar"] is False, focused
        if focused["tag"] not in ("a", "button"):
            continue
        _assert_visible_focus(focused)
        seen.add(focused["tag"])
        if seen == {"a", "button"}:
            break
    assert seen == {"a", "button"}
    page.context.close()
