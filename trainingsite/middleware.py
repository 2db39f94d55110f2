"""Request checks and response headers that every page shares.

* RequestHygieneMiddleware refuses, with the styled 400 page, what no page of the
  site can read: forms sent in a character set other than UTF-8, and control
  characters (NUL above all, which PostgreSQL refuses in any text) in the path,
  the query string, cookies and form fields. It is listed before the session
  middleware, so a hostile cookie never reaches the session store.
* PrivatePagesMiddleware marks every response to a signed-in user that sets no
  Cache-Control of its own as "private, no-store", so neither a shared proxy nor
  a shared computer's back button shows one person's page to the next.
"""

from __future__ import annotations

import codecs
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

FORM_CHARSET_REFUSED = (
    "This site accepts forms in UTF-8 only. Reload the page and send the form again."
)
CONTROL_CHARACTER_REFUSED = (
    "The address or the form contained a control character (such as a NUL byte) that "
    "the site does not accept. Check what you typed or pasted and try again."
)
BAD_REQUEST_STATUS = 400

FORM_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
BODYLESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# Any C0 control character: refused in the path, in names and in cookies.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f]")
# In values (typed text), tab and line breaks are ordinary; the rest of C0 is not.
CONTROL_CHARACTERS_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def bad_request_response(request: HttpRequest, message: str) -> HttpResponse:
    """The styled 400 page with a plain message; it never reads the request's body."""
    return render(request, "400.html", {"message": message}, status=BAD_REQUEST_STATUS)


def form_charset_is_utf8(charset: str) -> bool:
    """True when a declared charset is a spelling of UTF-8 ("utf-8", "UTF8", "utf_8")."""
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:
        return False


def _has_control_characters(pairs) -> bool:
    return any(
        CONTROL_CHARACTERS.search(name) or CONTROL_CHARACTERS_IN_TEXT.search(value)
        for name, value in pairs
    )


def _form_pairs(request: HttpRequest):
    for name, values in request.POST.lists():
        for value in values:
            yield name, value
    # Django's upload parser already drops unprintable characters from file names.
    for name in request.FILES:
        yield name, ""


class RequestHygieneMiddleware:
    """Refuse non-UTF-8 forms and control characters before any page or session reads them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if CONTROL_CHARACTERS.search(request.path_info) or CONTROL_CHARACTERS.search(request.path):
            return bad_request_response(request, CONTROL_CHARACTER_REFUSED)
        if _has_control_characters(request.GET.items()):
            return bad_request_response(request, CONTROL_CHARACTER_REFUSED)
        if any(
            CONTROL_CHARACTERS.search(name) or CONTROL_CHARACTERS.search(value)
            for name, value in request.COOKIES.items()
        ):
            return bad_request_response(request, CONTROL_CHARACTER_REFUSED)
        if request.method not in BODYLESS_METHODS and request.content_type in FORM_CONTENT_TYPES:
            charset = request.content_params.get("charset")
            if charset is not None:
                if not form_charset_is_utf8(charset):
                    return bad_request_response(request, FORM_CHARSET_REFUSED)
                # Django itself accepts only the spelling "utf-8".
                request.encoding = "utf-8"
            if _has_control_characters(_form_pairs(request)):
                return bad_request_response(request, CONTROL_CHARACTER_REFUSED)
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Give signed-in users' responses "Cache-Control: private, no-store" unless a view chose."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        # Without a session cookie nobody is signed in: leave the session (and Vary:
        # Cookie) untouched for anonymous pages such as the benchmark's bare view.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
