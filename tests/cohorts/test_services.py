"""Cohort services and selectors: adding and inviting trainees, effective assignments."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail

from quizzes.cohorts.selectors import assignments_effective
from quizzes.cohorts.services import (
    ERROR_ALREADY_INVITED,
    ERROR_ALREADY_MEMBER,
    ERROR_NOT_A_TRAINEE,
    Added,
    AddResult,
    CohortError,
    cohort_add_trainee,
)
from quizzes.models import ProgramAssignment
from quizzes.models.cohorts import CohortInvitation
from tests.builders import (
    UserFactory,
    assign_to_cohort,
    make_cohort,
    make_educator,
    make_manager,
    make_program,
)
from trainingsite.models import AuditEvent
from trainingsite.roles import Role, user_is_trainee

pytestmark = pytest.mark.django_db
User = get_user_model()
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


def test_manager_typing_an_existing_trainee_invites_and_adds_nothing(
    manager, trainee, django_capture_on_commit_callbacks
):
    cohort = make_cohort(name="Riverside", managers=[manager])
    with django_capture_on_commit_callbacks(execute=True):
        result = cohort_add_trainee(
            cohort=cohort, actor=manager, email=trainee.email.upper(), **SITE
        )
    assert result == AddResult(outcome=Added.INVITED, email=trainee.email.upper())
    assert list(cohort.trainees.all()) == []
    invitation = CohortInvitation.objects.get()
    assert (invitation.user, invitation.cohort, invitation.invited_by) == (trainee, cohort, manager)
    assert invitation.status == CohortInvitation.Status.PENDING
    assert invitation.email == trainee.email.upper()
    assert len(invitation.token_digest) == 64
    assert [m.to for m in mail.outbox] == [[trainee.email]]
    assert mail.outbox[0].subject == "You are invited to join Riverside"
    assert "https://training.example.org/reports/invitations/" in mail.outbox[0].body
    event = AuditEvent.objects.get(action=AuditEvent.Action.COHORT_INVITATION_SENT)
    assert (event.target_id, event.details) == (str(cohort.pk), {"invited": [trainee.pk]})
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.COHORT_MEMBERSHIP_CHANGED)


def test_the_email_is_sent_only_after_the_commit(
    manager, trainee, django_capture_on_commit_callbacks
):
    cohort = make_cohort(managers=[manager])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cohort_add_trainee(cohort=cohort, actor=manager, email=trainee.email, **SITE)
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_a_second_invitation_while_one_is_open_is_refused(manager, trainee):
    cohort = make_cohort(name="Riverside", managers=[manager])
    cohort_add_trainee(cohort=cohort, actor=manager, email=trainee.email, **SITE)
    with pytest.raises(CohortError) as exc:
        cohort_add_trainee(cohort=cohort, actor=manager, email=trainee.email, **SITE)
    assert str(exc.value) == ERROR_ALREADY_INVITED.format(email=trainee.email, cohort="Riverside")
    assert CohortInvitation.objects.count() == 1


def test_superuser_adds_an_existing_trainee_directly(
    superuser, trainee, django_capture_on_commit_callbacks
):
    cohort = make_cohort()
    with django_capture_on_commit_callbacks(execute=True):
        result = cohort_add_trainee(cohort=cohort, actor=superuser, email=trainee.email, **SITE)
    assert result == AddResult(outcome=Added.ADDED, email=trainee.email)
    assert list(cohort.trainees.all()) == [trainee]
    assert CohortInvitation.objects.exists() is False
    assert mail.outbox == []
    event = AuditEvent.objects.get(action=AuditEvent.Action.COHORT_MEMBERSHIP_CHANGED)
    assert event.details == {"added": [trainee.pk], "created": []}


def _trainee_and_manager():
    person = make_manager(username="both")
    person.groups.add(Group.objects.get(name=Role.TRAINEE))
    return person


@pytest.mark.parametrize(
    "make_person",
    [
        lambda: make_educator(username="ed"),
        lambda: make_manager(username="mo"),
        lambda: UserFactory(username="staffer", is_staff=True),
        lambda: UserFactory(username="boss", is_staff=True, is_superuser=True),
        lambda: _trainee_and_manager(),
    ],
    ids=["educator", "manager", "staff", "superuser", "trainee-and-manager"],
)
@pytest.mark.parametrize("actor_kind", ["manager", "superuser"])
def test_staff_managers_educators_and_superusers_are_never_added_as_trainees(
    manager, superuser, make_person, actor_kind
):
    person = make_person()
    actor = manager if actor_kind == "manager" else superuser
    cohort = make_cohort(managers=[manager])
    with pytest.raises(CohortError) as exc:
        cohort_add_trainee(cohort=cohort, actor=actor, email=person.email, **SITE)
    assert str(exc.value) == ERROR_NOT_A_TRAINEE.format(email=person.email)
    assert cohort.trainees.exists() is False
    assert CohortInvitation.objects.exists() is False


def test_add_new_trainee_creates_account_and_sends_set_password_link(
    manager, django_capture_on_commit_callbacks
):
    cohort = make_cohort(name="Riverside", managers=[manager])
    with django_capture_on_commit_callbacks(execute=True):
        result = cohort_add_trainee(
            cohort=cohort,
            actor=manager,
            email="Nia@Example.com",
            first_name="Nia",
            last_name="Nolan",
            **SITE,
        )
    assert result == AddResult(outcome=Added.CREATED, email="Nia@Example.com")
    user = User.objects.get(email="Nia@Example.com")
    assert list(cohort.trainees.all()) == [user]
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
