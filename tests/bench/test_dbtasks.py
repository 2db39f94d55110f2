"""The benchmark's database tasks: the accounts it signs in as, and the lost-answer count."""

import pytest
from django.contrib.auth.hashers import check_password

from bench.dbtasks import BENCH_PASSWORD, prepare, verify
from lessons.models import LessonCompletion
from quizzes import services
from tests.builders import make_bare_lesson, make_cohort, make_quiz, make_trainee

pytestmark = pytest.mark.django_db


def test_prepare_signs_in_as_generated_trainees_first_and_managers_of_every_cohort(trainee):
    generated = make_trainee(username="load-trainee-00001")
    first, second = make_cohort(name="Clinic A"), make_cohort(name="Clinic B")
    lesson = make_bare_lesson()
    make_quiz(2, slug="limited", max_attempts=1)
    quiz = make_quiz(2, slug="open-quiz")
    quiz.prerequisite_lessons.add(lesson)

    state = prepare(users=2)

    assert state["trainees"] == [generated.username, trainee.username]
    assert state["managers"] == ["bench-manager-00", "bench-manager-01"]
    assert state["quiz"] == "open-quiz"
    assert state["lessons"] == [lesson.slug]
    assert state["retention_filters"] == [
        "retention=below&sort=critical",
        "sort=-recall",
        "retention=below&page=2",
        f"cohort={first.slug}&retention=below&sort=critical",
    ]
    for cohort in (first, second):
        assert sorted(cohort.managers.values_list("username", flat=True)) == state["managers"]
    trainee.refresh_from_db()
    assert check_password(BENCH_PASSWORD, trainee.password) is True
    assert LessonCompletion.objects.filter(lesson=lesson).count() == 2


def test_prepare_fills_up_with_bench_trainees_and_leaves_the_demo_trainee_alone():
    demo = make_trainee(username="trainee")
    make_quiz(2, slug="open-quiz")

    state = prepare(users=2)

    assert state["trainees"] == ["bench-trainee-00", "bench-trainee-01"]
    demo.refresh_from_db()
    assert check_password(BENCH_PASSWORD, demo.password) is False


def _confirmed(attempt, positions):
    return {
        "attempt_url": f"/quizzes/attempts/{attempt.uuid}/",
        "answers": {str(q["id"]): positions for q in attempt.paper["questions"]},
        "submitted": False,
    }


def test_verify_finds_no_loss_when_the_database_holds_the_last_confirmed_answers(trainee):
    quiz = make_quiz(3)
    attempt = services.attempt_start(user=trainee, quiz=quiz)
    answers = {q["id"]: [q["choices"][1]["id"]] for q in attempt.paper["questions"]}
    services.attempt_save_answers(attempt=attempt, answers=answers, sequence=0)

    outcome = verify(expected=[_confirmed(attempt, [0]), _confirmed(attempt, [1])])

    assert outcome == {"attempts": 1, "answers_checked": 3, "lost": 0, "details": []}


def test_verify_counts_each_confirmed_answer_the_database_lacks(trainee):
    quiz = make_quiz(3)
    attempt = services.attempt_start(user=trainee, quiz=quiz)

    outcome = verify(expected=[{**_confirmed(attempt, [2]), "submitted": True}])

    assert outcome["lost"] == 4  # three answers, and the attempt is not submitted
    assert outcome["details"][0] == f"attempt {attempt.uuid} was submitted but is in_progress"
