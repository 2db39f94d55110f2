"""The item-quality check on the database: shipped bank, selector, command and admin panel."""

import json
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from lessons.services import lessons_load
from quizzes.authoring import quality
from quizzes.authoring.content import quizzes_load
from quizzes.authoring.selectors import quality_items, quality_report
from quizzes.models import Question, Quiz
from tests.builders import make_question, make_quiz

pytestmark = pytest.mark.django_db

FIXTURES = settings.BASE_DIR / "fixtures"
WORDS = "pressure depth clotting aftercare consent history needles bruising cooling records".split()
QUALITY_QUERY_BUDGET = 2  # the questions, then their choices


def clean_bank(slug="clean", size=5):
    """A quiz whose pool passes every criterion: `size` single and `size` multiple items."""
    questions = [make_question(f"{slug}-s{i}") for i in range(size)]
    for i, correct in enumerate(([1, 3, 1, 1, 2] * size)[:size]):
        choices = [(f"Option {n}", n < correct) for n in range(4)]
        questions.append(make_question(f"{slug}-m{i}", kind="multiple", choices=choices))
    for number, question in enumerate(questions):
        # One distinct word per prompt: no two prompts share a word.
        Question.objects.filter(pk=question.pk).update(
            prompt=f"{slug} {WORDS[number % 10]}{number}?"
        )
    return make_quiz(questions=questions, slug=slug)


def run(*args):
    """Run the command; return (exit code, output)."""
    out = StringIO()
    try:
        call_command("check_item_quality", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


# The shipped bank ------------------------------------------------------------------


def test_the_shipped_bank_passes_every_criterion_of_the_check():
    lessons_load(directory=FIXTURES / "lessons")
    quizzes_load(directory=FIXTURES / "quizzes")
    report = quality_report()
    keys = set(Question.objects.active().values_list("key", flat=True))
    assert report.items == len(keys) > 0
    assert [c.criterion for c in report.criteria] == list(quality.TITLES)
    for criterion in report.criteria:
        assert criterion.title == quality.TITLES[criterion.criterion]
        assert criterion.summary
        assert isinstance(criterion.passed, bool)
        assert {f.criterion for f in criterion.findings} <= {criterion.criterion}
        assert set(criterion.flagged_keys) <= keys
    print(f"\nShipped bank: {report.items} active items, overall passed={report.passed}")
    for criterion in report.criteria:
        print(f"- {criterion.title}: {'pass' if criterion.passed else 'FAIL'}; {criterion.summary}")
        print(f"  figures {criterion.figures}; flagged {', '.join(criterion.flagged_keys)}")
        for note in criterion.notes:
            print(f"  {note}")
    code, output = run("--json")
    data = json.loads(output)
    # The shipped bank passes every criterion, as a whole and in each quiz's pool.
    assert report.passed, [c.summary for c in report.criteria if not c.passed]
    assert code == 0
    assert (data["items"], data["passed"]) == (report.items, report.passed)
    assert [c["criterion"] for c in data["criteria"]] == list(quality.TITLES)
    for quiz in Quiz.objects.all():
        assert quality_report(quiz=quiz).passed, quiz.slug
        assert (
            quality_report(quiz=quiz).items == quiz.pool.filter(question__status="active").count()
        )


# The selector ----------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 15])
def test_the_selector_reads_a_pool_or_the_bank_in_two_queries(size, django_assert_max_num_queries):
    quiz = clean_bank(size=size)
    make_question("outside")
    with django_assert_max_num_queries(QUALITY_QUERY_BUDGET):
        pool = quality_items(quiz=quiz)
    with django_assert_max_num_queries(QUALITY_QUERY_BUDGET):
        bank = quality_items()
    assert len(pool) == 2 * size
    assert len(bank) == 2 * size + 1
    assert all(len(item.choices) in (3, 4) for item in bank)


def test_the_selector_leaves_out_retired_questions_and_keeps_choice_order():
    question = make_question("kept")
    make_question("gone")
    Question.objects.filter(key="gone").update(status=Question.Status.RETIRED)
    [item] = quality_items()
    assert item.key == question.key
    assert [c.text for c in item.choices] == list(
        question.choices.order_by("order").values_list("text", flat=True)
    )
    assert [c.correct for c in item.choices] == [True, False, False]


# The command -----------------------------------------------------------------------


def test_the_command_passes_a_clean_bank_with_exit_code_zero():
    clean_bank()
    code, output = run()
    assert code == 0
    assert "Item-quality check, whole bank: 10 active items." in output
    assert "Criterion" in output and "Result" in output
    assert output.rstrip().endswith("Overall: pass")


def test_the_command_fails_a_bank_with_a_gap_with_exit_code_one_and_names_the_item():
    clean_bank()
    bare = make_question("bare")
    Question.objects.filter(pk=bare.pk).update(explanation="", prompt="Unrelated wording?")
    code, output = run()
    assert code == 1
    assert re.search(r"Explanations and feedback +FAIL", output)
    assert "bare" in output and quality.NO_EXPLANATION_MESSAGE in output
    assert output.rstrip().endswith("Overall: FAIL")


def test_the_command_checks_one_quizs_pool_with_quiz():
    clean_bank()
    make_question("bare")
    Question.objects.filter(key="bare").update(explanation="")
    assert run("--quiz", "clean")[0] == 0
    assert run()[0] == 1


def test_the_command_prints_json():
    clean_bank()
    code, output = run("--json", "--quiz", "clean")
    data = json.loads(output)
    assert (code, data["items"], data["passed"]) == (0, 10, True)
    balance = next(c for c in data["criteria"] if c["criterion"] == quality.BALANCE)
    assert balance["figures"]["items"] == 5


def test_the_command_refuses_an_unknown_quiz():
    with pytest.raises(CommandError, match="No quiz has the slug 'nope'.") as raised:
        call_command("check_item_quality", "--quiz", "nope")
    assert raised.value.returncode == 2


# The admin panel -------------------------------------------------------------------


def test_the_quiz_change_page_shows_the_item_quality_panel_to_an_educator(educator_client):
    quiz = clean_bank()
    bare = make_question("bare")
    Question.objects.filter(pk=bare.pk).update(explanation="")
    quiz.pool.create(question=bare, order=99)
    page = educator_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        "<caption>Item-quality check of the pool&#x27;s 11 active questions: fails</caption>"
        in html
    )
    assert '<th scope="col">Items flagged</th>' in html
    assert '<tr><th scope="row">Explanations and feedback</th><td>Fail</td>' in html
    assert "without an explanation" in html and "<td>bare</td>" in html
    assert '<tr><th scope="row">Near-duplicate prompts</th><td>Pass</td>' in html


def test_the_quiz_add_page_asks_to_save_first(educator_client):
    page = educator_client.get(reverse("admin:quizzes_quiz_add"))
    assert page.status_code == 200
    assert "Item quality" in page.content.decode()
