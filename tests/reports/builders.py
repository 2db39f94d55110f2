"""Small builders for cohort and report tests."""

from itertools import count

from quizzes.models import Cohort, CohortMembership, CohortProgram, Program

_seq = count(1)


def make_cohort(*, name=None, managers=(), trainees=(), join_code=None):
    n = next(_seq)
    cohort = Cohort.objects.create(
        name=name or f"Cohort {n}", slug=f"cohort-{n}", join_code=join_code
    )
    cohort.managers.add(*managers)
    for trainee in trainees:
        CohortMembership.objects.create(cohort=cohort, user=trainee)
    return cohort


def make_program(*, name=None, lessons=(), quizzes=(), validity_months=None):
    n = next(_seq)
    program = Program.objects.create(
        name=name or f"Program {n}",
        slug=f"program-{n}",
        status=Program.Status.PUBLISHED,
        validity_months=validity_months,
    )
    program.required_lessons.add(*lessons)
    program.required_quizzes.add(*quizzes)
    return program


def assign_to_cohort(cohort, program, due_date=None):
    return CohortProgram.objects.create(cohort=cohort, program=program, due_date=due_date)


def make_topic_and_lesson(n=None):
    from lessons.models import Lesson, Topic

    n = n or next(_seq)
    topic = Topic.objects.create(title=f"Topic {n}", slug=f"topic-{n}", order=n)
    lesson = Lesson.objects.create(
        topic=topic,
        title=f"Lesson {n}",
        slug=f"lesson-{n}",
        summary="A lesson.",
        status=Lesson.Status.PUBLISHED,
    )
    return topic, lesson


def make_quiz(*, topic, questions=2, choices=3):
    """A published quiz with one-point single-choice questions; choice 0 is correct."""
    from quizzes.models import Choice, Question, Quiz, QuizQuestion

    n = next(_seq)
    quiz = Quiz.objects.create(
        title=f"Quiz {n}", slug=f"quiz-{n}", topic=topic, status=Quiz.Status.PUBLISHED
    )
    for i in range(questions):
        question = Question.objects.create(key=f"q{n}-{i}", prompt=f"Question {i}?", topic=topic)
        for j in range(choices):
            Choice.objects.create(question=question, text=f"Choice {j}", is_correct=j == 0, order=j)
        QuizQuestion.objects.create(quiz=quiz, question=question, order=i)
    return quiz


def make_attempt(*, user, quiz, answers, started_at, minutes=10, pass_mark=80):
    """A submitted graded attempt; `answers` lists the chosen choice index per question."""
    from datetime import timedelta

    from quizzes.models import Attempt, AttemptAnswer

    questions = list(quiz.pool.order_by("order").select_related("question"))
    rows = []
    points = 0
    for entry, index in zip(questions, answers, strict=True):
        choices = list(entry.question.choices.order_by("order"))
        picked = [choices[index].pk] if index is not None else []
        awarded = 1.0 if index == 0 else 0.0
        points += awarded
        rows.append((entry.question, picked, awarded))
    percent = 100.0 * points / len(questions)
    attempt = Attempt.objects.create(
        user=user,
        quiz=quiz,
        kind=Attempt.Kind.GRADED,
        state=Attempt.State.SUBMITTED,
        started_at=started_at,
        submitted_at=started_at + timedelta(minutes=minutes),
        points=points,
        max_points=float(len(questions)),
        percent=percent,
        passed=percent >= pass_mark,
    )
    AttemptAnswer.objects.bulk_create(
        [
            AttemptAnswer(
                attempt=attempt, question=q, selected=picked, awarded=aw, is_correct=aw == 1.0
            )
            for q, picked, aw in rows
        ]
    )
    return attempt


def make_certificate(*, user, program, issued_at, expires_at=None, cycle=1):
    from quizzes.certification.codes import code_generate
    from quizzes.models import Certificate

    return Certificate.objects.create(
        user=user,
        program=program,
        holder_name=user.get_full_name(),
        issued_at=issued_at,
        expires_at=expires_at,
        code=code_generate(),
        cycle=cycle,
    )
