"""Question admin: images with alt text, regrade impact before saving, retire not delete,
and duplicating a quiz with its questions."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from quizzes.authoring import admin as admin_authoring
from quizzes.authoring.services import (
    QUESTION_DELETE_REFUSED,
    QUESTIONS_RETIRED,
    QuestionInUse,
    question_delete,
    quiz_duplicate,
)
from quizzes.models import Attempt, Choice, Question, Quiz
from quizzes.question_images import IMAGE_ALT_REQUIRED, IMAGE_TOO_LARGE, IMAGE_WRONG_TYPE
from quizzes.services import attempt_save_answers, attempt_start, attempt_submit
from tests.builders import (
    make_bare_lesson,
    make_question,
    make_quiz,
    make_trainee,
    question_admin_form,
    shared_topic,
)
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_bytes(image_format="PNG", size=(4, 3)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, image_format)
    return buffer.getvalue()


def change_url(question):
    return reverse("admin:quizzes_question_change", args=[question.pk])


# Images


def test_question_image_with_alt_text_is_saved(educator_client):
    question = make_question("img-1")
    data = question_admin_form(question, image_alt="A gloved hand pressing gauze on the cheek")
    data["image"] = SimpleUploadedFile("pressure.png", image_bytes())
    response = educator_client.post(change_url(question), data)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.image.name.startswith("questions/")
    assert question.image_alt == "A gloved hand pressing gauze on the cheek"


def test_choice_image_with_alt_text_is_saved(educator_client):
    question = make_question("img-2")
    data = question_admin_form(question, **{"choices-0-image_alt": "Pinpoint bleeding"})
    data["choices-0-image"] = SimpleUploadedFile("dots.webp", image_bytes("WEBP"))
    assert educator_client.post(change_url(question), data).status_code == 302
    choice = question.choices.order_by("order").first()
    assert choice.image.name.startswith("choices/")


def test_image_without_alt_text_is_refused(educator_client):
    question = make_question("img-3")
    data = question_admin_form(question)
    data["image"] = SimpleUploadedFile("pressure.png", image_bytes())
    response = educator_client.post(change_url(question), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["image_alt"] == [IMAGE_ALT_REQUIRED]
    question.refresh_from_db()
    assert question.image.name == ""


def test_choice_image_without_alt_text_is_refused(educator_client):
    question = make_question("img-4")
    data = question_admin_form(question)
    data["choices-1-image"] = SimpleUploadedFile("x.gif", image_bytes("GIF"))
    response = educator_client.post(change_url(question), data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[1].errors["image_alt"] == [IMAGE_ALT_REQUIRED]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.png", b"this is not an image at all", IMAGE_WRONG_TYPE),
        ("scan.png", image_bytes("BMP"), IMAGE_WRONG_TYPE),
        ("scan.tiff", image_bytes("TIFF"), IMAGE_WRONG_TYPE),
        ("huge.png", image_bytes() + b"\0" * (2 * 1024 * 1024), IMAGE_TOO_LARGE),
    ],
)
def test_wrong_type_or_too_large_image_is_refused(educator_client, name, content, message):
    question = make_question("img-5")
    data = question_admin_form(question, image_alt="Something")
    data["image"] = SimpleUploadedFile(name, content)
    response = educator_client.post(change_url(question), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["image"] == [message]


def test_the_database_refuses_an_image_without_alt_text():
    from django.db import IntegrityError, transaction

    question = make_question("img-6")
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.filter(pk=question.pk).update(image="questions/x.png", image_alt="")


# Regrade impact before saving


@pytest.fixture
def answered():
    """q1 (2 points) answered by ana (wrongly) and ben (rightly) on a quiz passing at 80%."""
    q1 = make_question("q1", points=2, choices=[("R", True), ("W", False)])
    q2 = make_question("q2", points=3, choices=[("ok", True), ("no", False)])
    quiz = make_quiz(questions=[q1, q2], slug="case", pass_mark=80)
    attempts = {}
    for name, picks in {"ana": ("W", "ok"), "ben": ("R", "ok")}.items():
        attempt = attempt_start(user=make_trainee(username=name), quiz=quiz)
        answers = {
            q["id"]: [c["id"] for c in q["choices"] if c["text"].startswith(f"{pick} (")]
            for q, pick in zip(attempt.paper["questions"], picks, strict=True)
        }
        attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence)
        attempts[name] = attempt_submit(attempt=attempt)
    return q1, attempts


def test_key_change_shows_the_impact_before_saving(educator_client, answered):
    q1, _ = answered
    response = educator_client.post(change_url(q1), question_admin_form(q1, correct=[False, True]))
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "authoring/regrade_impact.html"
    impact = response.context["impact"]
    assert (impact.score_changes, impact.pass_changes, impact.trainees_changing_status) == (
        2,
        2,
        2,
    )
    html = response.content.decode()
    assert '<span id="score-changes">2</span>' in html
    assert 'value="keep" id="decision-keep" checked' in html
    # Nothing is saved yet.
    assert list(q1.choices.order_by("order").values_list("is_correct", flat=True)) == [True, False]


def test_keep_saves_the_key_and_leaves_past_results(educator_client, answered):
    q1, attempts = answered
    data = question_admin_form(q1, correct=[False, True], _regrade_decision="keep")
    response = educator_client.post(change_url(q1), data)
    assert response.status_code == 302
    assert list(q1.choices.order_by("order").values_list("is_correct", flat=True)) == [False, True]
    ana = Attempt.objects.get(pk=attempts["ana"].pk)
    assert (ana.points, ana.passed) == (3.0, False)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT_REGRADED).exists()
    messages = [str(m) for m in educator_client.get(response["Location"]).context["messages"]]
    assert admin_authoring.KEPT in messages


def test_regrade_saves_the_key_and_rescores_past_attempts(educator_client, educator, answered):
    q1, attempts = answered
    data = question_admin_form(q1, correct=[False, True], _regrade_decision="regrade")
    response = educator_client.post(change_url(q1), data)
    assert response.status_code == 302
    ana = Attempt.objects.get(pk=attempts["ana"].pk)
    ben = Attempt.objects.get(pk=attempts["ben"].pk)
    assert (ana.points, ana.passed) == (5.0, True)
    assert (ben.points, ben.passed) == (3.0, False)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT_REGRADED)
    assert {(e.actor, e.details["question"]) for e in events} == {(educator, "q1")}
    assert events.count() == 2
    messages = [str(m) for m in educator_client.get(response["Location"]).context["messages"]]
    assert admin_authoring.regraded_message(attempts=2, trainees=2, certificates="") in messages


def test_points_change_also_shows_the_impact(educator_client, answered):
    q1, _ = answered
    response = educator_client.post(change_url(q1), question_admin_form(q1, points=4))
    assert response.context["points_after"] == 4
    assert response.context["impact"].score_changes == 2


def test_changing_only_the_wording_saves_straight_away(educator_client, answered):
    q1, _ = answered
    response = educator_client.post(
        change_url(q1), question_admin_form(q1, prompt="Clearer wording?")
    )
    assert response.status_code == 302
    q1.refresh_from_db()
    assert q1.prompt == "Clearer wording?"


def test_unanswered_question_saves_straight_away(educator_client):
    question = make_question("fresh")
    response = educator_client.post(
        change_url(question), question_admin_form(question, correct=[False, True, False])
    )
    assert response.status_code == 302


# Retire instead of delete


def test_deleting_an_answered_question_is_refused_with_an_explanation(client, superuser, answered):
    q1, _ = answered
    client.force_login(superuser)
    response = client.get(reverse("admin:quizzes_question_delete", args=[q1.pk]))
    assert response.status_code == 302
    assert response["Location"] == change_url(q1)
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert QUESTION_DELETE_REFUSED.format(key="q1", count=2) in messages
    response = client.post(reverse("admin:quizzes_question_delete", args=[q1.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert Question.objects.filter(pk=q1.pk).exists()


def test_an_unanswered_question_outside_pools_can_be_deleted_by_a_superuser(client, superuser):
    question = make_question("unused")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:quizzes_question_delete", args=[question.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Question.objects.filter(pk=question.pk).exists()


def test_the_service_refuses_to_delete_an_answered_question(answered):
    q1, _ = answered
    with pytest.raises(QuestionInUse) as excinfo:
        question_delete(question=q1)
    assert excinfo.value.message == QUESTION_DELETE_REFUSED.format(key="q1", count=2)


def test_retire_action(educator_client, answered):
    q1, _ = answered
    response = educator_client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": "retire_questions", "_selected_action": [str(q1.pk)]},
    )
    assert response.status_code == 302
    q1.refresh_from_db()
    assert q1.status == Question.Status.RETIRED
    messages = [str(m) for m in educator_client.get(response["Location"]).context["messages"]]
    assert QUESTIONS_RETIRED.format(count=1) in messages


# Duplicate a quiz


def test_duplicate_quiz_copies_settings_and_questions_as_new_ones(educator_client):
    topic = shared_topic()
    lesson = make_bare_lesson(topic=topic)
    quiz = make_quiz(
        questions=[make_question("d-1", lesson=lesson), make_question("d-2", kind="multiple")],
        slug="original",
        topic=topic,
        pass_mark=70,
    )
    quiz.lessons.add(lesson)
    response = educator_client.post(
        reverse("admin:quizzes_quiz_changelist"),
        {"action": "duplicate_quizzes", "_selected_action": [str(quiz.pk)]},
    )
    assert response.status_code == 302
    copy = Quiz.objects.get(slug="original-copy")
    assert (copy.title, copy.status, copy.pass_mark, copy.topic) == (
        "Quiz original (copy)",
        "draft",
        70,
        topic,
    )
    assert list(copy.lessons.all()) == [lesson]
    copies = list(copy.questions.order_by("pool_entries__order"))
    assert [q.key for q in copies] == ["d-1-original-copy", "d-2-original-copy"]
    assert [q.prompt for q in copies] == ["Prompt d-1?", "Prompt d-2?"]
    assert set(copies).isdisjoint(quiz.questions.all())
    assert list(copies[1].choices.values_list("text", "is_correct")) == list(
        Question.objects.get(key="d-2").choices.values_list("text", "is_correct")
    )
    # Editing the copy leaves the original alone.
    Choice.objects.filter(question=copies[0]).update(is_correct=False)
    assert Question.objects.get(key="d-1").choices.filter(is_correct=True).count() == 1


def test_duplicating_twice_gives_distinct_slugs_and_keys():
    quiz = make_quiz(questions=1, slug="twice")
    first, second = quiz_duplicate(quiz=quiz), quiz_duplicate(quiz=quiz)
    assert (first.slug, second.slug) == ("twice-copy", "twice-copy-2")
    assert second.pool.count() == 1
