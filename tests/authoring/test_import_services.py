"""Import preview and confirm, export, and the round trip through the database."""

import re

import pytest
from django.core.management import CommandError, call_command

from quizzes.authoring.formats import CSV, GIFT, common, csv_template, gift
from quizzes.authoring.imports import (
    CREATE,
    DUPLICATE,
    DUPLICATE_IN_FILE,
    DUPLICATE_IN_POOL,
    ERROR,
    ERROR_LESSON_TOPIC,
    ERROR_NO_TOPIC,
    ERROR_UNKNOWN_LESSON,
    ERROR_UNKNOWN_TOPIC,
    IMPORT_HAS_ERRORS,
    IMPORT_NOTHING_NEW,
    ImportRefused,
    question_import_confirm,
    question_import_preview,
    quiz_pool_parsed,
    quiz_questions_export,
)
from quizzes.models import Question, Quiz
from tests.builders import make_bare_lesson, make_question, make_quiz, make_topic, shared_topic
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db

HEADER = (
    "key,kind,prompt,choice_1,choice_2,choice_3,correct,feedback_1,"
    "explanation,points,critical,topic,lesson"
)


def csv_text(*rows):
    return "\n".join([HEADER, *rows]) + "\n"


@pytest.fixture
def topic():
    return shared_topic()


@pytest.fixture
def quiz(topic):
    return make_quiz(questions=0, slug="bank", topic=topic, status="draft")


def test_preview_lists_creations_duplicates_and_errors_and_saves_nothing(quiz, topic):
    existing = make_question("old-1")
    quiz.pool.create(question=existing, order=1)
    text = csv_text(
        ",single,New question?,a,b,,1,,,1,no,,",
        f",single,  {existing.prompt.upper()} ,x,y,,2,,,1,no,,",
        ",single,New   QUESTION?,a,b,,1,,,1,no,,",
        ",essay,Bad kind,a,b,,1,,,1,no,,",
        ",single,Topic?,a,b,,1,,,1,no,nowhere,",
    )
    before = Question.objects.count()
    preview = question_import_preview(quiz=quiz, text=text, file_format=CSV)
    assert Question.objects.count() == before
    assert [(row.line, row.status, row.message) for row in preview.rows] == [
        (2, CREATE, ""),
        (3, DUPLICATE, DUPLICATE_IN_POOL.format(key="old-1")),
        (4, DUPLICATE, DUPLICATE_IN_FILE.format(line=2)),
        (5, ERROR, common.ERROR_UNKNOWN_KIND),
        (6, ERROR, ERROR_UNKNOWN_TOPIC.format(slug="nowhere")),
    ]
    assert preview.can_confirm is False


def test_same_prompt_of_another_kind_is_not_a_duplicate(quiz):
    quiz.pool.create(question=make_question("old-1", kind="single"), order=1)
    text = csv_text(",true_false,Prompt old-1?,,,,1,,,1,no,,")
    preview = question_import_preview(quiz=quiz, text=text, file_format=CSV)
    assert [row.status for row in preview.rows] == [CREATE]


def test_topic_comes_from_the_row_the_lesson_the_default_or_the_quiz(quiz, topic):
    other = make_topic(slug="why", title="Why", order=2)
    lesson = make_bare_lesson(slug="why-lesson", topic=other)
    text = csv_text(
        ",single,A?,a,b,,1,,,1,no,why,",
        ",single,B?,a,b,,1,,,1,no,,why-lesson",
        ",single,C?,a,b,,1,,,1,no,,",
    )
    rows = question_import_preview(quiz=quiz, text=text, file_format=CSV).rows
    assert [row.topic for row in rows] == [other, other, topic]
    assert rows[1].lesson == lesson
    rows = question_import_preview(quiz=quiz, text=text, file_format=CSV, default_topic=other).rows
    assert rows[2].topic == other


def test_lesson_errors_and_missing_topic(topic):
    quiz = make_quiz(questions=0, slug="final", topic=None)
    make_bare_lesson(slug="pressure", topic=topic)
    make_topic(slug="why", title="Why", order=2)
    text = csv_text(
        ",single,A?,a,b,,1,,,1,no,,",
        ",single,B?,a,b,,1,,,1,no,,missing",
        ",single,C?,a,b,,1,,,1,no,why,pressure",
    )
    rows = question_import_preview(quiz=quiz, text=text, file_format=CSV).rows
    assert [(row.line, row.message) for row in rows] == [
        (2, ERROR_NO_TOPIC),
        (3, ERROR_UNKNOWN_LESSON.format(slug="missing")),
        (3, ERROR_NO_TOPIC),
        (4, ERROR_LESSON_TOPIC.format(slug="pressure", topic="why")),
    ]


def test_confirm_creates_questions_choices_pool_entries_and_an_audit_event(quiz, educator):
    quiz.pool.create(question=make_question("old-1"), order=5)
    text = csv_text(
        "pinpoint,single,Which?,Pinpoint,Soaking,,1,Right.,Because.,2,yes,,",
        ",multiple,Select all,a,b,c,1;3,,,1,no,,",
        ",true_false,Pressure first?,,,,true,,,1,no,,",
        ",single,Prompt old-1?,x,y,,1,,,1,no,,",
    )
    outcome = question_import_confirm(quiz=quiz, text=text, file_format=CSV, actor=educator)
    assert [q.key for q in outcome.created] == ["pinpoint", "bank-3", "bank-4"]
    assert outcome.duplicates_skipped == 1
    first = Question.objects.get(key="pinpoint")
    assert (first.kind, first.points, first.critical, first.explanation) == (
        "single",
        2,
        True,
        "Because.",
    )
    assert list(first.choices.values_list("text", "is_correct", "feedback", "order")) == [
        ("Pinpoint", True, "Right.", 0),
        ("Soaking", False, "", 1),
    ]
    assert list(quiz.pool.order_by("order").values_list("question__key", "order")) == [
        ("old-1", 5),
        ("pinpoint", 6),
        ("bank-3", 7),
        ("bank-4", 8),
    ]
    event = AuditEvent.objects.get(action=AuditEvent.Action.QUESTIONS_IMPORTED)
    assert event.actor == educator
    assert event.target_id == str(quiz.pk)
    assert event.details["created"] == ["pinpoint", "bank-3", "bank-4"]
    assert event.details["duplicates_skipped"] == 1


def test_confirm_with_one_bad_line_saves_nothing(quiz, educator):
    text = csv_text(",single,Good?,a,b,,1,,,1,no,,", ",single,Bad?,a,b,,1;2,,,1,no,,")
    with pytest.raises(ImportRefused) as excinfo:
        question_import_confirm(quiz=quiz, text=text, file_format=CSV, actor=educator)
    assert excinfo.value.message == IMPORT_HAS_ERRORS
    assert excinfo.value.preview.errors[0].line == 3
    assert Question.objects.count() == 0
    assert quiz.pool.count() == 0
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.QUESTIONS_IMPORTED).exists()


def test_confirm_with_only_duplicates_is_refused(quiz, educator):
    quiz.pool.create(question=make_question("old-1"), order=1)
    with pytest.raises(ImportRefused) as excinfo:
        question_import_confirm(
            quiz=quiz,
            text=csv_text(",single,Prompt old-1?,a,b,,1,,,1,no,,"),
            file_format=CSV,
            actor=educator,
        )
    assert excinfo.value.message == IMPORT_NOTHING_NEW


def test_taken_keys_get_a_number(quiz, educator):
    make_question("pinpoint")
    text = csv_text("pinpoint,single,A?,a,b,,1,,,1,no,,", "Pinpoint,single,B?,a,b,,1,,,1,no,,")
    outcome = question_import_confirm(quiz=quiz, text=text, file_format=CSV, actor=educator)
    assert [q.key for q in outcome.created] == ["pinpoint-2", "pinpoint-3"]


def _bank(topic):
    lesson = make_bare_lesson(slug="pressure", topic=topic)
    questions = [
        make_question("s-1", kind="single", lesson=lesson, points=3, critical=True),
        make_question("m-1", kind="multiple"),
        make_question("tf-1", kind="true_false", lesson=lesson),
    ]
    retired = make_question("old-retired")
    retired.status = Question.Status.RETIRED
    retired.save()
    return make_quiz(questions=[*questions, retired], slug="source", topic=topic)


def _content(quiz):
    return [q.content() for q in quiz_pool_parsed(quiz=quiz)]


@pytest.mark.parametrize("file_format", [CSV, GIFT])
def test_export_then_import_into_a_new_quiz_gives_the_same_questions(topic, educator, file_format):
    source = _bank(topic)
    exported = quiz_questions_export(quiz=source, file_format=file_format)
    target = make_quiz(questions=0, slug="copy", topic=None, status="draft")
    outcome = question_import_confirm(
        quiz=target, text=exported, file_format=file_format, actor=educator
    )
    assert len(outcome.created) == 3
    assert _content(target) == _content(source)
    assert [q.key for q in outcome.created] == ["s-1-2", "m-1-2", "tf-1-2"]


def test_export_leaves_out_retired_questions_and_writes_keys(topic):
    source = _bank(topic)
    exported = quiz_questions_export(quiz=source, file_format=CSV)
    parsed = csv_template.parse(exported)
    assert [q.title for q in parsed.questions] == ["s-1", "m-1", "tf-1"]
    assert parsed.questions[0].topic == topic.slug
    assert parsed.questions[0].lesson == "pressure"
    assert "::tf-1::" in quiz_questions_export(quiz=source, file_format=GIFT)


def test_hand_written_gift_imports(quiz, educator):
    text = (
        "::q1::Which is expected? {=Pinpoint bleeding ~Soaking gauze}\n\n"
        "Firm pressure comes first. {T####Pressure stops most oozing.}\n"
    )
    outcome = question_import_confirm(quiz=quiz, text=text, file_format=GIFT, actor=educator)
    assert [q.kind for q in outcome.created] == ["single", "true_false"]
    assert outcome.created[1].explanation == "Pressure stops most oozing."


def test_confirm_query_count_does_not_grow_with_the_file(
    quiz, educator, django_assert_max_num_queries
):
    def rows(count, start):
        return [f",single,Question {start + n}?,a,b,,1,,,1,no,," for n in range(count)]

    with django_assert_max_num_queries(12):
        question_import_confirm(
            quiz=quiz, text=csv_text(*rows(5, 0)), file_format=CSV, actor=educator
        )
    with django_assert_max_num_queries(12):
        question_import_confirm(
            quiz=quiz, text=csv_text(*rows(60, 100)), file_format=CSV, actor=educator
        )
    assert quiz.pool.count() == 65


def test_command_dry_run_saves_nothing(quiz, tmp_path):
    path = tmp_path / "bank.csv"
    path.write_text(csv_text(",single,A?,a,b,,1,,,1,no,,"), encoding="utf-8")
    out = _call("bank", path, "--dry-run")
    assert out.strip() == "Dry run: 1 to create, 0 duplicates, 0 errors. Nothing was saved."
    assert Question.objects.count() == 0


def test_command_imports_gift_by_extension_with_a_topic(tmp_path):
    make_topic(slug="why", title="Why", order=2)
    make_quiz(questions=0, slug="final", topic=None)
    path = tmp_path / "bank.gift"
    path.write_text(gift.write(csv_template.EXAMPLES), encoding="utf-8")
    out = _call("final", path, "--topic", "why")
    assert "Imported 3 questions into final; skipped 0 duplicates." in out
    assert set(Quiz.objects.get(slug="final").questions.values_list("topic__slug", flat=True)) == {
        "why"
    }
    event = AuditEvent.objects.get(action=AuditEvent.Action.QUESTIONS_IMPORTED)
    assert event.actor is None


def test_command_reports_errors_with_lines_and_saves_nothing(quiz, tmp_path):
    path = tmp_path / "bank.aiken"
    path.write_text("Good?\nA. a\nB. b\nANSWER: A\n\nBad?\nA. a\nB. b\n", encoding="utf-8")
    with pytest.raises(CommandError) as excinfo:
        _call("bank", path)
    assert str(excinfo.value) == f"1 to create, 0 duplicates, 1 error. {IMPORT_HAS_ERRORS}"
    assert Question.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("caf\xe9".encode("latin-1"), common.ERROR_ENCODING),
        (b"x" * (common.MAX_UPLOAD_BYTES + 1), common.ERROR_TOO_LARGE),
    ],
)
def test_command_rejects_bad_files(quiz, tmp_path, content, message):
    path = tmp_path / "bank.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=re.escape(message)):
        _call("bank", path)


def test_command_unknown_quiz(tmp_path):
    with pytest.raises(CommandError, match="No quiz with the slug “nope”."):
        _call("nope", tmp_path / "x.csv")


def _call(*args):
    from io import StringIO

    out = StringIO()
    call_command("import_questions", *[str(a) for a in args], stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("size", [3, 30])
def test_export_uses_two_queries_whatever_the_pool_size(topic, size, django_assert_num_queries):
    quiz = make_quiz(questions=size, slug=f"pool-{size}", topic=topic)
    with django_assert_num_queries(2):
        text = quiz_questions_export(quiz=quiz, file_format=CSV)
    assert len(csv_template.parse(text).questions) == size


def test_preview_uses_a_fixed_number_of_queries(quiz, django_assert_num_queries):
    rows = [f",single,Question {n}?,a,b,,1,,,1,no,managing-bleeding,pressure" for n in range(40)]
    make_bare_lesson(slug="pressure")
    with django_assert_num_queries(3):
        preview = question_import_preview(quiz=quiz, text=csv_text(*rows), file_format=CSV)
    assert len(preview.to_create) == 40
