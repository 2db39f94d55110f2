"""The two reference pages the benchmark measures beside the site."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from trainingsite.roles import user_role_names

BARE_BODY = b"ok"

# What the floor page costs in SQL, in order: what any signed-in page of this
# site pays at least (the session is written back only every few minutes).
FLOOR_TABLES = ["django_session", "auth_user", "auth_group"]


def bare(request):
    """Answer with a fixed body: no database, no session, no user, no template."""
    return HttpResponse(BARE_BODY, content_type="text/plain")


@login_required
def floor(request):
    """Load the user (session), run one small query (their roles), render a small template."""
    roles = sorted(user_role_names(request.user))
    return render(request, "bench/floor.html", {"roles": roles})
