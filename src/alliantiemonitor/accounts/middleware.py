"""Session rules for staff: an idle timeout, the second factor and a forced password change.

All keep their state in the session or the user row (never in a process's memory), so they
hold with several app processes behind a load balancer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from alliantiemonitor.accounts.constants import SSO_SESSION_KEY
from alliantiemonitor.accounts.second_factor import has_second_factor
from alliantiemonitor.common.reauth import FULL_AUTH_KEY, full_authentication_record

logger = logging.getLogger(__name__)

#: Epoch seconds of the session's last request (written at most once a minute).
LAST_SEEN_KEY = "alliantiemonitor.last_seen"
#: How stale the stored "last seen" may get before it is written again: saves a session write
#: on every request, at the price of a timeout that is up to this much late.
_LAST_SEEN_RESOLUTION = 60


def idle_clock_start(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """Start the idle clock at login (``user_logged_in``), so the next request need not."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = int(time.time())


def full_auth_clock_start(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """At a login that is complete by itself, note the full authentication (``user_logged_in``).

    Complete by itself: no second factor required (the demo), or a single sign-on whose
    identity provider asked for it. Otherwise the code step notes it.
    """
    if request is None or not hasattr(request, "session"):
        return
    if not settings.ALLIANTIEMONITOR_REQUIRE_2FA or request.session.get(SSO_SESSION_KEY) is True:
        full_authentication_record(request)


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
_OPEN_WHILE_CHANGE_REQUIRED = frozenset(
    {
        "password_change",
        "logout",
        "set_language",
        # The second factor comes first (see SecondFactorRequiredMiddleware).
        "second_factor_verify",
        "second_factor_enrol",
        "second_factor_recovery_codes",
        "second_factor_recovery_codes_download",
    }
)


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
            # A single sign-on session did not use the password, and its user may not know it.
            and not request.session.get(SSO_SESSION_KEY)
            and not _open_while_change_required(request)
        ):
            return HttpResponseRedirect(reverse("password_change"))
        return self.get_response(request)


#: Pages a logged-in user may open before the second factor is proved.
_OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {
        "second_factor_verify",
        "second_factor_enrol",
        "logout",
        "set_language",
        "healthz",
        "readyz",
    }
)


def second_factor_satisfied(request: HttpRequest) -> bool:
    """Whether the session's user has proved a second factor (or needs none).

    A session signed in through the organisation's identity provider (``am_sso``) counts as
    verified: the provider asked for its second factor.
    """
    if not settings.ALLIANTIEMONITOR_REQUIRE_2FA:
        return True
    if request.session.get(SSO_SESSION_KEY) is True:
        if FULL_AUTH_KEY not in request.session:
            # The single sign-on login marks its session after Django's login (and after
            # ``full_auth_clock_start``): its first request is the moment of full login.
            full_authentication_record(request)
        return True
    user: Any = request.user
    return bool(user.is_verified())


def _open_before_second_factor(request: HttpRequest) -> bool:
    if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        # An unknown address: the 404 page shows nothing of anyone.
        return True
    return match.view_name in _OPEN_BEFORE_SECOND_FACTOR or match.namespace == "client"


class SecondFactorRequiredMiddleware:
    """Send a logged-in user without a proved second factor to the code step (or enrolment).

    Every staff page, the admin included, is closed until then; client pages (namespace
    ``client``, no account) are not affected. It fails closed: if the check itself raises,
    the request is refused (403) rather than let through. After the authentication, OTP and
    message middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            redirect_to = self._redirect_to(request)
        except Exception as exc:
            logger.exception("second-factor check failed; refusing the request")
            raise PermissionDenied from exc
        if redirect_to is not None:
            return HttpResponseRedirect(redirect_to)
        return self.get_response(request)

    def _redirect_to(self, request: HttpRequest) -> str | None:
        user: Any = request.user
        if not user.is_authenticated or second_factor_satisfied(request):
            return None
        if _open_before_second_factor(request):
            return None
        step = "second_factor_verify" if has_second_factor(user) else "second_factor_enrol"
        url = reverse(step)
        if request.method == "GET" and not request.headers.get("HX-Request"):
            url += "?" + urlencode({"next": request.get_full_path()})
        return url
