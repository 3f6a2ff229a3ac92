"""Middleware of the web layer: friendly pages for empty error answers, and no-store headers."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers

#: Response headers kept from the bare 405 (``Allow`` says which methods the address takes).
_KEEP_HEADERS = ("Allow", "Cache-Control", "Vary")


class FriendlyMethodNotAllowedMiddleware:
    """Turn the empty 405 of ``require_POST`` and friends into a page in the product's layout.

    Django has no ``handler405``: the view decorators return a bare ``HttpResponseNotAllowed``,
    which browsers show as "HTTP ERROR 405" — what a professional sees after opening a button's
    address from the history or a bookmark. A 405 that already has a body, and one for an htmx
    request (which swaps nothing in for an error), is left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.headers.get("HX-Request"):
            return response
        friendly = HttpResponse(render_to_string("405.html", request=request), status=405)
        for header in _KEEP_HEADERS:
            if header in response:
                friendly[header] = response[header]
        return friendly


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every page the application renders.

    Staff pages and client pages show personal data; a shared device's browser cache or a
    proxy must keep none of it (the back button after logout, a handed-over tablet). Static
    files are answered by WhiteNoise before this middleware and stay cacheable. A response
    marked ``immutable`` is left as it is: its address names its content (the read-aloud
    audio of an instrument's text, never personal data), so a browser may keep it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        cache_control = response.get("Cache-Control", "")
        if "no-store" not in cache_control and "immutable" not in cache_control:
            add_never_cache_headers(response)
        return response


class StaffLanguageMiddleware:
    """A logged-in professional's pages speak a staff language (Dutch or English).

    Turkish, Arabic and Polish are client languages: their catalogues hold only the client
    pages' strings. A language cookie left by a client on a shared device (or a hand-over
    that ended) would otherwise show staff pages in a mix of that language and English.
    A handed-over browser shows the client's pages and keeps the client's language. Must come
    after the authentication and hand-over middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        staff = user is not None and user.is_authenticated
        if (
            staff
            and not getattr(request, "client_handover", False)
            and translation.get_language() not in dict(settings.STAFF_LANGUAGES)
        ):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)
