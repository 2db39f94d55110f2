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
