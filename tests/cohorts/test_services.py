"""Cohort services and selectors: adding trainees, joining with a code, effective assignments."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from quizzes.cohorts.selectors import assignments_effective
from quizzes.cohorts.services import (
    ERROR_ALREADY_MEMBER,
    ERROR_EMAIL_TAKEN,
    CohortError,
    cohort_add_trainee,
    cohort_join,
)
from quizzes.models import ProgramAssignment
from tests.builders import assign_to_cohort, make_cohort, make_program, make_trainee
from trainingsite.models import AuditEvent
from trainingsite.roles import Role, user_is_trainee

pytestmark = pytest.mark.django_db
User = get_user_model()
COHORT_ACTIONS = [AuditEvent.Action.CSV_IMPORTED, AuditEvent.Action.COHORT_MEMBERSHIP_CHANGED]
SITE = {"domain": "training.example.org", "use_https": True}


def test_effective_assignment_takes_the_earliest_due_date(trainee, other_trainee):
    program = make_program(lessons=[], quizzes=[], validity_months=None)
    cohort_a = make_cohort(trainees=[trainee, other_trainee])
    cohort_b = make_cohort(trainees=[trainee])
    assign_to_cohort(cohort_a, program, date(2026, 12, 31))
    assign_to_cohort(cohort_b, program, None)
    ProgramAssignment.objects.create(user=trainee, program=program, due_date=date(2026, 12, 1))
    found = assignments_effective(users=User.objects.all())
    assert found[(trainee.pk, program.pk)].due_date == date(2026, 12, 1)
    assert found[(other_trainee.pk, program.pk)].due_date == date(2026, 12, 31)
    assert len(found) == 2


def test_effective_assignment_without_any_date(trainee, django_assert_num_queries):
    program = make_program(lessons=[], quizzes=[], validity_months=None)
    assign_to_cohort(make_cohort(trainees=[trainee]), program)
    with django_assert_num_queries(1):  # individual and cohort rows in one UNION ALL
        found = assignments_effective(users=User.objects.all(), programs=[program.pk])
    assert found[(trainee.pk, program.pk)].due_date is None


def test_add_existing_account_by_email_in_any_case(
    manager, trainee, django_capture_on_commit_callbacks
):
    cohort = make_cohort(managers=[manager])
    with django_capture_on_commit_callbacks(execute=True):
        user, created = cohort_add_trainee(
            cohort=cohort, actor=manager, email=trainee.email.upper(), **SITE
        )
    assert (user, created) == (trainee, False)
    assert list(cohort.trainees.all()) == [trainee]
    assert mail.outbox == []
    event = AuditEvent.objects.get(action=AuditEvent.Action.COHORT_MEMBERSHIP_CHANGED)
    assert event.target_id == str(cohort.pk)


def test_add_new_trainee_creates_account_and_sends_set_password_link(
    manager, django_capture_on_commit_callbacks
):
    cohort = make_cohort(name="Riverside", managers=[manager])
    with django_capture_on_commit_callbacks(execute=True):
        user, created = cohort_add_trainee(
            cohort=cohort,
            actor=manager,
            email="Nia@Example.com",
            first_name="Nia",
            last_name="Nolan",
            **SITE,
        )
    assert created is True
    assert user.username == "nia@example.com"
    assert user.has_usable_password() is False
    assert user_is_trainee(user) is True
    assert list(user.groups.values_list("name", flat=True)) == [Role.TRAINEE]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Nia@Example.com"]
    assert mail.outbox[0].subject == "Your training account for Riverside"
    assert "https://training.example.org/accounts/reset/" in mail.outbox[0].body


def test_add_member_twice_is_refused(manager, trainee):
    cohort = make_cohort(name="Riverside", managers=[manager], trainees=[trainee])
    with pytest.raises(CohortError) as exc:
        cohort_add_trainee(cohort=cohort, actor=manager, email=trainee.email, **SITE)
    assert str(exc.value) == ERROR_ALREADY_MEMBER.format(name="Tara Trainee", cohort="Riverside")


def test_join_creates_a_trainee_with_password_in_the_cohort():
    cohort = make_cohort(join_code="river-2026")
    user = cohort_join(
        cohort=cohort,
        first_name="Jo",
        last_name="Join",
        email="jo@example.com",
        password="a-long-passphrase-2026",
    )
    assert user.check_password("a-long-passphrase-2026") is True
    assert list(cohort.trainees.all()) == [user]
    assert user_is_trainee(user) is True


def test_join_with_a_used_email_is_refused(trainee):
    cohort = make_cohort(join_code="river-2026")
    with pytest.raises(CohortError) as exc:
        cohort_join(
            cohort=cohort,
            first_name="T",
            last_name="T",
            email=trainee.email.upper(),
            password="a-long-passphrase-2026",
        )
    assert str(exc.value) == ERROR_EMAIL_TAKEN
    assert make_trainee  # the builder stays importable for other tests
