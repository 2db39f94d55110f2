"""Idle sessions: extend a signed-in session as it is used, without a write on every request.

Django's SESSION_SAVE_EVERY_REQUEST writes the session row (and a fresh cookie) on
each request, which makes every page a database write. Here a session is saved
again only when its last refresh is older than SESSION_REFRESH_SECONDS, so the
idle timeout (SESSION_COOKIE_AGE) holds to within that interval and most pages
are read-only.
"""

import time

from django.conf import settings

REFRESHED_AT_KEY = "_refreshed_at"


def session_refresh_interval() -> int:
    """Seconds between refreshes: the setting, but never more than a tenth of the idle time."""
    return min(settings.SESSION_REFRESH_SECONDS, settings.SESSION_COOKIE_AGE // 10)


def session_stamp_on_login(sender, request, user, **kwargs) -> None:
    """Count the sign-in, which saves the session anyway, as its first refresh."""
    if request is not None and hasattr(request, "session"):
        request.session[REFRESHED_AT_KEY] = int(time.time())


def session_needs_refresh(*, refreshed_at: int | None, now: int, interval: int) -> bool:
    return refreshed_at is None or now - refreshed_at >= interval


class SessionRefreshMiddleware:
    """Mark a session modified (so SessionMiddleware saves it) once its refresh is due.

    Listed after SessionMiddleware, so its response half runs first. Only a
    session that already exists is refreshed: an anonymous visitor gets none.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # A page that never looked at the session (the bare view, static files) leaves it be.
        if session is None or not session.accessed or session.modified:
            return response
        if response.status_code >= 500:
            return response
        # Reading loads the session: a stale or unknown cookie leaves no key behind.
        stamp = session.get(REFRESHED_AT_KEY)
        if session.session_key is None:
            return response
        now = int(time.time())
        try:
            refreshed_at = int(stamp)
        except (TypeError, ValueError):
            refreshed_at = None
        if session_needs_refresh(
            refreshed_at=refreshed_at, now=now, interval=session_refresh_interval()
        ):
            session[REFRESHED_AT_KEY] = now
        return response
