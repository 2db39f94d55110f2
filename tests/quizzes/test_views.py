"""The quiz pages end to end: list, quiz page, start, attempt, submit, result, practice."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lessons.models import LessonCompletion
from quizzes import services
from quizzes.models import Attempt, AttemptAnswer
from quizzes.rules import START_LIMIT_REACHED, START_PREREQUISITES
from quizzes.views import CLOSED_AT_TIME_LIMIT
from tests.builders import (
    EXPLANATION_MARK,
    FEEDBACK_MARK,
    correct_ids,
    correct_positions,
    make_bare_lesson,
    make_question,
    make_quiz,
    wrong_ids,
    wrong_positions,
)
from tests.quizzes.test_services import failed_attempt

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def start(client, quiz):
    response = client.post(reverse("quizzes:start", args=[quiz.slug]))
    assert response.status_code == 302
    return Attempt.objects.filter(quiz=quiz).order_by("-id").first()


def form_data(attempt, choose, sequence=None):
    """POST data as the attempt page sends it; `choose` maps paper index -> positions."""
    data = {"sequence": attempt.sequence if sequence is None else sequence, "answers": "1"}
    for index, positions in choose.items():
        q = attempt.paper["questions"][index]
        data[f"q-{q['id']}"] = [str(p) for p in positions]
    return data


def all_correct(attempt):
    return {i: correct_positions(q) for i, q in enumerate(attempt.paper["questions"])}


def selected(attempt):
    return dict(
        AttemptAnswer.objects.filter(attempt=attempt).values_list("question_id", "selected")
    )


# The whole flow ---------------------------------------------------------------------


def test_take_a_quiz_start_to_result(trainee_client):
    quiz = make_quiz(3, kinds=("single", "multiple", "true_false"), pass_mark=60)
    page = trainee_client.get(reverse("quizzes:detail", args=[quiz.slug]))
    assert page.status_code == 200
    assert "Start the quiz" in page.content.decode()

    response = trainee_client.post(reverse("quizzes:start", args=[quiz.slug]))
    attempt = Attempt.objects.get()
    assert response.url == reverse("quizzes:attempt", args=[attempt.uuid])

    html = trainee_client.get(response.url).content.decode()
    assert html.count('type="radio"') == 3 + 2
    assert html.count('type="checkbox"') == 4
    assert html.count("<fieldset") == 3
    assert html.count("<legend") == 3

    # Autosave (JSON), then a reload shows the saved answers.
    q0, q1, q2 = attempt.paper["questions"]
    saved = trainee_client.post(
        reverse("quizzes:save", args=[attempt.uuid]),
        form_data(attempt, {0: correct_positions(q0), 1: [0]}),
        **JSON,
    )
    assert saved.status_code == 200
    assert saved.json()["sequence"] == 1
    reloaded = trainee_client.get(reverse("quizzes:attempt", args=[attempt.uuid])).content.decode()
    assert f'id="q{q0["id"]}-c0" checked' in reloaded
    assert f'id="q{q1["id"]}-c0" checked' in reloaded
    assert f'id="q{q2["id"]}-c0" checked' not in reloaded
    assert 'name="sequence" value="1"' in reloaded

    # Submit with every answer: no confirmation needed.
    attempt.refresh_from_db()
    submitted = trainee_client.post(
        reverse("quizzes:submit", args=[attempt.uuid]), form_data(attempt, all_correct(attempt))
    )
    assert submitted.status_code == 302
    assert submitted.url == reverse("quizzes:result", args=[attempt.uuid])
    result = trainee_client.get(submitted.url)
    content = result.content.decode()
    assert "3 / 3 points · 100%" in content
    assert "Passed" in content
    assert EXPLANATION_MARK in content
    assert FEEDBACK_MARK in content


def test_save_button_without_javascript_redirects_back(trainee_client):
    quiz = make_quiz(1)
    attempt = start(trainee_client, quiz)
    response = trainee_client.post(
        reverse("quizzes:save", args=[attempt.uuid]), form_data(attempt, {0: [1]})
    )
    assert response.status_code == 302
    assert response.url == reverse("quizzes:attempt", args=[attempt.uuid])
    q = attempt.paper["questions"][0]
    assert selected(attempt) == {q["id"]: [q["choices"][1]["id"]]}


def test_a_beacon_save_answers_204_and_leaves_no_message_for_the_next_page(trainee_client):
    """The page's script hands its answers to sendBeacon as it is left: saved, no body, and
    no "answers saved" message waiting on whatever page the trainee opens next."""
    quiz = make_quiz(1)
    attempt = start(trainee_client, quiz)
    response = trainee_client.post(
        reverse("quizzes:save", args=[attempt.uuid]),
        {**form_data(attempt, {0: [1]}), "background": "1"},
    )
    assert response.status_code == 204
    assert response.content == b""
    q = attempt.paper["questions"][0]
    assert selected(attempt) == {q["id"]: [q["choices"][1]["id"]]}
    page = trainee_client.get(reverse("quizzes:attempt", args=[attempt.uuid]))
    assert [str(m) for m in page.context["messages"]] == []


def test_the_attempt_page_tells_its_script_the_autosave_period(trainee_client, settings):
    settings.QUIZ_AUTOSAVE_SECONDS = 45
    attempt = start(trainee_client, make_quiz(1))
    page = trainee_client.get(reverse("quizzes:attempt", args=[attempt.uuid]))
    assert 'data-save-within="45"' in page.content.decode()


def test_submit_with_unanswered_asks_for_confirmation(trainee_client):
    quiz = make_quiz(2)
    attempt = start(trainee_client, quiz)
    response = trainee_client.post(
        reverse("quizzes:submit", args=[attempt.uuid]), form_data(attempt, {0: [0]})
    )
    assert response.status_code == 200
    assert "You have 1 unanswered question." in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.is_open is True
    assert attempt.sequence == 1  # the answers on the page were saved first

    confirmed = trainee_client.post(
        reverse("quizzes:submit", args=[attempt.uuid]), {"confirm": "1"}
    )
    assert confirmed.status_code == 302
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    assert (attempt.points, attempt.max_points) == (1, 2)


def test_submit_twice_scores_once_and_shows_the_same_result(trainee_client):
    quiz = make_quiz(1)
    attempt = start(trainee_client, quiz)
    data = form_data(attempt, all_correct(attempt))
    first = trainee_client.post(reverse("quizzes:submit", args=[attempt.uuid]), data)
    attempt.refresh_from_db()
    submitted_at = attempt.submitted_at
    # A replay with different answers changes nothing.
    replay = form_data(attempt, {0: wrong_positions(attempt.paper["questions"][0])}, sequence=0)
    second = trainee_client.post(reverse("quizzes:submit", args=[attempt.uuid]), replay)
    assert first.url == second.url == reverse("quizzes:result", args=[attempt.uuid])
    attempt.refresh_from_db()
    assert attempt.submitted_at == submitted_at
    assert attempt.percent == 100.0
    from trainingsite.models import AuditEvent

    assert AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT_SUBMITTED).count() == 1


def test_retake_after_a_failed_attempt(trainee_client):
    quiz = make_quiz(2, max_attempts=2)
    first = start(trainee_client, quiz)
    trainee_client.post(reverse("quizzes:submit", args=[first.uuid]), {"confirm": "1"})
    page = trainee_client.get(reverse("quizzes:detail", args=[quiz.slug])).content.decode()
    assert "1 used, 1 left of 2" in page
    assert "Start a new attempt" in page
    second = start(trainee_client, quiz)
    assert second.pk != first.pk
    trainee_client.post(
        reverse("quizzes:submit", args=[second.uuid]), form_data(second, all_correct(second))
    )
    page = trainee_client.get(reverse("quizzes:detail", args=[quiz.slug])).content.decode()
    assert "2 used, 0 left of 2" in page
    assert "100% (passed)" in page
    history = trainee_client.get(reverse("quizzes:history", args=[quiz.slug])).content.decode()
    assert history.count('data-testid="history-row"') == 2
    assert "Best score: 100%" in history


def test_attempt_limit_refuses_with_message(trainee_client):
    quiz = make_quiz(1, max_attempts=1)
    attempt = start(trainee_client, quiz)
    trainee_client.post(reverse("quizzes:submit", args=[attempt.uuid]), {"confirm": "1"})
    response = trainee_client.post(reverse("quizzes:start", args=[quiz.slug]), follow=True)
    assert START_LIMIT_REACHED in response.content.decode()
    assert Attempt.objects.count() == 1


def test_prerequisites_refuse_then_allow(trainee, trainee_client):
    quiz = make_quiz(1)
    lesson = make_bare_lesson()
    quiz.prerequisite_lessons.add(lesson)
    page = trainee_client.get(reverse("quizzes:detail", args=[quiz.slug])).content.decode()
    assert START_PREREQUISITES in page
    assert "Applying pressure" in page
    response = trainee_client.post(reverse("quizzes:start", args=[quiz.slug]), follow=True)
    assert START_PREREQUISITES in response.content.decode()
    assert Attempt.objects.count() == 0
    LessonCompletion.objects.create(user=trainee, lesson=lesson, completed_at=timezone.now())
    assert start(trainee_client, quiz) is not None


def test_time_limit_expiry_closes_and_scores_saved_answers(trainee_client):
    quiz = make_quiz(2, time_limit_minutes=10, pass_mark=50)
    attempt = start(trainee_client, quiz)
    q0 = attempt.paper["questions"][0]
    trainee_client.post(
        reverse("quizzes:save", args=[attempt.uuid]),
        form_data(attempt, {0: correct_positions(q0)}),
    )
    # The clock moves past the deadline (and the grace).
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - timedelta(minutes=30),
        deadline=timezone.now() - timedelta(minutes=20),
    )
    attempt.refresh_from_db()
    late = trainee_client.post(
        reverse("quizzes:save", args=[attempt.uuid]),
        form_data(attempt, all_correct(attempt)),
        **JSON,
    )
    assert late.status_code == 409
    assert late.json() == {
        "error": services.ATTEMPT_CLOSED,
        "closed": True,
        "result_url": reverse("quizzes:result", args=[attempt.uuid]),
    }
    attempt.refresh_from_db()
    assert attempt.close_reason == Attempt.CloseReason.TIME_LIMIT
    assert (attempt.points, attempt.percent, attempt.passed) == (1, 50.0, True)
    page = trainee_client.get(reverse("quizzes:attempt", args=[attempt.uuid]))
    assert page.url == reverse("quizzes:result", args=[attempt.uuid])


def test_opening_an_expired_attempt_closes_it(trainee_client):
    quiz = make_quiz(1, time_limit_minutes=10)
    attempt = start(trainee_client, quiz)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    response = trainee_client.get(reverse("quizzes:attempt", args=[attempt.uuid]))
    assert response.status_code == 302
    assert response.url == reverse("quizzes:result", args=[attempt.uuid])
    attempt.refresh_from_db()
    assert attempt.close_reason == Attempt.CloseReason.TIME_LIMIT


def test_resume_after_the_time_ran_out_shows_that_result(trainee_client):
    quiz = make_quiz(1, time_limit_minutes=10, max_attempts=3)
    attempt = start(trainee_client, quiz)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    response = trainee_client.post(reverse("quizzes:start", args=[quiz.slug]), follow=True)
    assert response.redirect_chain[0][0] == reverse("quizzes:result", args=[attempt.uuid])
    assert CLOSED_AT_TIME_LIMIT in response.content.decode()
    assert Attempt.objects.count() == 1


def test_timed_attempt_shows_countdown(trainee_client):
    quiz = make_quiz(1, time_limit_minutes=15)
    attempt = start(trainee_client, quiz)
    html = trainee_client.get(reverse("quizzes:attempt", args=[attempt.uuid])).content.decode()
    match = re.search(r'data-remaining-seconds="(\d+)"', html)
    assert match is not None
    assert 15 * 60 - 5 <= int(match.group(1)) <= 15 * 60


# Result and review ---------------------------------------------------------------------


def _finish(client, quiz, choose):
    attempt = start(client, quiz)
    client.post(
        reverse("quizzes:submit", args=[attempt.uuid]),
        {**form_data(attempt, choose), "confirm": "1"},
    )
    attempt.refresh_from_db()
    return attempt


def test_result_says_why_an_attempt_failed(trainee_client):
    lesson = make_bare_lesson()
    critical = make_question("stop-pressure", kind="true_false", critical=True, lesson=lesson)
    quiz = make_quiz([critical, make_question("other")], pass_mark=50)
    attempt = start(trainee_client, quiz)
    crit, other = attempt.paper["questions"]
    trainee_client.post(
        reverse("quizzes:submit", args=[attempt.uuid]),
        form_data(attempt, {0: wrong_positions(crit), 1: correct_positions(other)}),
    )
    html = trainee_client.get(reverse("quizzes:result", args=[attempt.uuid])).content.decode()
    assert "Not passed" in html
    assert "1 critical safety question answered wrongly" in html
    assert "Managing bleeding" in html  # per-topic score
    assert f'href="{reverse("lessons:detail", args=[lesson.slug])}"' in html
    assert "Revisit the lesson: Applying pressure" in html
    assert "Time taken:" in html


def test_wrong_only_policy_hides_answers_and_explanations(trainee_client):
    quiz = make_quiz(2, feedback_policy="wrong_only")
    attempt = _finish(trainee_client, quiz, {0: [1]})
    html = trainee_client.get(reverse("quizzes:result", args=[attempt.uuid])).content.decode()
    assert html.count('data-testid="review-question"') == 2
    assert "Wrong" in html
    assert EXPLANATION_MARK not in html
    assert FEEDBACK_MARK not in html
    assert "Correct answer" not in html


def test_score_only_policy_shows_no_questions(trainee_client):
    quiz = make_quiz(2, feedback_policy="score_only")
    attempt = _finish(trainee_client, quiz, {0: [0]})
    html = trainee_client.get(reverse("quizzes:result", args=[attempt.uuid])).content.decode()
    assert "1 / 2 points · 50%" in html
    assert 'data-testid="review-question"' not in html
    assert "Prompt first-quiz-0?" not in html


def test_open_attempt_result_redirects_to_the_attempt(trainee_client):
    quiz = make_quiz(1)
    attempt = start(trainee_client, quiz)
    response = trainee_client.get(reverse("quizzes:result", args=[attempt.uuid]))
    assert response.url == reverse("quizzes:attempt", args=[attempt.uuid])


def test_index_lists_published_quizzes_with_status(trainee_client):
    make_quiz(1, slug="draft", status="draft")
    quiz = make_quiz(1, slug="live")
    start(trainee_client, quiz)
    html = trainee_client.get(reverse("quizzes:index")).content.decode()
    assert "Quiz live" in html
    assert "Quiz draft" not in html
    assert "In progress" in html


# Practice rounds ------------------------------------------------------------------------


def test_review_my_mistakes_starts_a_practice_round(trainee_client):
    quiz = make_quiz(3, max_attempts=1)
    attempt = _finish(trainee_client, quiz, {0: [0], 1: [1], 2: [1]})
    html = trainee_client.get(reverse("quizzes:result", args=[attempt.uuid])).content.decode()
    assert "Review my mistakes (2 questions)" in html
    response = trainee_client.post(
        reverse("quizzes:practice", args=[quiz.slug]), {"source": str(attempt.uuid)}
    )
    practice = Attempt.objects.get(kind=Attempt.Kind.PRACTICE)
    assert response.url == reverse("quizzes:attempt", args=[practice.uuid])
    assert [q["key"] for q in practice.paper["questions"]] == ["first-quiz-1", "first-quiz-2"]
    # A mistakes round gives immediate feedback: each answer is checked, then Finish.
    round_url = reverse("practice:round", args=[practice.uuid])
    assert trainee_client.get(response.url)["Location"] == round_url
    for q in practice.paper["questions"]:
        checked = trainee_client.post(
            reverse("practice:check", args=[practice.uuid]),
            {"question": str(q["id"]), f"q-{q['id']}": [str(p) for p in correct_positions(q)]},
        )
        assert checked.status_code == 302
    done = trainee_client.post(reverse("quizzes:submit", args=[practice.uuid]), {"confirm": "1"})
    result = trainee_client.get(done.url).content.decode()
    assert "Practice rounds do not count" in result
    # The limit of one graded attempt is still reached; practice did not use it.
    detail = trainee_client.get(reverse("quizzes:detail", args=[quiz.slug])).content.decode()
    assert "1 used, 0 left of 1" in detail


def test_practice_with_a_bad_source_is_404(trainee_client):
    quiz = make_quiz(1)
    for source in ("not-a-uuid", "00000000-0000-4000-8000-000000000000"):
        response = trainee_client.post(
            reverse("quizzes:practice", args=[quiz.slug]), {"source": source}
        )
        assert response.status_code == 404


def _review_items(html: str) -> list[str]:
    choices = html.split('<ul class="list-unstyled review-choices">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"<li class=\"[^\"]*\">.*?</li>", choices, flags=re.S)


@pytest.mark.parametrize(
    ("policy", "marked"),
    [("full", True), ("wrong_only", False)],
)
def test_review_marks_the_trainees_choice_and_the_correct_one(
    trainee, trainee_client, policy, marked
):
    quiz = make_quiz(1, feedback_policy=policy)
    attempt = services.attempt_start(user=trainee, quiz=quiz)
    question = attempt.paper["questions"][0]
    services.attempt_save_answers(
        attempt=attempt, answers={question["id"]: wrong_ids(question)}, sequence=0
    )
    services.attempt_submit(attempt=attempt)

    html = trainee_client.get(reverse("quizzes:result", args=[attempt.uuid])).content.decode()

    items = _review_items(html)
    assert len(items) == len(question["choices"])
    chosen = [item for item in items if "<strong>☑ Your answer:</strong>" in item]
    assert len(chosen) == 1
    assert ('class="choice-wrong"' in chosen[0]) is marked
    correct = [item for item in items if 'class="choice-correct"' in item]
    assert len(correct) == (len(correct_ids(question)) if marked else 0)
    assert ("Correct answer</span>" in html) is marked


def practise(client, quiz, source=None):
    data = {"source": str(source.uuid)} if source else {}
    response = client.post(reverse("quizzes:practice", args=[quiz.slug]), data)
    assert response.status_code == 302
    return response.url


def test_second_click_resumes_the_open_round_from_the_same_attempt(trainee, trainee_client):
    quiz = make_quiz(2)
    source = failed_attempt(trainee, quiz)

    first = practise(trainee_client, quiz, source)
    second = practise(trainee_client, quiz, source)

    rounds = Attempt.objects.filter(kind=Attempt.Kind.PRACTICE)
    assert rounds.count() == 1
    assert first == second == reverse("quizzes:attempt", args=[rounds.get().uuid])
