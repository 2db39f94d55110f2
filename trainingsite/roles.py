"""The four roles of the site, as Django groups, and the one place to ask about them.

Groups are created by a data migration; their permissions are kept in sync
with ROLE_PERMISSIONS after every `migrate`.
"""

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db.models import TextChoices


class Role(TextChoices):
    TRAINEE = "Trainee", "Trainee"
    EDUCATOR = "Educator", "Educator"
    MANAGER = "Manager", "Manager"
    ASSESSOR = "Assessor", "Assessor"


# Educators author lesson and quiz content in the admin: add, change and view,
# never delete (retiring content keeps history). Apps list their content
# models here as they grow.
EDUCATOR_CONTENT_MODELS: dict[str, list[str]] = {
    "lessons": ["topic", "lesson"],
    "quizzes": [
        "quiz",
        "question",
        "choice",
        "quizquestion",
        "quizblueprintrow",
        "accommodation",
        "program",
        "practicalchecklist",
        "checklistcriterion",
        "attestationstatement",
    ],
}

# Records educators may look at in the admin but never change (trainees' attempts, and
# the program updates their material changes made, with who has updated).
EDUCATOR_VIEW_ONLY_MODELS: dict[str, list[str]] = {
    "quizzes": ["attempt", "programupdate"],
}

ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    Role.TRAINEE: [],
    Role.EDUCATOR: [
        (app_label, f"{action}_{model}")
        for app_label, models in EDUCATOR_CONTENT_MODELS.items()
        for model in models
        for action in ("add", "change", "view")
    ]
    + [
        (app_label, f"view_{model}")
        for app_label, models in EDUCATOR_VIEW_ONLY_MODELS.items()
        for model in models
    ]
    + [("quizzes", "revoke_certificate")],  # any certificate
    # Managers revoke only their cohorts' trainees' certificates (the revoke helpers scope it).
    Role.MANAGER: [("quizzes", "revoke_certificate")],
    # Assessors work on the site's assessment pages, for their assigned cohorts only.
    Role.ASSESSOR: [],
}


def user_role_names(user) -> frozenset[str]:
    """Return the names of the user's role groups, cached on the user object."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def user_is_educator(user) -> bool:
    return bool(user and user.is_authenticated) and (
        user.is_superuser or Role.EDUCATOR in user_role_names(user)
    )


def user_is_manager(user) -> bool:
    return bool(user and user.is_authenticated) and (
        user.is_superuser or Role.MANAGER in user_role_names(user)
    )


def user_is_assessor(user) -> bool:
    """Assessors (and superusers) observe practice and mark written answers in their scope."""
    return bool(user and user.is_authenticated) and (
        user.is_superuser or Role.ASSESSOR in user_role_names(user)
    )


def user_is_trainee(user) -> bool:
    """Trainees are everyone signed in who holds no other role, plus the Trainee group."""
    if not (user and user.is_authenticated):
        return False
    names = user_role_names(user)
    return Role.TRAINEE in names or not (names or user.is_superuser)


def user_primary_role(user) -> str | None:
    """Return the role whose page a user lands on after signing in."""
    if not (user and user.is_authenticated):
        return None
    if user_is_manager(user):
        return Role.MANAGER
    if user_is_educator(user):
        return Role.EDUCATOR
    if user_is_assessor(user):
        return Role.ASSESSOR
    return Role.TRAINEE


def sync_role_permissions(sender=None, **kwargs) -> None:
    """Create the role groups and give each exactly the permissions listed for it."""
    using = kwargs.get("using", "default")
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        perms = []
        for app_label, codename in wanted:
            perm = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)
