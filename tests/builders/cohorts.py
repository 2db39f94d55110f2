"""Builders for cohorts: managers, members and the programs a cohort is assigned."""

from itertools import count

from quizzes.models import Cohort, CohortMembership, CohortProgram

_numbers = count(1)


def make_cohort(*, name=None, managers=(), trainees=(), join_code=None) -> Cohort:
    n = next(_numbers)
    cohort = Cohort.objects.create(
        name=name or f"Cohort {n}", slug=f"cohort-{n}", join_code=join_code
    )
    cohort.managers.add(*managers)
    for trainee in trainees:
        CohortMembership.objects.create(cohort=cohort, user=trainee)
    return cohort


def assign_to_cohort(cohort, program, due_date=None) -> CohortProgram:
    return CohortProgram.objects.create(cohort=cohort, program=program, due_date=due_date)
