"""Re-authentication before sensitive actions: ``require_recent_auth``.

A session remembers when its user last proved both factors (password and second factor, or a
sign-in at the organisation's identity provider). A sensitive action (an export, a role change,
an erasure, the audit export) goes ahead only when that was less than
``ALLIANTIEMONITOR_REAUTH_SECONDS`` ago; otherwise the user is sent to the re-authentication
page (``accounts``), which asks for both again and comes back.

Here, in ``common``, so that every app can apply it, the audit app included::

    @login_required
    @require_recent_auth
    def team_csv(request, team_uuid): ...

    class ErasureView(RecentAuthRequiredMixin, View): ...

The time lives in the session (the database), never in a process's memory.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

#: Epoch seconds of the session's last full authentication (both factors).
FULL_AUTH_KEY = "alliantiemonitor.full_auth_at"


def full_authentication_record(request: HttpRequest) -> None:
    """Note in the session that its user has just proved both factors."""
    request.session[FULL_AUTH_KEY] = int(time.time())


def recently_authenticated(request: HttpRequest) -> bool:
    """Whether the session's last full authentication is recent enough for a sensitive action."""
    at = request.session.get(FULL_AUTH_KEY)
    if not isinstance(at, int):
        return False
    age = time.time() - at
    return 0 <= age < settings.ALLIANTIEMONITOR_REAUTH_SECONDS


def reauthentication_redirect(request: HttpRequest) -> HttpResponse:
    """Send the user to the re-authentication page, to come back here afterwards.

    A form that was posted cannot be replayed after the detour: the user comes back to the
    page (its address without the post) and sends it again.
    """
    url = reverse("reauthenticate") + "?" + urlencode({"next": request.get_full_path()})
    if request.headers.get("HX-Request"):
        # htmx would swap the re-authentication page into a fragment: let it load the page.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def require_recent_auth(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ask for password and second factor again before ``view`` if the last login is old.

    Put it below ``login_required`` (an anonymous visitor goes to the login page first).
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not recently_authenticated(request):
            return reauthentication_redirect(request)
        return view(request, *args, **kwargs)

    return wrapped


class RecentAuthRequiredMixin:
    """``require_recent_auth`` for class-based views (put it after ``LoginRequiredMixin``)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not recently_authenticated(request):
            return reauthentication_redirect(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class RecentAuthAdminMixin:
    """``require_recent_auth`` for the pages of a ``ModelAdmin`` that change roles.

    The add, change and delete pages ask before the form is shown (so no typing is lost);
    the list asks only when it posts (a bulk action, an edit in the list).
    """

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not recently_authenticated(request):
            return reauthentication_redirect(request)
        return super().changeform_view(request, *args, **kwargs)  # type: ignore[misc]

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not recently_authenticated(request):
            return reauthentication_redirect(request)
        return super().delete_view(request, *args, **kwargs)  # type: ignore[misc]

    def changelist_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and not recently_authenticated(request):
            return reauthentication_redirect(request)
        return super().changelist_view(request, *args, **kwargs)  # type: ignore[misc]
