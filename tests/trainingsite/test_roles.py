import pytest
from django.contrib.auth.models import Group, Permission

from trainingsite.roles import (
    ROLE_PERMISSIONS,
    Role,
    sync_role_permissions,
    user_is_educator,
    user_is_manager,
    user_is_trainee,
    user_primary_role,
)

pytestmark = pytest.mark.django_db


def test_migrations_create_the_three_role_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Trainee", "Educator", "Manager"}


def test_every_listed_permission_exists():
    for role, perms in ROLE_PERMISSIONS.items():
        for app_label, codename in perms:
            assert Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).exists(), f"{role}: {app_label}.{codename} does not exist"


def test_educator_group_holds_exactly_the_listed_permissions():
    group = Group.objects.get(name=Role.EDUCATOR)
    held = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert held == set(ROLE_PERMISSIONS[Role.EDUCATOR])
    assert not any(codename.startswith("delete_") for _, codename in held)


def test_sync_restores_removed_permissions_and_removes_extra_ones():
    group = Group.objects.get(name=Role.EDUCATOR)
    group.permissions.set([Permission.objects.get(codename="delete_user")])
    sync_role_permissions()
    held = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert held == set(ROLE_PERMISSIONS[Role.EDUCATOR])


def test_managers_and_trainees_get_no_admin_permissions():
    # Managers may revoke certificates (scoped to their cohorts), and nothing else.
    held = Group.objects.get(name=Role.MANAGER).permissions.values_list(
        "content_type__app_label", "codename"
    )
    assert set(held) == {("quizzes", "revoke_certificate")}
    assert Group.objects.get(name=Role.TRAINEE).permissions.count() == 0


def test_role_helpers(trainee, educator, manager, superuser):
    assert (user_is_trainee(trainee), user_is_educator(trainee), user_is_manager(trainee)) == (
        True,
        False,
        False,
    )
    assert user_is_educator(educator) is True
    assert user_is_manager(educator) is False
    assert user_is_manager(manager) is True
    assert user_is_educator(manager) is False
    assert user_is_manager(superuser) is True
    assert user_is_educator(superuser) is True
    assert user_primary_role(trainee) == Role.TRAINEE
    assert user_primary_role(educator) == Role.EDUCATOR
    assert user_primary_role(manager) == Role.MANAGER


def test_role_lookup_is_cached_on_the_user(trainee, django_assert_num_queries):
    with django_assert_num_queries(1):
        user_is_trainee(trainee)
        user_is_manager(trainee)
        user_is_educator(trainee)
