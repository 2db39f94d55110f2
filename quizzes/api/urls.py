"""/api/v1/: the NinjaAPI's operations, its OpenAPI document and docs, and a problem 404.

Ninja answers a method an address does not take with a bare 405; each pattern is
wrapped so that it answers a problem instead, like every other error of the API.
"""

from functools import wraps

from django.http import JsonResponse
from django.urls import URLPattern, path, reverse
from django.views.decorators.csrf import csrf_exempt

from quizzes.api.api import api
from quizzes.api.problems import METHOD_NOT_ALLOWED, NOT_FOUND, problem_response

app_name = "api"


def _problem_not_allowed(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "Allow" in response:
            allowed = response["Allow"]
            problem = problem_response(
                405, METHOD_NOT_ALLOWED.format(method=request.method, allowed=allowed)
            )
            problem["Allow"] = allowed
            return problem
        return response

    return wrapped


@csrf_exempt
def not_found(request, rest=""):
    return problem_response(404, NOT_FOUND)


@csrf_exempt
def root(request):
    """Where to start: the OpenAPI document and the docs (no token needed)."""
    return JsonResponse(
        {"openapi": reverse("api:openapi-json"), "docs": reverse("api:openapi-view")}
    )


urlpatterns = [
    *(
        URLPattern(p.pattern, _problem_not_allowed(p.callback), p.default_args, p.name)
        for p in api.urls[0]
        if p.name != "api-root"  # ninja's own root answers the site's HTML 404
    ),
    path("", root, name="api-root"),  # the name ninja reverses for its path prefix
    path("<path:rest>", not_found, name="not_found"),
]
