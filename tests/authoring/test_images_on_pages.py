"""Question and choice images appear on the attempt and review pages with their alt text."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from quizzes.models import Question
from quizzes.services import attempt_start, attempt_submit
from tests.builders import make_question, make_quiz

pytestmark = pytest.mark.django_db

QUESTION_ALT = "Gauze held firmly over a treated cheek"
CHOICE_ALT = "Pinpoint bleeding across the forehead"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (3, 3), "blue").save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="picture.png")


@pytest.fixture
def attempt(trainee):
    question = make_question("pictured")
    question.image.save("pressure.png", png(), save=False)
    question.image_alt = QUESTION_ALT
    question.save()
    choice = question.choices.order_by("order").first()
    choice.image.save("dots.png", png(), save=False)
    choice.image_alt = CHOICE_ALT
    choice.save()
    quiz = make_quiz(questions=[question], slug="pictures")
    return attempt_start(user=trainee, quiz=quiz), question, choice


def image_tag(url, alt):
    return f'<img src="{url}" alt="{alt}" class="img-fluid'


def test_attempt_page_shows_images_with_alt_text(trainee_client, attempt):
    attempt, question, choice = attempt
    html = trainee_client.get(reverse("quizzes:attempt", args=[attempt.uuid])).content.decode()
    assert image_tag(question.image.url, QUESTION_ALT) in html
    assert image_tag(choice.image.url, CHOICE_ALT) in html


def test_review_page_shows_the_images_frozen_on_the_paper(trainee_client, attempt):
    attempt, question, choice = attempt
    attempt_submit(attempt=attempt)
    old_url = question.image.url
    # A later change of picture does not change the review of a past attempt.
    Question.objects.filter(pk=question.pk).update(image="questions/other.png")
    html = trainee_client.get(reverse("quizzes:result", args=[attempt.uuid])).content.decode()
    assert image_tag(old_url, QUESTION_ALT) in html
    assert image_tag(choice.image.url, CHOICE_ALT) in html
    assert "other.png" not in html


def test_question_without_image_has_no_img_tag(trainee_client, trainee):
    quiz = make_quiz(questions=1, slug="plain")
    attempt = attempt_start(user=trainee, quiz=quiz)
    html = trainee_client.get(reverse("quizzes:attempt", args=[attempt.uuid])).content.decode()
    assert "<img" not in html
