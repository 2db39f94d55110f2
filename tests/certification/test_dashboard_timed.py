"""The dashboard: resume attempts in progress with the time left; no due date once certified."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes import services
from quizzes.certification.selectors import trainee_dashboard
from quizzes.models import Attempt
from tests.builders import (
    assign,
    do_everything,
    make_certificate,
    make_program,
    make_quiz,
)
from tests.builders.lessons import complete_lesson
from tests.certification.test_views import DASHBOARD_PAGE_QUERIES

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def program(db):
    program = make_program(slug="foundation", name="Foundation", lessons=0, quizzes=0)
    quiz = make_quiz(questions=2, slug="final", time_limit_minutes=20)
    quiz.title = "Final assessment"
    quiz.save(update_fields=["title"])
    program.required_quizzes.set([quiz])
    return program


def _final(program):
    return program.required_quizzes.get()


def _dashboard(client) -> str:
    return client.get(reverse("trainee_home")).content.decode()


def test_a_running_timed_attempt_is_resumed_from_the_dashboard_with_the_minutes_left(
    trainee, trainee_client, program
):
    assign(trainee, program, due_date=timezone.localdate() + 30 * DAY)
    started = timezone.now() - timedelta(minutes=7, seconds=30)
    attempt = services.attempt_start(user=trainee, quiz=_final(program), now=started)
    html = _dashboard(trainee_client)
    assert "Next: take" not in html
    # 20 minutes from 7.5 minutes ago: 12 whole minutes (and some seconds) are left.
    assert "Resume “Final assessment” — 12 min left" in html
    assert f'<time datetime="{attempt.deadline.isoformat()}" data-localtime>' in html
    assert f'action="{reverse("quizzes:start", args=["final"])}"' in html


def test_the_minutes_left_include_extra_time_granted(trainee, trainee_client, manager, program):
    quiz = _final(program)
    services.accommodation_grant(
        quiz=quiz, trainee=trainee, extra_minutes=10, extra_attempts=0, by=manager
    )
    services.attempt_start(user=trainee, quiz=quiz, now=timezone.now() - timedelta(seconds=5))
    assert "— 29 min left" in _dashboard(trainee_client)


def test_an_untimed_attempt_in_progress_is_offered_as_resume(trainee, trainee_client, program):
    quiz = _final(program)
    quiz.time_limit_minutes = None
    quiz.save(update_fields=["time_limit_minutes"])
    services.attempt_start(user=trainee, quiz=quiz)
    html = _dashboard(trainee_client)
    assert "Resume “Final assessment”</button>" in html
    assert "min left" not in html


def test_an_attempt_whose_time_ran_out_offers_its_result(trainee, trainee_client, program):
    services.attempt_start(
        user=trainee, quiz=_final(program), now=timezone.now() - timedelta(minutes=25)
    )
    html = _dashboard(trainee_client)
    assert "See your result: “Final assessment”" in html
    assert "The time ran out at" in html


def test_resume_on_the_dashboard_opens_the_same_attempt(trainee, trainee_client, program):
    attempt = services.attempt_start(user=trainee, quiz=_final(program))
    response = trainee_client.post(reverse("quizzes:start", args=["final"]))
    assert response["Location"] == reverse("quizzes:attempt", args=[attempt.uuid])


def test_an_attempt_in_progress_outside_any_program_is_listed_to_resume(trainee, trainee_client):
    quiz = make_quiz(questions=2, slug="topic-quiz")
    services.attempt_start(user=trainee, quiz=quiz)
    dashboard = trainee_dashboard(user=trainee)
    assert [row.attempt.quiz_id for row in dashboard.in_progress] == [quiz.pk]
    assert dashboard.recent_attempts == []
    html = _dashboard(trainee_client)
    assert 'data-testid="in-progress"' in html
    assert "No quiz attempts yet" not in html


def test_a_practice_round_in_progress_is_not_listed(trainee, program):
    quiz = _final(program)
    Attempt.objects.create(
        user=trainee, quiz=quiz, kind=Attempt.Kind.PRACTICE, started_at=timezone.now()
    )
    assert trainee_dashboard(user=trainee).in_progress == ()


def test_a_certified_program_shows_certified_until_instead_of_the_due_date(
    trainee, trainee_client, program
):
    due = timezone.localdate() + 30 * DAY
    assign(trainee, program, due_date=due)
    now = timezone.now()
    do_everything(trainee, program, at=now - DAY)
    certificate = make_certificate(trainee, program, issued_at=now, expires_at=now + 700 * DAY)
    card = re.search(
        r'data-testid="program-foundation".*?</article>', _dashboard(trainee_client), re.S
    ).group(0)
    assert "Due " not in card
    assert f"Certified until {certificate.expires_at:%-d %B %Y}" in card


def test_an_uncertified_program_still_shows_its_due_date(trainee, trainee_client, program):
    due = timezone.localdate() + 30 * DAY
    assign(trainee, program, due_date=due)
    assert f"Due {due:%-d %B %Y}" in _dashboard(trainee_client)


@pytest.mark.parametrize("programs", [1, 10])
def test_dashboard_queries_stay_at_the_budget_with_attempts_in_progress(
    trainee, trainee_client, django_assert_num_queries, programs
):
    for i in range(programs):
        program = make_program(slug=f"p{i}", lessons=1, quizzes=0)
        complete_lesson(trainee, program.required_lessons.get())  # the final is next
        quiz = make_quiz(questions=1, slug=f"p{i}-final", time_limit_minutes=30)
        program.required_quizzes.set([quiz])
        assign(trainee, program, due_date=timezone.localdate() + 10 * DAY)
        services.attempt_start(user=trainee, quiz=quiz)
    with django_assert_num_queries(DASHBOARD_PAGE_QUERIES):
        html = _dashboard(trainee_client)
    assert html.count("min left") >= programs
