"""The local demo: accounts with a known password, and the shipped content.

Nothing here runs from a migration; only `manage.py setup_demo` (called by
`make run`) creates these accounts.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from trainingsite.roles import Role


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    role: str | None
    is_staff: bool = False
    is_superuser: bool = False


DEMO_ACCOUNTS = [
    DemoAccount("trainee", "Tara", "Trainee", Role.TRAINEE),
    DemoAccount("educator", "Eddie", "Educator", Role.EDUCATOR, is_staff=True),
    DemoAccount("manager", "Maya", "Manager", Role.MANAGER),
    DemoAccount("assessor", "Asha", "Assessor", Role.ASSESSOR),
    DemoAccount("admin", "Ada", "Admin", None, is_staff=True, is_superuser=True),
]


@transaction.atomic
def demo_accounts_ensure() -> list[str]:
    """Create the demo accounts that are missing; leave existing ones untouched.

    Returns the usernames created.
    """
    User = get_user_model()
    created = []
    for account in DEMO_ACCOUNTS:
        user, was_created = User.objects.get_or_create(
            username=account.username,
            defaults={
                "first_name": account.first_name,
                "last_name": account.last_name,
                "email": f"{account.username}@example.com",
                "is_staff": account.is_staff,
                "is_superuser": account.is_superuser,
            },
        )
        if was_created:
            user.set_password(settings.DEMO_PASSWORD)
            user.save(update_fields=["password"])
            if account.role:
                user.groups.add(Group.objects.get(name=account.role))
            created.append(account.username)
    return created
