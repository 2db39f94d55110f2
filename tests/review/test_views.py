"""The review pages as a trainee uses them: owner, other trainee, anonymous; flat query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes import services as engine
from quizzes.models import Attempt, ReviewCard, ReviewPreference
from quizzes.spaced_review import services
from quizzes.spaced_review.views import NUDGES_OFF, NUDGES_ON
from tests.builders import correct_positions, make_question, make_quiz
from tests.review.conftest import cards_due

pytestmark = pytest.mark.django_db


def _session_urls(attempt):
    return {
        "session": reverse("review:session", args=[attempt.uuid]),
        "finish": reverse("review:finish", args=[attempt.uuid]),
        "summary": reverse("review:summary", args=[attempt.uuid]),
    }


def test_the_review_page_shows_the_count_due_and_a_start_button(trainee, trainee_client):
    cards_due(trainee, [make_question("a"), make_question("b")])
    cards_due(trainee, [make_question("c")], days_ago=0)
    body = trainee_client.get(reverse("review:home")).content.decode()
    assert '<strong data-testid="review-due-count">2</strong> questions due for review' in body
    assert 'data-testid="review-start"' in body
    assert reverse("review:start") in body


def test_nothing_due_shows_the_next_review_and_no_button(trainee, trainee_client):
    cards_due(trainee, [make_question("a")], days_ago=0)
    body = trainee_client.get(reverse("review:home")).content.decode()
    assert 'data-testid="review-none-due"' in body
    assert 'data-testid="review-start"' not in body


def test_a_trainee_without_cards_is_pointed_to_the_quizzes(trainee_client):
    body = trainee_client.get(reverse("review:home")).content.decode()
    assert 'data-testid="review-no-cards"' in body


def test_start_check_finish_and_summary(trainee, trainee_client):
    question = make_question("a")
    cards_due(trainee, [question])
    response = trainee_client.post(reverse("review:start"))
    attempt = Attempt.objects.get(user=trainee, kind=Attempt.Kind.REVIEW)
    urls = _session_urls(attempt)
    assert response.status_code == 302 and response["Location"] == urls["session"]

    page = trainee_client.get(urls["session"]).content.decode()
    assert "Prompt a?" in page and reverse("practice:check", args=[attempt.uuid]) in page
    entry = attempt.paper["questions"][0]
    check = trainee_client.post(
        reverse("practice:check", args=[attempt.uuid]),
        {"question": entry["id"], f"q-{entry['id']}": correct_positions(entry)},
    )
    # Without the script the check comes back to the question, through the review page.
    assert check.status_code == 302
    assert trainee_client.get(check["Location"])["Location"] == urls["session"]

    finished = trainee_client.post(urls["finish"])
    assert finished["Location"] == urls["summary"]
    summary = trainee_client.get(urls["summary"]).content.decode()
    card = ReviewCard.objects.get(user=trainee)
    assert "Right: strengthened" in summary
    assert card.due.date().isoformat() in summary
    assert trainee_client.get(urls["session"])["Location"] == urls["summary"]


def test_starting_with_nothing_due_says_so(trainee_client):
    response = trainee_client.post(reverse("review:start"), follow=True)
    assert services.NOTHING_DUE in response.content.decode()
    assert not Attempt.objects.filter(kind=Attempt.Kind.REVIEW).exists()


def test_start_twice_resumes_one_session(trainee, trainee_client):
    cards_due(trainee, [make_question("a")])
    first = trainee_client.post(reverse("review:start"))
    second = trainee_client.post(reverse("review:start"))
    assert first["Location"] == second["Location"]
    assert Attempt.objects.filter(kind=Attempt.Kind.REVIEW).count() == 1


def test_another_trainee_s_session_is_404(trainee, other_trainee, client):
    cards_due(trainee, [make_question("a")])
    attempt = services.review_session_start(user=trainee)
    client.force_login(other_trainee)
    urls = _session_urls(attempt)
    for url in (urls["session"], urls["summary"]):
        assert client.get(url).status_code == 404
    assert client.post(_session_urls(attempt)["finish"]).status_code == 404
    attempt.refresh_from_db()
    assert attempt.is_open


def test_a_graded_attempt_is_not_a_review_session(trainee, trainee_client):
    graded = engine.attempt_start(user=trainee, quiz=make_quiz(1))
    assert trainee_client.get(_session_urls(graded)["session"]).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("review:home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_e_mail_setting_switches_off_and_on(trainee, trainee_client):
    off = trainee_client.post(reverse("review:preference"), {}, follow=True)
    assert NUDGES_OFF in off.content.decode()
    assert ReviewPreference.objects.get(user=trainee).nudges is False
    assert "checked" not in off.content.decode().split('id="id_nudges"')[1][:20]
    on = trainee_client.post(reverse("review:preference"), {"nudges": "on"}, follow=True)
    assert NUDGES_ON in on.content.decode()
    assert ReviewPreference.objects.get(user=trainee).nudges is True


def test_the_dashboard_nudges_with_one_button_only_when_something_is_due(trainee, trainee_client):
    home = reverse("trainee_home")
    assert 'data-testid="review-card"' not in trainee_client.get(home).content.decode()
    cards_due(trainee, [make_question(k) for k in "abc"])
    body = trainee_client.get(home).content.decode()
    assert "3 questions due for review" in body
    assert body.count('data-testid="review-card-button"') == 1


def test_a_finished_session_shows_on_the_dashboard_as_a_review(trainee, trainee_client):
    cards_due(trainee, [make_question("a")])
    attempt = services.review_session_start(user=trainee)
    services.review_session_finish(attempt=attempt)
    body = trainee_client.get(reverse("trainee_home")).content.decode()
    assert '<span class="badge text-bg-light">Review</span>' in body
    assert "Not passed" not in body


# Query budgets: session, user and roles (3) are the site's own; then the page's.
HOME_QUERIES = 3 + 3  # the counts, the open session, the setting
SESSION_QUERIES = 3 + 2 + 1  # the session, its quiz (for the close check), the answers
SUMMARY_QUERIES = 3 + 1 + 2  # the session, the answers, the cards


@pytest.mark.parametrize("cards", [2, 12])
def test_the_pages_queries_stay_flat(trainee, trainee_client, django_assert_max_num_queries, cards):
    cards_due(trainee, [make_question(f"q{cards}-{i}") for i in range(cards)])
    trainee_client.get(reverse("review:home"))  # warm the session
    with django_assert_max_num_queries(HOME_QUERIES):
        assert trainee_client.get(reverse("review:home")).status_code == 200
    attempt = services.review_session_start(user=trainee)
    urls = _session_urls(attempt)
    with django_assert_max_num_queries(SESSION_QUERIES):
        assert trainee_client.get(urls["session"]).status_code == 200
    services.review_session_finish(attempt=attempt)
    with django_assert_max_num_queries(SUMMARY_QUERIES):
        assert trainee_client.get(urls["summary"]).status_code == 200


def test_an_expired_session_closes_on_opening_it(trainee, trainee_client):
    cards_due(trainee, [make_question("a")])
    attempt = services.review_session_start(user=trainee)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - timedelta(minutes=30),
        deadline=timezone.now() - timedelta(minutes=20),
    )
    response = trainee_client.get(_session_urls(attempt)["session"])
    assert response["Location"] == _session_urls(attempt)["summary"]
    attempt.refresh_from_db()
    assert attempt.close_reason == "time_limit"


def test_the_review_quiz_is_never_listed_for_educators_or_in_reports(
    trainee, educator_client, variants
):
    cards_due(trainee, [variants["lone"]])
    services.review_session_finish(attempt=services.review_session_start(user=trainee))
    for url in (reverse("educator_home"), reverse("reports:quizzes")):
        body = educator_client.get(url).content.decode()
        assert services.REVIEW_QUIZ_TITLE not in body, url
