"""Session rules for staff: an idle timeout and a forced password change.

Both keep their state in the session or the user row (never in a process's memory), so they
hold with several app processes behind a load balancer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

#: Epoch seconds of the session's last request (written at most once a minute).
LAST_SEEN_KEY = "alliantiemonitor.last_seen"
#: How stale the stored "last seen" may get before it is written again: saves a session write
#: on every request, at the price of a timeout that is up to this much late.
_LAST_SEEN_RESOLUTION = 60


def idle_clock_start(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """Start the idle clock at login (``user_logged_in``), so the next request need not."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = int(time.time())


class IdleTimeoutMiddleware:
    """Log a staff user out after ``SESSION_IDLE_TIMEOUT`` seconds without a request.

    A handed-over device counts the client's requests as activity, so a client filling in does
    not lose the professional's session; a device left alone is logged out, hand-over and all.
    Must come after the authentication and message middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timeout = settings.SESSION_IDLE_TIMEOUT
        user: Any = request.user
        if timeout and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if isinstance(last_seen, int) and now - last_seen > timeout:
                logout(request)
                messages.info(
                    request,
                    _("You were logged out after %(minutes)d minutes without activity.")
                    % {"minutes": max(1, timeout // 60)},
                )
                return redirect_to_login(
                    request.get_full_path() if request.method == "GET" else reverse("home")
                )
            if not isinstance(last_seen, int) or now - last_seen >= _LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


#: Pages a user who must change their password may still open.
_OPEN_WHILE_CHANGE_REQUIRED = frozenset({"password_change", "logout", "set_language"})


def _open_while_change_required(request: HttpRequest) -> bool:
    if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    # A handed-over device keeps serving the client; the flag applies once it is handed back.
    return match.view_name in _OPEN_WHILE_CHANGE_REQUIRED or match.namespace == "client"


class PasswordChangeRequiredMiddleware:
    """Send a user whose password someone else set to the password change page until changed.

    Must come after the authentication and message middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if (
            user.is_authenticated
            and user.must_change_password
            and not _open_while_change_required(request)
        ):
            return HttpResponseRedirect(reverse("password_change"))
        return self.get_response(request)
