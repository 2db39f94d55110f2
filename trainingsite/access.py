"""View decorators that turn the role helpers into access checks."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from trainingsite.roles import user_is_assessor, user_is_educator, user_is_manager

NOT_A_MANAGER = "This page is for managers."
NOT_AN_EDUCATOR = "This page is for educators."
NOT_AN_ASSESSOR = "This page is for assessors."


def _role_required(check: Callable, message: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


manager_required = _role_required(user_is_manager, NOT_A_MANAGER)
educator_required = _role_required(user_is_educator, NOT_AN_EDUCATOR)
assessor_required = _role_required(user_is_assessor, NOT_AN_ASSESSOR)
