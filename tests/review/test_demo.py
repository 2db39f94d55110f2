"""The demo trainee has reviews due after `make run` (setup_demo), running it again adds none,
and the trainees' retention days are recorded so that the manager's overview shows them."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Question, ReviewCard, TraineeRetention

pytestmark = pytest.mark.django_db


def test_setup_demo_gives_the_demo_trainee_reviews_due_once(client):
    out = StringIO()
    call_command("setup_demo", stdout=out)
    assert "The demo trainee has 3 questions due for review." in out.getvalue()
    cards = ReviewCard.objects.filter(user__username="trainee")
    assert cards.filter(due__lte=timezone.now()).count() == 3
    assert set(Question.objects.filter(review_cards__in=cards).values_list("bank", flat=True)) == {
        "practice"
    }

    again = StringIO()
    call_command("setup_demo", stdout=again)
    assert "questions due for review" not in again.getvalue()
    assert cards.count() == 3

    client.force_login(cards.first().user)
    assert "3 questions due for review" in client.get(reverse("trainee_home")).content.decode()


def test_setup_demo_records_the_days_so_the_overview_shows_retention(client):
    out = StringIO()
    call_command("setup_demo", stdout=out)
    assert "Retention figures recorded for 1 trainee." in out.getvalue()
    day = TraineeRetention.objects.get(user__username="trainee")
    assert (day.taken_on, day.cards) == (timezone.localdate(), 3)

    client.force_login(get_user_model().objects.get(username="manager"))
    body = client.get(reverse("reports:overview")).content.decode()
    section = body[body.index('data-testid="retention-table"') :]
    assert "<td>1 of 13</td>" in section
