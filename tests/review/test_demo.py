"""The demo trainee has reviews due after `make run` (setup_demo); running it again adds none."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Question, ReviewCard

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
