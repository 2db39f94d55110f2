"""Stored XSS: script payloads in every editable text field stay inert wherever they show.

Educators' fields (lesson, topic, question, choice, quiz, program), a manager's cohort
name, trainees' names (typed, and imported from CSV through the real views) and the
certificate holder's name all carry payloads. Every page, report, chart, CSV export,
admin page and the certificate PDF is fetched, and no payload appears unescaped.
"""

import base64
import csv
import io
import re
import zlib
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from quizzes import services
from quizzes.models import Choice, Question
from tests.hardening.conftest import build_question, build_quiz

PAYLOADS = [
    '<script>alert("x1")</script>',
    '<img src=x onerror=alert("x2")>',
    "<a href=\"javascript:alert('x3')\">x3</a>",
    '<svg onload=alert("x4")>',
    '"><script>alert("x5")</script>',
    "'><img src=x onerror=alert(6)>",
    "&lt;script&gt;alert(7)&lt;/script&gt;",
    '<iframe srcdoc="<script>alert(8)</script>">',
]
SHORT = PAYLOADS[:6]  # each under 40 characters, for short name fields
ALL = " ".join(PAYLOADS)


class ActiveContent(HTMLParser):
    """Collect what a browser would run: handlers, javascript: URLs, inline scripts, frames."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag in ("iframe", "frame", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or name == "srcdoc":
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction", "xlink:href", "data"):
                if value.replace("\t", "").replace("\n", "").startswith("javascript:"):
                    self.found.append(f"<{tag} {name}=javascript:...>")
        self._in_script = tag == "script" and not dict(attrs).get("src")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"inline script {data.strip()[:40]!r}")


def active_content(body: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(body)
    parser.close()
    return parser.found


# How the first payloads look once escaped: proof that they reached the page as text.
ESCAPED = ["&lt;script&gt;alert(", "&lt;img src=x onerror=", "&lt;svg onload=", "&lt;a href="]
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)"]
PDF_FORBIDDEN = [b"/JavaScript", b"/JS ", b"/Launch", b"/OpenAction", b"/AA ", b"/URI"]


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig", "replace")
    return response.content.decode("utf-8", "replace")


def _pdf_streams(raw: bytes) -> list[bytes]:
    """The PDF's content streams, undoing reportlab's ASCII85 and Flate encodings."""
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", raw, re.S):
        data = stream.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data[:-2], ignorechars=b" \t\n\r\x0b")
        try:
            out.append(zlib.decompress(data))
        except zlib.error:
            out.append(data)
    return out


def _problems(label: str, body: str) -> list[str]:
    found = [f"{label}: raw payload {p!r}" for p in PAYLOADS if p in body]
    found += [f"{label}: {m}" for m in active_content(body)]
    return found


@pytest.fixture
def xss_world(world):
    w = world
    w.topic.title = f"Topic {SHORT[0]}"
    w.topic.description = ALL
    w.topic.save()
    w.lesson.title = f"Lesson {SHORT[1]}"
    w.lesson.summary = ALL
    w.lesson.objectives = ALL
    w.lesson.body_markdown = f"# Body\n\n{ALL}\n\n[link](javascript:alert('x9'))\n"
    w.lesson.save()
    w.program.name = f"Program {SHORT[2]}"
    w.program.description = ALL
    w.program.save()
    w.cohort_a.name = f"Cohort {SHORT[3]}"
    w.cohort_a.save()
    w.trainee.first_name = SHORT[4]
    w.trainee.last_name = SHORT[5]
    w.trainee.save()
    questions = [
        build_question(
            key=f"xss-{i}",
            topic=w.topic,
            prompt=f"Prompt {ALL}",
            explanation=f"Explanation {ALL}",
            choices=[(f"{PAYLOADS[(i + j) % len(PAYLOADS)]}", j == 0) for j in range(3)],
        )
        for i in range(2)
    ]
    Choice.objects.filter(question__in=questions).update(feedback=f"Feedback {ALL}")
    quiz = build_quiz(
        slug="xss-quiz",
        topic=w.topic,
        questions=questions,
        title=f"Quiz {SHORT[0]}",
        description=ALL,
    )
    w.program.required_quizzes.add(quiz)
    submitted = services.attempt_start(user=w.trainee, quiz=quiz)
    submitted = services.attempt_submit(attempt=submitted)
    open_attempt = services.attempt_start(user=w.trainee, quiz=quiz)
    w.certificate.holder_name = f"{SHORT[0]} {SHORT[1]}"[:200]
    w.certificate.save()
    return w, quiz, submitted, open_attempt


def _csv_import(client, cohort):
    rows = [("first_name", "last_name", "email")]
    rows += [(p, "Imported", f"x{i}@example.com") for i, p in enumerate(SHORT)]
    rows += [(f, "Formula", f"f{i}@example.com") for i, f in enumerate(FORMULAS)]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    data = buffer.getvalue().encode()
    url = reverse("cohorts:import", kwargs={"slug": cohort.slug})
    preview = client.post(url, {"file": SimpleUploadedFile("t.csv", data, "text/csv")})
    assert preview.status_code == 200
    confirm = client.post(
        reverse("cohorts:import_confirm", kwargs={"slug": cohort.slug}),
        {"csv_text": data.decode()},
    )
    assert confirm.status_code == 302
    return preview


def test_payloads_are_inert_everywhere(xss_world):
    w, quiz, submitted, open_attempt = xss_world
    clients = {}
    for persona in ("trainee", "manager", "educator", "superuser"):
        clients[persona] = Client()
        clients[persona].force_login(getattr(w, persona))
    anonymous = Client()
    problems: list[str] = []
    shown: set[str] = set()
    fetched = 0

    def check(persona, url, response=None, expect=200, html=True):
        nonlocal fetched
        client = anonymous if persona == "anonymous" else clients[persona]
        response = response or client.get(url)
        fetched += 1
        assert response.status_code == expect, f"{url} as {persona}: {response.status_code}"
        body = _text(response)
        if html:
            problems.extend(_problems(f"{url} as {persona}", body))
            if any(escaped in body for escaped in ESCAPED):
                shown.add(url)
        else:  # a download: never rendered by the browser, whatever it holds
            assert response["Content-Disposition"].startswith("attachment;")
            assert response["Content-Type"].startswith("text/csv")
        return body

    preview = _csv_import(clients["manager"], w.cohort_a)
    check("manager", "import preview", preview)
    imported = get_user_model().objects.filter(email="x0@example.com").get()
    assert imported.first_name == SHORT[0]  # stored as typed, escaped on output

    cert = w.certificate.display_code
    trainee_pages = [
        reverse("trainee_home"),
        reverse("lessons:index"),
        reverse("lessons:detail", kwargs={"slug": w.lesson.slug}),
        reverse("quizzes:index"),
        reverse("quizzes:detail", kwargs={"slug": quiz.slug}),
        reverse("quizzes:history", kwargs={"slug": quiz.slug}),
        reverse("quizzes:attempt", kwargs={"uuid": open_attempt.uuid}),
        reverse("quizzes:result", kwargs={"uuid": submitted.uuid}),
        reverse("certificates:program", kwargs={"slug": w.program.slug}),
        reverse("certificates:detail", kwargs={"code": cert}),
    ]
    for url in trainee_pages:
        check("trainee", url)
    check("anonymous", reverse("certificates:verify", kwargs={"code": cert}))

    report_pages = [
        reverse("reports:overview"),
        reverse("reports:trainees"),
        reverse("reports:trainees") + "?q=Imported",
        reverse("reports:trainee", kwargs={"pk": w.trainee.pk}),
        reverse("reports:trainee", kwargs={"pk": imported.pk}),
        reverse("cohorts:list"),
        reverse("cohorts:detail", kwargs={"slug": w.cohort_a.slug}),
        reverse("reports:quizzes"),
        reverse("reports:quiz", kwargs={"pk": quiz.pk}),
        reverse("reports:questions", kwargs={"pk": quiz.pk}),
    ]
    for url in report_pages:
        check("manager", url)
    for url in report_pages[-3:]:
        check("educator", url)

    # CSV exports: no markup problem, and no cell a spreadsheet would run as a formula.
    exports = [
        reverse("reports:overview_export"),
        reverse("reports:trainees_export"),
        reverse("reports:trainee_attempts_export", kwargs={"pk": w.trainee.pk}),
        reverse("reports:quiz_export", kwargs={"pk": quiz.pk}),
        reverse("reports:questions_export", kwargs={"pk": quiz.pk}),
    ]
    formula_cells = []
    for url in exports:
        body = check("manager", url, html=False)
        for row in csv.reader(io.StringIO(body)):
            formula_cells += [(url, cell) for cell in row if cell[:1] in ("=", "+", "-", "@")]
    assert formula_cells == []
    assert "'=HYPERLINK" in check("manager", reverse("reports:trainees_export"), html=False)

    admin_pages = [
        reverse("admin:lessons_topic_changelist"),
        reverse("admin:lessons_topic_change", args=[w.topic.pk]),
        reverse("admin:lessons_lesson_changelist"),
        reverse("admin:lessons_lesson_change", args=[w.lesson.pk]),
        reverse("admin:lessons_lesson_preview", args=[w.lesson.pk]),
        reverse("admin:quizzes_question_changelist"),
        reverse("admin:quizzes_question_change", args=[Question.objects.get(key="xss-0").pk]),
        reverse("admin:quizzes_quiz_changelist"),
        reverse("admin:quizzes_quiz_change", args=[quiz.pk]),
        reverse("admin:quizzes_program_changelist"),
        reverse("admin:quizzes_program_change", args=[w.program.pk]),
        reverse("authoring:quiz_preview", kwargs={"slug": quiz.slug}),
        reverse("admin:quizzes_attempt_changelist"),
        reverse("admin:quizzes_attempt_change", args=[submitted.pk]),
    ]
    for url in admin_pages:
        check("educator", url)
        check("superuser", url)
    for url in [
        reverse("admin:quizzes_cohort_changelist"),
        reverse("admin:quizzes_cohort_change", args=[w.cohort_a.pk]),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_change", args=[w.trainee.pk]),
        reverse("admin:quizzes_certificate_changelist"),
        reverse("admin:quizzes_certificate_change", args=[w.certificate.pk]),
        reverse("admin:index"),
        reverse("admin:trainingsite_auditevent_changelist"),
    ]:
        check("superuser", url)

    # The certificate PDF: no active content, and the holder's name as literal text.
    pdf = clients["trainee"].get(reverse("certificates:download", kwargs={"code": cert}))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    raw = pdf.content
    assert [marker for marker in PDF_FORBIDDEN if marker in raw] == []
    text = b" ".join(_pdf_streams(raw))
    assert b"alert" in text and b"onerror=alert" in text  # drawn as plain letters

    # The payloads did reach these pages, as text.
    must_show = {
        *trainee_pages,
        reverse("certificates:verify", kwargs={"code": cert}),
        *report_pages[:2],
        *report_pages[3:],
        *admin_pages,
    }
    assert sorted(must_show - shown) == []
    print(f"\nstored XSS: {fetched} responses checked for {len(PAYLOADS)} payloads")
    assert problems == []
