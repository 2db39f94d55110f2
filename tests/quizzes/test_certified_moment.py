"""The "you are certified" moment: the result page, the quiz page of a passed final, time-outs.

The rules (renewal open, the hold on a passed quiz, timed out, minutes left) are pure
and tested without a database; the pages through the test client.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes import review, services
from quizzes.certification.rules import (
    CertificateFacts,
    certificate_completed_by,
    quiz_retake_hold,
    renewal_is_open,
    renewal_opens_at,
)
from quizzes.models import Attempt, Certificate
from quizzes.rules import (
    START_CERTIFIED,
    TIME_LIMIT,
    attempt_timed_out,
    minutes_left,
    start_refusal,
)
from tests.builders import correct_ids, graded_attempt, make_certificate, make_program, make_quiz
from tests.builders.lessons import complete_lesson

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
WINDOW = 30
# The result page: request (3), attempt, answers, and for a passed graded attempt the
# certificates its quiz counts toward (1).
RESULT_PAGE_PASSED_QUERIES = 6
# The quiz page with its structure in the content cache: request (3), standing,
# accommodation, and after a pass the certificates of the programs requiring it (1).
QUIZ_PAGE_PASSED_QUERIES = 6


def valid(issued_days_ago=10, expires_in_days=700, revoked=False):
    return CertificateFacts(
        issued_at=NOW - issued_days_ago * DAY,
        expires_at=None if expires_in_days is None else NOW + expires_in_days * DAY,
        revoked=revoked,
    )


def hold(certificates, last_passed_at=NOW - 11 * DAY):
    return quiz_retake_hold(
        last_passed_at=last_passed_at,
        certificates=certificates,
        now=NOW,
        expiring_soon_days=WINDOW,
    )


# Pure rules -----------------------------------------------------------------------


def test_renewal_opens_the_window_before_expiry():
    assert renewal_opens_at(expires_at=NOW, expiring_soon_days=WINDOW) == NOW - WINDOW * DAY
    assert renewal_opens_at(expires_at=None, expiring_soon_days=WINDOW) is None


@pytest.mark.parametrize(
    "certificate, open_",
    [
        (None, True),
        (valid(), False),
        (valid(expires_in_days=None), False),
        (valid(expires_in_days=WINDOW), True),  # the edge of the window is in it
        (valid(expires_in_days=WINDOW + 1), False),
        (valid(expires_in_days=-1), True),  # expired
        (valid(revoked=True), True),
    ],
)
def test_renewal_is_open_without_a_valid_certificate_or_when_it_expires_soon(certificate, open_):
    assert renewal_is_open(certificate=certificate, now=NOW, expiring_soon_days=WINDOW) is open_


def test_a_passed_quiz_is_held_while_its_certificate_is_valid_and_renewal_closed():
    result = hold([valid(expires_in_days=100)])
    assert result.passed_at == NOW - 11 * DAY
    assert result.renewal_opens_at == NOW + (100 - WINDOW) * DAY


def test_a_quiz_never_passed_is_never_held():
    assert hold([valid()], last_passed_at=None) is None


def test_no_certificate_means_no_hold():
    assert hold([]) is None


@pytest.mark.parametrize("certificate", [valid(expires_in_days=5), valid(expires_in_days=-5)])
def test_renewal_open_lifts_the_hold(certificate):
    assert hold([certificate]) is None


def test_another_program_that_still_needs_the_quiz_lifts_the_hold():
    # Its certificate lapsed; the cycle began after the last pass: the quiz counts again.
    lapsed = valid(issued_days_ago=5, expires_in_days=-1)
    assert hold([valid(), lapsed]) is None


def test_another_program_whose_renewal_the_pass_already_counts_for_keeps_the_hold():
    renewing = valid(issued_days_ago=400, expires_in_days=3)
    result = hold([valid(expires_in_days=200), renewing])
    assert result.renewal_opens_at == NOW + (200 - WINDOW) * DAY


def test_a_certificate_that_never_expires_holds_with_no_renewal_date():
    assert hold([valid(expires_in_days=None)]).renewal_opens_at is None


def test_the_earliest_renewal_of_the_held_programs_is_the_date_shown():
    result = hold([valid(expires_in_days=None), valid(expires_in_days=90)])
    assert result.renewal_opens_at == NOW + 60 * DAY


def test_a_certified_hold_refuses_a_new_attempt_but_an_open_one_resumes():
    facts = {
        "is_published": True,
        "question_count": 3,
        "missing_prerequisites": 0,
        "attempts_used": 1,
        "attempts_allowed": None,
        "next_start_at": None,
        "has_open_attempt": False,
    }
    assert start_refusal(**facts, certified_hold=True) == START_CERTIFIED
    assert start_refusal(**{**facts, "has_open_attempt": True}, certified_hold=True) is None
    assert start_refusal(**facts) is None


def test_a_certificate_issued_moments_after_the_pass_was_completed_by_it():
    assert certificate_completed_by(submitted_at=NOW, issued_at=NOW + timedelta(seconds=1))
    assert not certificate_completed_by(submitted_at=NOW, issued_at=NOW + DAY)
    assert not certificate_completed_by(submitted_at=NOW, issued_at=NOW - DAY)
    assert not certificate_completed_by(submitted_at=None, issued_at=NOW)


def test_the_time_limit_constant_matches_the_model():
    assert TIME_LIMIT == Attempt.CloseReason.TIME_LIMIT


@pytest.mark.parametrize(
    "reason, submitted, timed_out",
    [
        ("time_limit", NOW, True),
        ("submitted", NOW + timedelta(seconds=10), True),  # the countdown, in the grace period
        ("submitted", NOW - timedelta(seconds=1), True),  # the countdown, a moment early
        ("submitted", NOW - timedelta(minutes=3), False),
    ],
)
def test_timed_out_covers_the_server_close_and_the_countdown(reason, submitted, timed_out):
    assert attempt_timed_out(close_reason=reason, deadline=NOW, submitted_at=submitted) is timed_out


def test_an_untimed_attempt_never_times_out():
    assert not attempt_timed_out(close_reason="submitted", deadline=None, submitted_at=NOW)


def test_minutes_left_round_down_and_stop_at_zero():
    assert minutes_left(deadline=NOW + timedelta(minutes=12, seconds=59), now=NOW) == 12
    assert minutes_left(deadline=NOW + timedelta(seconds=30), now=NOW) == 0
    assert minutes_left(deadline=NOW - DAY, now=NOW) == 0


# Pages ----------------------------------------------------------------------------


def _pass(user, quiz, *, now=None):
    attempt = services.attempt_start(user=user, quiz=quiz, now=now)
    answers = {q["id"]: correct_ids(q) for q in attempt.paper["questions"]}
    services.attempt_save_answers(attempt=attempt, answers=answers, sequence=0, now=now)
    return services.attempt_submit(attempt=attempt, now=now)


@pytest.fixture
def final(db):
    """A program of one lesson and one final quiz."""
    program = make_program(slug="foundation", name="Foundation in bleeding", lessons=1, quizzes=0)
    quiz = make_quiz(questions=2, slug="final")
    program.required_quizzes.set([quiz])
    return program, quiz


@pytest.mark.django_db
def test_the_pass_that_completes_a_program_celebrates_with_the_certificate_links(
    trainee, trainee_client, final
):
    program, quiz = final
    complete_lesson(trainee, program.required_lessons.get())
    attempt = _pass(trainee, quiz)
    certificate = Certificate.objects.get(user=trainee, program=program)
    html = trainee_client.get(attempt.get_absolute_url()).content.decode()
    assert "You are certified: Foundation in bleeding" in html
    assert 'data-testid="completed-here"' in html
    assert certificate.get_absolute_url() in html
    assert reverse("certificates:download", args=[certificate.display_code]) in html


@pytest.mark.django_db
def test_a_passed_final_links_a_certificate_completed_by_something_else(
    trainee, trainee_client, final
):
    program, quiz = final
    attempt = graded_attempt(trainee, quiz, at=timezone.now() - 3 * DAY)
    certificate = make_certificate(trainee, program, issued_at=timezone.now() - DAY)
    html = trainee_client.get(attempt.get_absolute_url()).content.decode()
    assert "You are certified: Foundation in bleeding" in html
    assert 'data-testid="completed-here"' not in html
    assert certificate.get_absolute_url() in html


@pytest.mark.django_db
@pytest.mark.parametrize("passed, revoked", [(False, False), (True, True)])
def test_no_celebration_for_a_fail_or_a_revoked_certificate(
    trainee, trainee_client, final, passed, revoked
):
    program, quiz = final
    attempt = graded_attempt(trainee, quiz, passed=passed, at=timezone.now() - DAY)
    make_certificate(trainee, program, issued_at=timezone.now(), revoked=revoked)
    html = trainee_client.get(attempt.get_absolute_url()).content.decode()
    assert 'data-testid="certified-moment"' not in html


@pytest.mark.django_db
def test_the_quiz_page_of_a_passed_final_offers_no_new_attempt_and_says_when_renewal_opens(
    trainee, trainee_client, final
):
    program, quiz = final
    complete_lesson(trainee, program.required_lessons.get())
    _pass(trainee, quiz)
    certificate = Certificate.objects.get(user=trainee, program=program)
    html = trainee_client.get(quiz.get_absolute_url()).content.decode()
    assert "Start a new attempt" not in html
    assert 'data-testid="retake-hold"' in html
    opens = renewal_opens_at(expires_at=certificate.expires_at, expiring_soon_days=WINDOW)
    assert f'you can take it again from <time datetime="{opens.isoformat()}"' in html
    assert "Practise everything you have missed" in html


@pytest.mark.django_db
def test_starting_a_held_quiz_is_refused_with_the_reason(trainee, trainee_client, final):
    program, quiz = final
    complete_lesson(trainee, program.required_lessons.get())
    _pass(trainee, quiz)
    response = trainee_client.post(reverse("quizzes:start", args=[quiz.slug]), follow=True)
    assert START_CERTIFIED in response.content.decode()
    assert Attempt.objects.filter(user=trainee, quiz=quiz).count() == 1


@pytest.mark.django_db
def test_the_quiz_page_offers_a_new_attempt_once_renewal_opens(trainee, trainee_client, final):
    program, quiz = final
    graded_attempt(trainee, quiz, at=timezone.now() - 700 * DAY)
    make_certificate(
        trainee,
        program,
        issued_at=timezone.now() - 700 * DAY,
        expires_at=timezone.now() + 10 * DAY,
    )
    html = trainee_client.get(quiz.get_absolute_url()).content.decode()
    assert "Start a new attempt" in html
    assert 'data-testid="retake-hold"' not in html


@pytest.mark.django_db
def test_a_quiz_no_program_requires_stays_open_after_a_pass(trainee, trainee_client, db):
    quiz = make_quiz(questions=2, slug="topic-quiz")
    _pass(trainee, quiz)
    assert "Start a new attempt" in trainee_client.get(quiz.get_absolute_url()).content.decode()


@pytest.fixture
def timed(db):
    return make_quiz(questions=3, slug="timed", time_limit_minutes=20)


def _answer_one(trainee, quiz, now):
    attempt = services.attempt_start(user=trainee, quiz=quiz, now=now)
    first = attempt.paper["questions"][0]
    services.attempt_save_answers(
        attempt=attempt, answers={first["id"]: correct_ids(first)}, sequence=0, now=now
    )
    return attempt


@pytest.mark.django_db
def test_a_result_closed_at_the_time_limit_says_when_and_what_was_saved(
    trainee, trainee_client, timed
):
    start = timezone.now() - timedelta(hours=1)
    attempt = _answer_one(trainee, timed, start)
    services.attempt_close_if_expired(attempt=attempt)
    html = trainee_client.get(attempt.get_absolute_url()).content.decode()
    deadline = start + timedelta(minutes=20)
    assert f'<time datetime="{deadline.isoformat()}" data-localtime>' in html
    assert "Your time ran out at" in html
    assert "the 1 answer you had saved was marked" in html
    assert "2 questions were unanswered." in html


@pytest.mark.django_db
def test_a_result_the_countdown_submitted_says_the_time_ran_out(trainee, timed):
    start = timezone.now() - timedelta(minutes=20, seconds=5)
    attempt = _answer_one(trainee, timed, start)
    attempt = services.attempt_submit(attempt=attempt)  # within the grace period
    assert attempt.close_reason == Attempt.CloseReason.SUBMITTED
    page = review.attempt_result_data(attempt=attempt)
    assert page.timed_out is True
    assert (page.answered_count, page.unanswered_count) == (1, 2)
    assert page.time_ran_out_at == attempt.deadline


@pytest.mark.django_db
def test_a_result_submitted_in_time_does_not_say_the_time_ran_out(trainee, trainee_client, timed):
    attempt = services.attempt_submit(attempt=_answer_one(trainee, timed, timezone.now()))
    html = trainee_client.get(attempt.get_absolute_url()).content.decode()
    assert 'data-testid="timed-out"' not in html


@pytest.mark.django_db
@pytest.mark.parametrize("programs", [1, 5])
def test_result_and_quiz_page_queries_stay_flat_with_certificates(
    trainee, trainee_client, django_assert_max_num_queries, programs
):
    quiz = make_quiz(questions=2, slug="final")
    for i in range(programs):
        program = make_program(slug=f"p{i}", lessons=0, quizzes=0)
        program.required_quizzes.set([quiz])
    attempt = _pass(trainee, quiz)
    assert Certificate.objects.filter(user=trainee).count() == programs
    trainee_client.get(quiz.get_absolute_url())  # the quiz's structure in the content cache
    trainee_client.get(attempt.get_absolute_url())  # and the attempt's quiz
    with django_assert_max_num_queries(RESULT_PAGE_PASSED_QUERIES):
        html = trainee_client.get(attempt.get_absolute_url()).content.decode()
    assert html.count('data-testid="certified-moment"') == programs
    with django_assert_max_num_queries(QUIZ_PAGE_PASSED_QUERIES):
        html = trainee_client.get(quiz.get_absolute_url()).content.decode()
    assert 'data-testid="retake-hold"' in html
