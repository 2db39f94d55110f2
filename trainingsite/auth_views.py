"""The log-in and password-reset pages, with limits that django-axes does not set.

django-axes locks one username from one address after a few wrong passwords
(settings, AXES_*). Beyond that, counted in the default cache
(trainingsite/ratelimit.py):

- failed log-ins from one address across every username (password spraying):
  over LOGIN_ADDRESS_FAILURE_LIMIT in LOGIN_ADDRESS_WINDOW_SECONDS, logging in
  from that address pauses, on the site's and on the admin's log-in page. A
  success does not clear the count, so one known account cannot hide a spray.
- password-reset e-mails: PASSWORD_RESET_ACCOUNT_LIMIT per address typed and
  PASSWORD_RESET_ADDRESS_LIMIT per client address in PASSWORD_RESET_WINDOW_SECONDS.
  The per-account count runs for every address typed, with or without an
  account, so its refusal (429, shown) tells nobody whether an account exists.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth import views as auth
from django.http import HttpRequest, HttpResponse

from trainingsite.ratelimit import Limit, rate_limit_check, rate_limit_hit, rate_limited_response
from trainingsite.security import client_limit_key

LOGIN_PAUSED_TITLE = "Logging in is paused"
LOGIN_ADDRESS_LIMITED = (
    "Too many failed log-ins have come from your network, so logging in from here is "
    "paused for a while. Other networks are not affected."
)
RESET_PAUSED_TITLE = "Please wait before asking again"
RESET_ADDRESS_LIMITED = (
    "Too many password-reset e-mails have been asked for from your network. "
    "Please wait before asking for another one."
)
RESET_ACCOUNT_LIMITED = (
    "Several password-reset e-mails have been asked for this address recently. If an "
    "account exists for it, the e-mails already sent are on their way (check the spam "
    "folder too); please wait before asking for another one."
)


def login_address_limit() -> Limit:
    return Limit(
        name="login:address",
        limit=settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        window=settings.LOGIN_ADDRESS_WINDOW_SECONDS,
    )


def reset_address_limit() -> Limit:
    return Limit(
        name="password-reset:address",
        limit=settings.PASSWORD_RESET_ADDRESS_LIMIT,
        window=settings.PASSWORD_RESET_WINDOW_SECONDS,
    )


def reset_account_limit() -> Limit:
    return Limit(
        name="password-reset:account",
        limit=settings.PASSWORD_RESET_ACCOUNT_LIMIT,
        window=settings.PASSWORD_RESET_WINDOW_SECONDS,
    )


def email_identity(email: str) -> str:
    """The e-mail as Django's reset form matches accounts (case-insensitive, NFKC)."""
    return unicodedata.normalize("NFKC", email.strip()).casefold()


def _logged_in(request: HttpRequest, response: HttpResponse) -> bool:
    # A successful log-in redirects with the new user on the request; a failed
    # one shows the form again (or axes' lockout page), even for someone
    # already signed in.
    return response.status_code == 302 and request.user.is_authenticated


def login_address_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a log-in view: an address over its failure limit is refused, each failure counts."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        limit, address = login_address_limit(), client_limit_key(request)
        verdict = rate_limit_check(limit, address)
        if not verdict.allowed:
            return rate_limited_response(
                request,
                message=LOGIN_ADDRESS_LIMITED,
                retry_after=verdict.retry_after,
                title=LOGIN_PAUSED_TITLE,
            )
        response = view(request, *args, **kwargs)
        if not _logged_in(request, response):
            rate_limit_hit(limit, address)
        return response

    return wrapped


class LimitedPasswordResetView(auth.PasswordResetView):
    """Django's reset page; a request over either limit sends nothing and says to wait."""

    def form_valid(self, form):
        verdict = rate_limit_hit(reset_address_limit(), client_limit_key(self.request))
        message = RESET_ADDRESS_LIMITED
        if verdict.allowed:
            identity = email_identity(form.cleaned_data["email"])
            verdict = rate_limit_hit(reset_account_limit(), identity)
            message = RESET_ACCOUNT_LIMITED
        if not verdict.allowed:
            return rate_limited_response(
                self.request,
                message=message,
                retry_after=verdict.retry_after,
                title=RESET_PAUSED_TITLE,
            )
        return super().form_valid(form)


login = login_address_limited(auth.LoginView.as_view())
password_reset = LimitedPasswordResetView.as_view()
