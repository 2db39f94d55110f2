import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from trainingsite.demo import DEMO_ACCOUNTS
from trainingsite.roles import user_primary_role

pytestmark = pytest.mark.django_db


def test_setup_demo_creates_the_five_accounts_with_the_demo_password(settings):
    call_command("setup_demo", verbosity=0)
    User = get_user_model()
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password(settings.DEMO_PASSWORD) is True
    assert user_primary_role(User.objects.get(username="trainee")) == "Trainee"
    assert user_primary_role(User.objects.get(username="educator")) == "Educator"
    assert user_primary_role(User.objects.get(username="manager")) == "Manager"
    assert user_primary_role(User.objects.get(username="assessor")) == "Assessor"
    assert User.objects.get(username="admin").is_superuser is True


def test_setup_demo_twice_changes_nothing_and_keeps_changed_passwords():
    call_command("setup_demo", verbosity=0)
    User = get_user_model()
    user = User.objects.get(username="trainee")
    user.set_password("my-own-password-2026")
    user.save()
    call_command("setup_demo", verbosity=0)
    assert User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).count() == 5
    user.refresh_from_db()
    assert user.check_password("my-own-password-2026") is True
    assert user.groups.count() == 1


def test_migrations_alone_create_no_accounts():
    assert get_user_model().objects.count() == 0
