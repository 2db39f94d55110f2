"""Renewal by review through the database: selectors, issuance, the trainee's pages, queries.

The rule itself is tests/certification/test_renewal_rules.py; the status agreement of the
pure rules and the SQL twin is the shared table (status_cases.py, renewal cases included).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.certification.renewal_rules import window_first_day
from quizzes.certification.rules import NextStep, ProgressStatus, StepKind
from quizzes.certification.selectors import program_progress, programs_progress_bulk
from quizzes.certification.services import certificate_issue_if_complete
from quizzes.models import Certificate
from quizzes.services import attempt_save_answers, attempt_start, attempt_submit
from tests.builders import (
    complete_lesson,
    graded_attempt,
    make_certificate,
    make_review_program,
    make_trainee,
    retention_days,
)
from tests.certification.pdf_text import pdf_lines

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
OFFER = "you may renew with the shorter renewal quiz"


@pytest.fixture
def program():
    return make_review_program(slug="bleeding", validity_months=12)


def expiring(user, program):
    """The trainee's first certificate, expiring in ten days, the lesson read before it."""
    now = timezone.now()
    complete_lesson(user, program.required_lessons.get(), now - 400 * DAY)
    return make_certificate(user, program, issued_at=now - 355 * DAY, expires_at=now + 10 * DAY)


def six_months(user, **kwargs):
    today = timezone.localdate()
    return retention_days(user, first_on=window_first_day(today), last_on=today, **kwargs)


def pass_renewal_quiz(user, program):
    """Pass the renewal quiz through the quiz engine (attempt_graded is sent on submit)."""
    attempt = attempt_start(user=user, quiz=program.renewal_quiz)
    answers = {
        q["id"]: [c["id"] for c in q["choices"] if c["is_correct"]]
        for q in attempt.paper["questions"]
    }
    attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence)
    attempt.refresh_from_db()
    attempt_submit(attempt=attempt)
    assert attempt.passed is True
    return attempt


def test_qualifying_trainee_is_asked_for_the_renewal_quiz(trainee, program):
    expiring(trainee, program)
    assert six_months(trainee) == 184
    item = program_progress(user=trainee, program=program)
    progress = item.progress
    assert progress.status == ProgressStatus.EXPIRING_SOON
    assert progress.renewal_quiz_id == program.renewal_quiz_id
    assert (progress.quizzes_passed, progress.quizzes_required) == (0, 1)
    assert progress.next_step == NextStep(StepKind.QUIZ, program.renewal_quiz_id)
    assert item.next_step_object == program.renewal_quiz
    assert item.renewal_quiz == program.renewal_quiz


@pytest.mark.parametrize(
    "days",
    [
        {"dips": {timezone.localdate() - 40 * DAY: 0.79}},
        {"dips": {timezone.localdate() - 3 * DAY: None}},
        {"critical_recall": None},
        {"skip": {timezone.localdate() - n * DAY for n in range(10, 30)}},
    ],
    ids=["a-dip-below-80", "a-day-without-critical-recall", "no-critical-card", "a-20-day-gap"],
)
def test_not_qualifying_asks_every_required_quiz(trainee, program, days):
    expiring(trainee, program)
    six_months(trainee, **days)
    progress = program_progress(user=trainee, program=program).progress
    assert (progress.renewal_quiz_id, progress.quizzes_required) == (None, 2)
    assert progress.next_step.object_id == program.required_quizzes.order_by("order")[0].pk


def test_stored_days_of_another_trainee_do_not_count(trainee, other_trainee, program):
    expiring(trainee, program)
    six_months(other_trainee)
    assert program_progress(user=trainee, program=program).progress.renewal_quiz_id is None


def test_first_cycle_never_qualifies(trainee, program):
    six_months(trainee)
    progress = program_progress(user=trainee, program=program).progress
    assert (progress.renewal_quiz_id, progress.quizzes_required) == (None, 2)


def test_option_off_never_qualifies(trainee, program):
    program.renewal_by_review = False
    program.save(update_fields=["renewal_by_review"])
    expiring(trainee, program)
    six_months(trainee)
    assert program_progress(user=trainee, program=program).progress.renewal_quiz_id is None


def test_passing_the_renewal_quiz_issues_the_renewal(trainee, program):
    first = expiring(trainee, program)
    six_months(trainee)
    pass_renewal_quiz(trainee, program)
    renewal = Certificate.objects.exclude(pk=first.pk).get(user=trainee, program=program)
    assert renewal.cycle == 2
    assert renewal.quiz_scores == [
        {
            "quiz": "bleeding-renewal",
            "title": "Short renewal of bleeding",
            "percent": 100.0,
            "renewal_by_review": True,
        }
    ]
    item = program_progress(user=trainee, program=program)
    assert item.progress.status == ProgressStatus.CERTIFIED
    assert item.progress.offers_renewal_by_review is False


def test_the_renewal_quiz_issues_nothing_to_a_trainee_who_does_not_qualify(trainee, program):
    expiring(trainee, program)
    six_months(trainee, dips={timezone.localdate() - DAY: 0.5})
    pass_renewal_quiz(trainee, program)
    assert Certificate.objects.filter(user=trainee, program=program).count() == 1


def test_the_full_route_still_renews_a_qualifying_trainee(trainee, program):
    expiring(trainee, program)
    six_months(trainee)
    for quiz in program.required_quizzes.order_by("order"):
        graded_attempt(trainee, quiz, at=timezone.now() - DAY)
    graded_attempt(trainee, program.renewal_quiz, passed=False, at=timezone.now() - DAY)
    assert program_progress(user=trainee, program=program).progress.is_complete is True
    renewal = certificate_issue_if_complete(user=trainee, program=program)  # the claim button
    assert [score["quiz"] for score in renewal.quiz_scores] == [
        "bleeding-quiz-1",
        "bleeding-quiz-2",
    ]
    assert "renewal_by_review" not in renewal.quiz_scores[0]


def test_dashboard_and_program_page_offer_the_renewal_quiz(trainee, trainee_client, program):
    expiring(trainee, program)
    six_months(trainee)
    quiz_url = program.renewal_quiz.get_absolute_url()
    for url in (reverse("trainee_home"), reverse("certificates:program", args=[program.slug])):
        body = trainee_client.get(url).content.decode()
        assert OFFER in body, url
        assert f'href="{quiz_url}"' in body, url
        assert "Short renewal of bleeding" in body, url


def test_pages_say_nothing_to_a_trainee_who_does_not_qualify(trainee, trainee_client, program):
    expiring(trainee, program)
    six_months(trainee, dips={timezone.localdate() - 100 * DAY: 0.6})
    for url in (reverse("trainee_home"), reverse("certificates:program", args=[program.slug])):
        body = trainee_client.get(url).content.decode()
        assert OFFER not in body, url
        assert "renewal-by-review" not in body, url
        assert "Short renewal of bleeding" not in body, url


def test_the_certificate_page_names_the_renewal_by_review(trainee, trainee_client, program):
    expiring(trainee, program)
    six_months(trainee)
    pass_renewal_quiz(trainee, program)
    renewal = Certificate.objects.get(user=trainee, program=program, cycle=2)
    body = trainee_client.get(renewal.get_absolute_url()).content.decode()
    assert "Short renewal of bleeding (renewal by review): 100%" in body


def test_the_certificate_pdf_names_the_renewal_by_review(trainee, trainee_client, program):
    expiring(trainee, program)
    six_months(trainee)
    pass_renewal_quiz(trainee, program)
    renewal = Certificate.objects.get(user=trainee, program=program, cycle=2)
    response = trainee_client.get(reverse("certificates:download", args=[renewal.display_code]))
    assert response.status_code == 200
    lines = pdf_lines(response.content)
    assert "• Short renewal of bleeding (renewal by review): 100%" in lines


def _queries(users, program) -> int:
    with CaptureQueriesContext(connection) as queries:
        programs_progress_bulk(users=users, programs=[program])
    return len(queries)


def test_queries_are_flat_in_trainees_and_days(program):
    few = [make_trainee(username=f"few{i}") for i in range(2)]
    many = [make_trainee(username=f"many{i}") for i in range(20)]
    for user in [*few, *many]:
        expiring(user, program)
        six_months(user)
    assert _queries(few, program) == _queries(many, program) == 10
    progress = programs_progress_bulk(users=many, programs=[program])
    assert {item.progress.renewal_quiz_id for item in progress.values()} == {
        program.renewal_quiz_id
    }
