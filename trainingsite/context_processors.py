from trainingsite.roles import (
    user_is_assessor,
    user_is_educator,
    user_is_manager,
    user_is_trainee,
)


def roles(request):
    """Expose the signed-in user's roles to templates for the navigation."""
    user = getattr(request, "user", None)
    return {
        "is_trainee": user_is_trainee(user),
        "is_educator": user_is_educator(user),
        "is_manager": user_is_manager(user),
        "is_assessor": user_is_assessor(user),
    }
