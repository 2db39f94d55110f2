"""Request checks and response headers that every page shares.

* RequestHygieneMiddleware refuses, with the styled 400 page, what no page of the
  site can read: forms sent in a character set other than UTF-8, and control
  characters (NUL above all, which PostgreSQL refuses in any text) in the path,
  the query string, cookies and form fields. It is listed before the session
  middleware, so a hostile cookie never reaches the session store. Under /api/
  it answers an RFC 9457 problem (application/problem+json, the API's own shape)
  instead of the page (also for a form body Django cannot parse), and also refuses
  an address or query that is not valid percent-encoded UTF-8 (which pages read
  with U+FFFD in place of the bad bytes).
* PrivatePagesMiddleware marks every response to a signed-in user that sets no
  Cache-Control of its own as "private, no-store", so neither a shared proxy nor
  a shared computer's back button shows one person's page to the next.
"""

from __future__ import annotations

import codecs
import json
import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
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

# The API's answers (quizzes/api/problems.py's shape, built here: trainingsite does not
# import quizzes; tests/trainingsite/test_middleware_api.py checks that the two agree).
API_PREFIX = "/api/"
PROBLEM_CONTENT_TYPE = "application/problem+json"
BAD_REQUEST_PROBLEM_TYPE = "/api/v1/docs#problem-bad-request"
BAD_REQUEST_PROBLEM_TITLE = "Bad request"
API_CONTROL_CHARACTER_REFUSED = (
    "The request's address, query, cookies or form contain a control character "
    "(such as a NUL byte), which the API does not accept."
)
API_BAD_ENCODING_REFUSED = "The request's address or query is not valid percent-encoded UTF-8."
API_FORM_CHARSET_REFUSED = "The API accepts forms in UTF-8 only."
API_FORM_UNREADABLE = "The request's form body could not be read."
API_MESSAGES = {
    CONTROL_CHARACTER_REFUSED: API_CONTROL_CHARACTER_REFUSED,
    FORM_CHARSET_REFUSED: API_FORM_CHARSET_REFUSED,
}
# A "%" not followed by two hex digits: a malformed query string.
MALFORMED_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
REPERCENTED_BYTE = re.compile(r"%[89A-F][0-9A-F]")

FORM_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
BODYLESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# Any C0 control character: refused in the path, in names and in cookies.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f]")
# In values (typed text), tab and line breaks are ordinary; the rest of C0 is not.
CONTROL_CHARACTERS_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def bad_request_response(request: HttpRequest, message: str) -> HttpResponse:
    """The styled 400 page with a plain message; it never reads the request's body."""
    return render(request, "400.html", {"message": message}, status=BAD_REQUEST_STATUS)


def bad_request_problem_response(detail: str) -> HttpResponse:
    """The API's 400 problem (RFC 9457) with `detail`; nothing of the request is echoed."""
    body = {
        "type": BAD_REQUEST_PROBLEM_TYPE,
        "title": BAD_REQUEST_PROBLEM_TITLE,
        "status": BAD_REQUEST_STATUS,
        "detail": detail,
    }
    response = HttpResponse(
        json.dumps(body), status=BAD_REQUEST_STATUS, content_type=PROBLEM_CONTENT_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    if is_api_request(request):
        return bad_request_problem_response(API_MESSAGES[message])
    return bad_request_response(request, message)


def has_bad_percent_encoding(request: HttpRequest) -> bool:
    """True when the path or the raw query string is not percent-encoded UTF-8."""
    # Django re-escapes the path's bytes that are not UTF-8 as %XX (80 to FF); no API
    # path holds a percent sign, so one sent as %25 followed by such digits counts too.
    if REPERCENTED_BYTE.search(request.path_info):
        return True
    query = request.META.get("QUERY_STRING", "")
    if MALFORMED_PERCENT.search(query):
        return True
    try:
        # PEP 3333 carries the raw query string as latin-1 text.
        unquote_to_bytes(query.encode("iso-8859-1")).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return True
    return False


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
            return _refused(request, CONTROL_CHARACTER_REFUSED)
        if is_api_request(request) and has_bad_percent_encoding(request):
            return bad_request_problem_response(API_BAD_ENCODING_REFUSED)
        if _has_control_characters(request.GET.items()):
            return _refused(request, CONTROL_CHARACTER_REFUSED)
        if any(
            CONTROL_CHARACTERS.search(name) or CONTROL_CHARACTERS.search(value)
            for name, value in request.COOKIES.items()
        ):
            return _refused(request, CONTROL_CHARACTER_REFUSED)
        if request.method not in BODYLESS_METHODS and request.content_type in FORM_CONTENT_TYPES:
            charset = request.content_params.get("charset")
            if charset is not None:
                if not form_charset_is_utf8(charset):
                    return _refused(request, FORM_CHARSET_REFUSED)
                # Django itself accepts only the spelling "utf-8".
                request.encoding = "utf-8"
            try:
                refused = _has_control_characters(_form_pairs(request))
            except (MultiPartParserError, SuspiciousOperation, BadRequest):
                if not is_api_request(request):
                    raise  # Django's own 400 page
                return bad_request_problem_response(API_FORM_UNREADABLE)
            if refused:
                return _refused(request, CONTROL_CHARACTER_REFUSED)
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
