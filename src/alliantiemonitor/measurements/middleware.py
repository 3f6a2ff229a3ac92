"""The hand-over lock: a professional's browser handed to the client shows only client pages.

While a session is handed over (see :func:`~alliantiemonitor.measurements.client_session.
handover_lock_start`), every other address — the caseload, other rounds, the admin, even
logging out — is redirected to the client's questionnaire. Only the professional's password
on ``client:return`` lifts the lock. Must come after the authentication middleware.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from alliantiemonitor.measurements.client_session import handover_lock_get

#: Client pages that are *not* open while locked: a new link or code would leave the hand-over.
_CLIENT_ENTRY_PAGES = frozenset({"link", "code"})
#: Pages outside the client namespace that a locked browser may still use.
_ALSO_ALLOWED = frozenset({"set_language"})


def _allowed_while_locked(request: HttpRequest) -> bool:
    path = request.path_info
    if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    if match.namespace == "client":
        return match.url_name not in _CLIENT_ENTRY_PAGES
    return match.view_name in _ALSO_ALLOWED


def _client_home() -> str:
    try:
        return reverse("client:start")
    except NoReverseMatch:  # pragma: no cover - the questionnaire pages are always installed
        return reverse("client:return")


class HandoverLockMiddleware:
    """Keep a handed-over browser on the client pages until the professional returns."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        locked = handover_lock_get(request) is not None
        # Templates show the "give back to the professional" button from this.
        request.client_handover = locked  # type: ignore[attr-defined]
        if locked and not _allowed_while_locked(request):
            return HttpResponseRedirect(_client_home())
        return self.get_response(request)
