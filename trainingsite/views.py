from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from trainingsite.access import educator_required
from trainingsite.roles import Role, user_primary_role

ROLE_LANDING = {
    Role.TRAINEE: "trainee_home",
    Role.EDUCATOR: "educator_home",
    Role.MANAGER: "manager_home",
}


def home(request):
    """Describe the training to visitors; send signed-in users to their role's page."""
    role = user_primary_role(request.user)
    if role is not None:
        return redirect(ROLE_LANDING[role])
    return render(request, "trainingsite/home.html")


@educator_required
def educator_home(request):
    return render(request, "trainingsite/educator_home.html")


@never_cache
def healthz(request):
    """Answer load balancers without touching the session or the database."""
    return HttpResponse("ok", content_type="text/plain")


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)
