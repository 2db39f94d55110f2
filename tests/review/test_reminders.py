"""The review nudge in the daily reminders command: at most weekly, and switched off on request."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from quizzes.models import ReviewPreference
from quizzes.spaced_review.reminders import review_nudge_send, review_nudges_due
from quizzes.spaced_review.services import review_preference_set
from tests.builders import make_question, make_trainee
from tests.review.conftest import cards_due

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    """Run the command; the suite's immediate backend runs each queued e-mail job at once."""
    out = StringIO()
    call_command("send_certification_reminders", *args, stdout=out)
    return out.getvalue()


def _review_mails():
    return [m for m in mail.outbox if "due for review" in m.subject]


def test_the_command_nudges_a_trainee_with_questions_due_once_a_week(trainee):
    cards_due(trainee, [make_question("a"), make_question("b"), make_question("c")])
    output = run("--site-url", "https://training.example.org/")
    assert "1 review nudge queued." in output
    (message,) = _review_mails()
    assert message.subject == "3 questions due for review"
    assert message.to == [trainee.email]
    assert "https://training.example.org/review/" in message.body
    assert "switch them off" in message.body

    assert "0 review nudges queued." in run()
    assert len(_review_mails()) == 1

    # A week later the next nudge goes.
    ReviewPreference.objects.filter(user=trainee).update(
        nudged_at=timezone.now() - timedelta(days=7, minutes=1)
    )
    run()
    assert len(_review_mails()) == 2


def test_one_question_is_singular(trainee):
    cards_due(trainee, [make_question("a")])
    run()
    assert [m.subject for m in _review_mails()] == ["1 question due for review"]


def test_a_trainee_who_switched_nudges_off_gets_none(trainee, other_trainee):
    cards_due(trainee, [make_question("a")])
    cards_due(other_trainee, [make_question("b")])
    review_preference_set(user=trainee, nudges=False)
    run()
    assert [m.to for m in _review_mails()] == [[other_trainee.email]]


def test_nothing_due_or_no_address_gets_no_nudge(trainee):
    cards_due(trainee, [make_question("a")], days_ago=0)  # due in two days
    no_email = make_trainee(username="noemail", email="")
    cards_due(no_email, [make_question("b")])
    assert "0 review nudges queued." in run()
    assert _review_mails() == []


def test_dry_run_sends_and_records_nothing(trainee):
    cards_due(trainee, [make_question("a")])
    output = run("--dry-run")
    assert f"Would send: review 1 due {trainee.email}" in output
    assert "Dry run: 1 review nudge due, none sent." in output
    assert mail.outbox == []
    assert not ReviewPreference.objects.exists()


def test_a_job_run_twice_mails_once(trainee):
    cards_due(trainee, [make_question("a")])
    assert review_nudge_send(user_id=trainee.pk) is True
    assert review_nudge_send(user_id=trainee.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("trainees", [2, 12])
def test_finding_the_nudges_is_one_query(trainees, django_assert_num_queries):
    for i in range(trainees):
        cards_due(make_trainee(username=f"t{trainees}-{i}"), [make_question(f"n{trainees}-{i}")])
    with django_assert_num_queries(1):
        assert len(review_nudges_due()) == trainees
