"""No response a trainee can get before submitting shows which answer is right.

Every question and choice carries a unique explanation and feedback text; every
response the trainee can reach while the attempt is open (pages, autosave JSON,
error answers, the confirm page, the practice flow, the page's own scripts) is
scanned for those texts and for correct-answer markers. The same scan run on the
result page after submitting finds the explanations, so the scan can fail.
"""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from quizzes.marking.services import answer_mark
from quizzes.models import Attempt, Question, Quiz
from tests.hardening.conftest import build_question, build_quiz

SECRET = "SECRET{n}"
MARKERS = re.compile(
    r"is_correct|data-correct|\"correct\"\s*:|'correct'\s*:|correct-answer|answer-correct"
    r"|class=\"[^\"]*\bcorrect\b|SECRET\d+",
    re.IGNORECASE,
)
SCRIPT_SRC = re.compile(r'<script[^>]+src="([^"]+)"')


def _secret_quiz(topic, slug: str, start: int) -> Quiz:
    questions = []
    n = start
    for i in range(3):
        question = build_question(
            key=f"{slug}-{i}",
            topic=topic,
            explanation=f"Because {SECRET.format(n=n)} explains it.",
            choices=[(f"Option {slug} {i}-{j}", j == 0) for j in range(3)],
        )
        n += 1
        for choice in question.choices.all():
            choice.feedback = f"Feedback {SECRET.format(n=n)}."
            choice.save(update_fields=["feedback"])
            n += 1
        questions.append(question)
    return build_quiz(slug=slug, topic=topic, questions=questions, title=f"Leak test {slug}")


def leaks(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return MARKERS.findall(body.decode("utf-8", "replace"))


class Scanner:
    """Fetch as the trainee, remember every response, collect every leak."""

    def __init__(self, client: Client):
        self.client = client
        self.found: dict[str, list[str]] = {}
        self.scripts: set[str] = set()
        self.count = 0

    def check(self, label: str, response):
        self.count += 1
        assert response.status_code < 500, label
        hits = leaks(response)
        if hits:
            self.found[label] = hits
        if not response.streaming:
            self.scripts |= set(SCRIPT_SRC.findall(response.content.decode("utf-8", "replace")))
        return response

    def get(self, url: str, **extra):
        return self.check(f"GET {url}", self.client.get(url, **extra))

    def post(self, url: str, data=None, **extra):
        return self.check(f"POST {url} {data}", self.client.post(url, data or {}, **extra))

    def scripts_too(self):
        for src in sorted(self.scripts):
            response = self.get(src)
            assert response.status_code == 200, src


JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def leak_world(world):
    quiz = _secret_quiz(world.topic, "leak-quiz", 1000)
    practice_quiz = _secret_quiz(world.topic, "leak-practice", 2000)
    return world, quiz, practice_quiz


def test_nothing_reveals_the_answers_before_submission(leak_world):
    world, quiz, practice_quiz = leak_world
    client = Client()
    client.force_login(world.trainee)
    scan = Scanner(client)

    # Start through the real view and read everything around the open attempt.
    scan.get(reverse("quizzes:detail", kwargs={"slug": quiz.slug}))
    response = scan.post(reverse("quizzes:start", kwargs={"slug": quiz.slug}))
    attempt = Attempt.objects.get(user=world.trainee, quiz=quiz)
    assert response["Location"] == reverse("quizzes:attempt", kwargs={"uuid": attempt.uuid})
    attempt_url = reverse("quizzes:attempt", kwargs={"uuid": attempt.uuid})
    save_url = reverse("quizzes:save", kwargs={"uuid": attempt.uuid})
    submit_url = reverse("quizzes:submit", kwargs={"uuid": attempt.uuid})
    first = attempt.paper["questions"][0]
    for url in (
        attempt_url,
        reverse("quizzes:detail", kwargs={"slug": quiz.slug}),
        reverse("quizzes:history", kwargs={"slug": quiz.slug}),
        reverse("quizzes:index"),
        reverse("trainee_home"),
        reverse("lessons:index"),
        reverse("lessons:detail", kwargs={"slug": world.lesson.slug}),
        reverse("certificates:program", kwargs={"slug": world.program.slug}),
    ):
        assert scan.get(url).status_code == 200, url
    # The result page of an open attempt sends back to the attempt.
    assert scan.get(reverse("quizzes:result", kwargs={"uuid": attempt.uuid})).status_code == 302

    # Autosave, as the page's script and as a form, right and wrong, then the errors.
    answer = {"sequence": "0", f"q-{first['id']}": "0"}
    saved = scan.post(save_url, answer, **JSON)
    assert saved.status_code == 200 and saved.json()["sequence"] == 1
    assert scan.post(save_url, {"sequence": "1", f"q-{first['id']}": "1"}).status_code == 302
    assert scan.get(attempt_url).status_code == 200  # with the saved choice checked
    assert scan.post(save_url, {"sequence": "0"}, **JSON).status_code == 409  # stale
    assert scan.post(save_url, {"sequence": "2", "q-999999": "0"}, **JSON).status_code == 400
    assert scan.post(save_url, {"sequence": "2", f"q-{first['id']}": "9"}).status_code == 400
    assert scan.post(save_url, {"sequence": "x"}).status_code == 400
    assert scan.get(save_url).status_code == 405
    # Submitting with questions unanswered asks to confirm first: still open.
    assert scan.post(submit_url, {"sequence": "2"}).status_code == 200
    assert scan.post(submit_url, {"sequence": "2", "answers": "1", "q-1": "x"}).status_code == 400
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS

    # The practice flow: a practice round of another quiz's mistakes is itself unsubmitted.
    scan.post(reverse("quizzes:start", kwargs={"slug": practice_quiz.slug}))
    graded = Attempt.objects.get(user=world.trainee, quiz=practice_quiz)
    wrong = {f"q-{q['id']}": "2" for q in graded.paper["questions"]}
    other_client = Client()
    other_client.force_login(world.trainee)
    other_client.post(
        reverse("quizzes:submit", kwargs={"uuid": graded.uuid}),
        {"sequence": "0", "answers": "1", "confirm": "1", **wrong},
    )  # not scanned: its result page rightly explains
    response = scan.post(
        reverse("quizzes:practice", kwargs={"slug": practice_quiz.slug}),
        {"source": str(graded.uuid)},
    )
    practice = Attempt.objects.get(
        user=world.trainee, quiz=practice_quiz, kind=Attempt.Kind.PRACTICE
    )
    assert practice.state == Attempt.State.IN_PROGRESS
    practice_url = reverse("quizzes:attempt", kwargs={"uuid": practice.uuid})
    assert response["Location"] == practice_url
    # A mistakes round gives immediate feedback: its page, with nothing checked yet.
    assert scan.get(practice_url).status_code == 302
    practice_round_url = reverse("practice:round", kwargs={"uuid": practice.uuid})
    assert scan.get(practice_round_url).status_code == 200
    practice_first = practice.paper["questions"][0]
    assert (
        scan.post(
            reverse("practice:check", kwargs={"uuid": practice.uuid}),
            {"question": str(practice_first["id"]), f"q-{practice_first['id']}": "9"},
            **JSON,
        ).status_code
        == 400
    )
    assert (
        scan.post(
            reverse("quizzes:save", kwargs={"uuid": practice.uuid}),
            {"sequence": "0", f"q-{practice_first['id']}": "0"},
            **JSON,
        ).status_code
        == 409
    )

    # Error pages the trainee can reach.
    assert (
        scan.get(reverse("quizzes:attempt", kwargs={"uuid": world.other_attempt.uuid})).status_code
        == 404
    )
    assert (
        scan.get(reverse("authoring:quiz_preview", kwargs={"slug": quiz.slug})).status_code == 403
    )
    assert scan.get("/quizzes/no-such-quiz/").status_code == 404

    scan.scripts_too()
    assert scan.scripts, "the attempt page loads its script"
    print(f"\nanswer leak: {scan.count} responses scanned, {len(scan.scripts)} scripts")
    assert scan.found == {}

    # The scan can fail: once submitted, the result page explains the answers.
    client.post(submit_url, {"sequence": "2", "confirm": "1"})
    result = client.get(reverse("quizzes:result", kwargs={"uuid": attempt.uuid}))
    assert result.status_code == 200
    assert any(hit.startswith("SECRET") for hit in leaks(result))


WRITTEN_SECRETS = re.compile(r"WRITTENSECRET-(?:model|guide)-\d+")


def test_written_answers_reveal_nothing_before_marking(world):
    """The model answer and marking guide (frozen on the paper) stay off the trainee's
    pages while the attempt is open and while it awaits marking; once marked, the result
    shows the model answer (full review), never the marking guide."""
    questions = []
    for n in range(2):
        questions.append(
            Question.objects.create(
                key=f"leak-written-{n}",
                kind=Question.Kind.WRITTEN,
                prompt=f"Written case {n}?",
                points=2,
                topic=world.topic,
                model_answer=f"WRITTENSECRET-model-{n}",
                marking_guide=f"WRITTENSECRET-guide-{n}",
            )
        )
    quiz = build_quiz(slug="leak-written", topic=world.topic, questions=questions, hand_marked=True)
    client = Client()
    client.force_login(world.trainee)
    found = {}

    def scan(label, response):
        assert response.status_code < 500, label
        body = response.content.decode("utf-8", "replace")
        if WRITTEN_SECRETS.findall(body):
            found[label] = WRITTEN_SECRETS.findall(body)
        return response

    scan("start", client.post(reverse("quizzes:start", kwargs={"slug": quiz.slug})))
    attempt = Attempt.objects.get(user=world.trainee, quiz=quiz)
    first, second = (q["id"] for q in attempt.paper["questions"])
    assert attempt.paper["questions"][0]["model_answer"].startswith("WRITTENSECRET-model")
    attempt_url = reverse("quizzes:attempt", kwargs={"uuid": attempt.uuid})
    save_url = reverse("quizzes:save", kwargs={"uuid": attempt.uuid})
    scan("attempt", client.get(attempt_url))
    saved = scan(
        "save", client.post(save_url, {"sequence": "0", f"q-{first}": "Pressure."}, **JSON)
    )
    assert saved.status_code == 200
    too_long = {"sequence": "1", f"q-{first}": "x" * 5001}
    assert scan("too long", client.post(save_url, too_long, **JSON)).status_code == 400
    assert scan("stale", client.post(save_url, {"sequence": "0"}, **JSON)).status_code == 409
    scan("attempt again", client.get(attempt_url))
    submit_url = reverse("quizzes:submit", kwargs={"uuid": attempt.uuid})
    scan("confirm", client.post(submit_url, {"sequence": "1"}))
    scan("submit", client.post(submit_url, {"sequence": "1", "confirm": "1"}))
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.MARKING
    result_url = reverse("quizzes:result", kwargs={"uuid": attempt.uuid})
    assert b"Awaiting marking" in scan("result", client.get(result_url)).content
    for url in (
        reverse("quizzes:detail", kwargs={"slug": quiz.slug}),
        reverse("quizzes:history", kwargs={"slug": quiz.slug}),
        reverse("quizzes:index"),
        reverse("trainee_home"),
    ):
        scan(url, client.get(url))
    assert found == {}

    # The scan can fail: marked, the result page shows the model answers.
    for answer in attempt.answers.all():
        answer_mark(marker=world.assessor, answer=answer, points=Decimal(2), feedback="")
    body = client.get(result_url).content.decode()
    assert "WRITTENSECRET-model-0" in body
    assert "WRITTENSECRET-guide" not in body
    assert second


def test_immediate_feedback_reveals_a_question_s_answer_only_once_it_is_checked(world):
    """Practice with immediate feedback: the page, a refused check and the other questions'
    cards carry no key; checking question 1 shows its explanation and feedback, and only its."""
    quiz = _secret_quiz(world.topic, "leak-immediate", 3000)
    quiz.practice_behaviour = Quiz.PracticeBehaviour.IMMEDIATE
    quiz.save(update_fields=["practice_behaviour"])
    client = Client()
    client.force_login(world.trainee)
    scan = Scanner(client)
    scan.post(reverse("quizzes:start", kwargs={"slug": quiz.slug}))
    attempt = Attempt.objects.get(user=world.trainee, quiz=quiz)
    round_url = reverse("practice:round", kwargs={"uuid": attempt.uuid})
    check_url = reverse("practice:check", kwargs={"uuid": attempt.uuid})
    first, second, third = attempt.paper["questions"]
    assert scan.get(reverse("quizzes:attempt", kwargs={"uuid": attempt.uuid})).status_code == 302
    assert scan.get(round_url).status_code == 200
    refused = [
        {"question": str(first["id"])},
        {"question": "999999", f"q-{first['id']}": "0"},
        {"question": str(first["id"]), f"q-{first['id']}": "9"},
        {"question": str(first["id"]), f"q-{second['id']}": "0"},
    ]
    for data in refused:
        assert scan.post(check_url, data, **JSON).status_code == 400
    retry_url = reverse("practice:retry", kwargs={"uuid": attempt.uuid})
    assert scan.post(retry_url, {"question": str(first["id"])}, **JSON).status_code == 409
    save_url = reverse("quizzes:save", kwargs={"uuid": attempt.uuid})
    assert scan.post(save_url, {"sequence": "0"}, **JSON).status_code == 409
    scan.scripts_too()
    assert any("practice.js" in src for src in scan.scripts)
    assert scan.found == {}

    # Checked, question 1's secrets appear; questions 2 and 3's never do.
    checked = client.post(check_url, {"question": str(first["id"]), f"q-{first['id']}": "1"})
    assert checked.status_code == 302
    page = client.get(round_url).content.decode()
    shown = set(re.findall(r"SECRET\d+", page))
    assert shown == {SECRET.format(n=n) for n in range(3000, 3004)}
