from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from trainingsite.roles import Role, user_primary_role

ROLE_LANDING = {
    Role.TRAINEE: "trainee_home",
    Role.EDUCATOR: "educator_home",
    Role.MANAGER: "manager_home",
    Role.ASSESSOR: "observations:home",
}


def home(request):
    """Describe the training to visitors; send signed-in users to their role's page."""
    role = user_primary_role(request.user)
    if role is not None:
        return redirect(ROLE_LANDING[role])
    return render(request, "trainingsite/home.html")


@never_cache
def healthz(request):
    """Answer load balancers without touching the session or the database."""
    return HttpResponse("ok", content_type="text/plain")


def bad_request(request, exception=None):
    """Render the styled 400 page without Django's CSRF check, which reads the body again.

    A view's BadRequest carries a message written for the user ("Unknown status
    'foo'. Choose one of: ..."), shown escaped; other 400s (a suspicious host or
    header) keep their message to the log.
    """
    message = str(exception) if isinstance(exception, BadRequest) else ""
    return render(request, "400.html", {"message": message}, status=400)


def page_not_found(request, exception=None):
    """The styled 404 page, which likewise never reads the body (see bad_request)."""
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)
