"""Uploads are stored under random names; the uploader's file name is kept only as metadata.

Before the fix a question image uploaded as "Jane Doe cheek.png" was stored, and
served publicly, as questions/<year>/<month>/Jane Doe cheek.png. The CSV and
question-bank imports are read in memory and store no file at all.
"""

import importlib
import io
import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from quizzes.models import Choice, Question
from quizzes.question_images import ORIGINAL_NAME_MAX_LENGTH
from tests.builders import make_cohort, make_question, make_quiz, question_admin_form, shared_topic

pytestmark = pytest.mark.django_db

STORED = re.compile(r"(questions|choices)/\d{4}/\d{2}/[0-9a-f]{32}\.(png|jpg|webp|gif)")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_bytes(image_format="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, image_format)
    return buffer.getvalue()


def _form(question, **fields):
    fields.setdefault("image_alt", "A gloved hand pressing gauze on the cheek")
    return question_admin_form(question, choice_alt="Pinpoint bleeding", **fields)


def _save(client, question, **fields):
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    response = client.post(url, _form(question, **fields))
    assert response.status_code == 302, response.context and response.context.get("errors")
    question.refresh_from_db()
    return question


def _stored_files(root) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_a_question_image_is_stored_under_a_random_name(educator_client, media_root):
    question = make_question("names-q")
    upload = SimpleUploadedFile("Jane Doe cheek bleed.png", image_bytes())
    question = _save(educator_client, question, image=upload)
    assert STORED.fullmatch(question.image.name), question.image.name
    assert "Jane" not in question.image.name
    assert question.image_original_name == "Jane Doe cheek bleed.png"
    assert _stored_files(media_root) == [question.image.name]


def test_a_choice_image_is_stored_under_a_random_name(educator_client, media_root):
    question = make_question("names-c")
    upload = SimpleUploadedFile("patient 0042.webp", image_bytes("WEBP"))
    _save(educator_client, question, **{"choices-0-image": upload})
    choice = question.choices.order_by("order", "id").first()
    assert STORED.fullmatch(choice.image.name), choice.image.name
    assert choice.image.name.startswith("choices/")
    assert choice.image.name.endswith(".webp")
    assert choice.image_original_name == "patient 0042.webp"


def test_the_stored_extension_follows_the_content_not_the_name(educator_client):
    question = make_question("names-ext")
    upload = SimpleUploadedFile("looks-like.png", image_bytes("JPEG"))
    question = _save(educator_client, question, image=upload)
    assert question.image.name.endswith(".jpg")
    assert question.image_original_name == "looks-like.png"


def test_the_same_file_name_twice_gets_two_unrelated_names(educator_client):
    first, second = make_question("names-1"), make_question("names-2")
    _save(educator_client, first, image=SimpleUploadedFile("same.png", image_bytes()))
    _save(educator_client, second, image=SimpleUploadedFile("same.png", image_bytes()))
    assert first.image.name != second.image.name
    assert first.image.name.rsplit("/", 1)[1][:8] != second.image.name.rsplit("/", 1)[1][:8]


def test_the_original_name_stays_through_edits_and_goes_with_the_image(educator_client):
    question = make_question("names-keep")
    question = _save(educator_client, question, image=SimpleUploadedFile("a.png", image_bytes()))
    stored = question.image.name
    question = _save(educator_client, question, prompt="Reworded prompt?")
    assert (question.image.name, question.image_original_name) == (stored, "a.png")
    question = _save(educator_client, question, **{"image-clear": "on", "image_alt": ""})
    assert (question.image.name, question.image_original_name) == ("", "")


def test_the_admin_shows_the_original_name_read_only(educator_client):
    question = make_question("names-admin")
    question = _save(educator_client, question, image=SimpleUploadedFile("b.png", image_bytes()))
    response = educator_client.get(reverse("admin:quizzes_question_change", args=[question.pk]))
    body = response.content.decode()
    assert "b.png" in body
    assert 'name="image_original_name"' not in body
    form = response.context["adminform"].form
    assert "image_original_name" not in form.fields


def test_an_image_saved_in_code_records_a_printable_name(media_root):
    question = make_question("names-code")
    question.image = SimpleUploadedFile("odd\x07name.png", image_bytes())
    question.image_alt = "x"
    question.save()
    assert STORED.fullmatch(question.image.name)
    assert question.image_original_name == "oddname.png"
    long_name = "n" * 300 + ".png"
    question.image = SimpleUploadedFile(long_name, image_bytes())
    question.save()
    assert len(question.image_original_name) == ORIGINAL_NAME_MAX_LENGTH


def test_the_migration_records_existing_names_as_original():
    migration = importlib.import_module("quizzes.migrations.0007_random_upload_names")
    question = make_question("names-old")
    Question.objects.filter(pk=question.pk).update(
        image="questions/2026/01/old name.png", image_alt="x"
    )
    choice = question.choices.first()
    Choice.objects.filter(pk=choice.pk).update(image="choices/2026/01/c.gif", image_alt="x")
    migration.record_existing_names(apps, None)
    assert Question.objects.get(pk=question.pk).image_original_name == "old name.png"
    assert Choice.objects.get(pk=choice.pk).image_original_name == "c.gif"


def test_a_question_bank_import_stores_no_file(educator_client, media_root, settings, tmp_path):
    # Force even a small upload through a temporary file, as a large one would go.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    quiz = make_quiz(questions=0, slug="names-bank", topic=shared_topic(), status="draft")
    content = b"kind,prompt,choice_1,choice_2,correct\nsingle,Which?,A,B,1\n"
    response = educator_client.post(
        reverse("admin:quizzes_quiz_import_questions", args=[quiz.pk]),
        {"file": SimpleUploadedFile("Jane Doe bank.csv", content)},
    )
    assert response.status_code == 200
    assert response.context["preview"].can_confirm is True
    assert not media_root.exists() or _stored_files(media_root) == []
    assert not any("Jane" in name for name in _stored_files(tmp_path / "uploads"))


def test_a_cohort_csv_import_stores_no_file(client, manager, media_root, settings, tmp_path):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    cohort = make_cohort(managers=[manager])
    client.force_login(manager)
    response = client.post(
        reverse("cohorts:import", args=[cohort.slug]),
        {
            "file": SimpleUploadedFile(
                "Clinic staff Jane Doe.csv", b"name,email\nNew Person,new@example.com\n"
            )
        },
    )
    assert response.status_code == 200
    assert not media_root.exists() or _stored_files(media_root) == []
    assert not any("Jane" in name for name in _stored_files(tmp_path / "uploads"))
