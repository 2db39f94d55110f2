"""Import (preview, then confirm), export and the CSV template through the admin."""

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.authoring import forms as authoring_forms
from quizzes.authoring import views as views_authoring
from quizzes.authoring.formats import common, csv_template, gift
from quizzes.authoring.imports import IMPORT_NOTHING_NEW
from quizzes.models import Question, Quiz
from tests.builders import make_question, make_quiz, shared_topic
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "kind,prompt,choice_1,choice_2,correct\n"
    "single,Which is expected?,Pinpoint,Soaking,1\n"
    "true_false,Pressure comes first.,,,true\n"
)


@pytest.fixture
def quiz():
    return make_quiz(questions=0, slug="bank", topic=shared_topic(), status="draft")


def import_url(quiz):
    return reverse("admin:quizzes_quiz_import_questions", args=[quiz.pk])


def upload(client, quiz, content, name="bank.csv", **extra):
    data = {"file": SimpleUploadedFile(name, content), **extra}
    return client.post(import_url(quiz), data)


def test_import_page_links_the_template(educator_client, quiz):
    response = educator_client.get(import_url(quiz))
    assert response.status_code == 200
    assert reverse("admin:quizzes_quiz_question_template") in response.content.decode()


def test_quiz_page_links_import_and_exports(educator_client, quiz):
    html = educator_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content
    html = html.decode()
    assert import_url(quiz) in html
    assert reverse("admin:quizzes_quiz_export_questions", args=[quiz.pk, "gift"]) in html


@pytest.mark.parametrize("persona", ["trainee_client", "manager_client"])
def test_import_is_for_staff_only(request, persona, quiz):
    client = request.getfixturevalue(persona)
    response = client.get(import_url(quiz))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_unknown_quiz_is_404(educator_client):
    response = educator_client.get(reverse("admin:quizzes_quiz_import_questions", args=[999]))
    assert response.status_code == 404


def test_preview_then_confirm(educator_client, educator, quiz):
    response = upload(educator_client, quiz, GOOD_CSV.encode())
    assert response.status_code == 200
    preview = response.context["preview"]
    assert [row.status for row in preview.rows] == ["create", "create"]
    assert Question.objects.count() == 0
    token = response.context["token"]
    assert f'value="{token}"' in response.content.decode()

    response = educator_client.post(import_url(quiz), {"token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    assert list(quiz.questions.order_by("pool_entries__order").values_list("kind", flat=True)) == [
        "single",
        "true_false",
    ]
    assert AuditEvent.objects.get(action=AuditEvent.Action.QUESTIONS_IMPORTED).actor == educator
    followed = educator_client.get(response["Location"])
    assert views_authoring.import_done_message(created=2, quiz=quiz.title, skipped=0) in [
        str(m) for m in followed.context["messages"]
    ]


def test_confirming_twice_creates_nothing_more(educator_client, quiz):
    token = upload(educator_client, quiz, GOOD_CSV.encode()).context["token"]
    educator_client.post(import_url(quiz), {"token": token})
    response = educator_client.post(import_url(quiz), {"token": token})
    assert response.status_code == 400
    assert response.context["problem"] == IMPORT_NOTHING_NEW
    assert quiz.pool.count() == 2


def test_preview_with_errors_offers_no_confirmation(educator_client, quiz):
    text = GOOD_CSV + "single,,a,b,1\n"
    response = upload(educator_client, quiz, text.encode())
    assert response.status_code == 200
    assert response.context["token"] == ""
    errors = response.context["preview"].errors
    assert [(row.line, row.message) for row in errors] == [(4, common.ERROR_EMPTY_PROMPT)]
    assert "Confirm: import" not in response.content.decode()


def test_gift_and_aiken_uploads(educator_client, quiz):
    response = upload(educator_client, quiz, b"Q {=a ~b}\n", name="bank.gift")
    assert len(response.context["preview"].to_create) == 1
    response = upload(
        educator_client, quiz, b"Q\nA. a\nB. b\nANSWER: B\n", name="bank.txt", file_format="aiken"
    )
    assert len(response.context["preview"].to_create) == 1


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("caf\xe9".encode("latin-1"), "bank.csv", common.ERROR_ENCODING),
        (b"x" * (common.MAX_UPLOAD_BYTES + 1), "bank.csv", common.ERROR_TOO_LARGE),
        (b"Q {=a ~b}", "bank.txt", authoring_forms.IMPORT_FORMAT_UNKNOWN),
    ],
)
def test_bad_uploads_are_400_with_a_clear_message(educator_client, quiz, content, name, message):
    response = upload(educator_client, quiz, content, name=name)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [message]
    assert Question.objects.count() == 0


def test_tampered_or_foreign_tokens_are_refused(educator_client, educator, quiz):
    other = make_quiz(questions=0, slug="other", topic=shared_topic(), status="draft")
    good = upload(educator_client, quiz, GOOD_CSV.encode()).context["token"]
    forged = signing.dumps(
        {"quiz": quiz.pk, "user": educator.pk, "format": "csv", "topic": None, "text": GOOD_CSV},
        salt="another-salt",
    )
    for token in (good[:-2] + "xx", forged):
        response = educator_client.post(import_url(quiz), {"token": token})
        assert response.status_code == 400
        assert response.context["problem"] == views_authoring.IMPORT_EXPIRED
    response = educator_client.post(import_url(other), {"token": good})
    assert response.status_code == 400
    assert Question.objects.count() == 0


def test_template_download(educator_client):
    response = educator_client.get(reverse("admin:quizzes_quiz_question_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="question-template.csv"' in response["Content-Disposition"]
    parsed = csv_template.parse(response.content.decode())
    assert parsed.errors == ()
    assert [q.kind for q in parsed.questions] == ["single", "multiple", "true_false"]


def test_export_downloads_and_round_trip_through_the_admin(educator_client):
    topic = shared_topic()
    source = make_quiz(
        questions=[make_question("a-1"), make_question("b-1", kind="multiple")],
        slug="source",
        topic=topic,
    )
    target = make_quiz(questions=0, slug="target", topic=None, status="draft")
    for file_format, parser in (("csv", csv_template.parse), ("gift", gift.parse)):
        response = educator_client.get(
            reverse("admin:quizzes_quiz_export_questions", args=[source.pk, file_format])
        )
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        assert [q.title for q in parser(response.content.decode()).questions] == ["a-1", "b-1"]
    exported = educator_client.get(
        reverse("admin:quizzes_quiz_export_questions", args=[source.pk, "gift"])
    ).content
    token = upload(educator_client, target, exported, name="source.gift").context["token"]
    assert educator_client.post(import_url(target), {"token": token}).status_code == 302
    assert [q.prompt for q in Quiz.objects.get(slug="target").questions.all()] == [
        "Prompt a-1?",
        "Prompt b-1?",
    ]


def test_unknown_export_format_is_404(educator_client, quiz):
    url = reverse("admin:quizzes_quiz_export_questions", args=[quiz.pk, "aiken"])
    assert educator_client.get(url).status_code == 404
