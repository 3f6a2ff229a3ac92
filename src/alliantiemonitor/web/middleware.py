"""Response headers that every page of the application gets."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every page the application renders.

    Staff pages and client pages show personal data; a shared device's browser cache or a
    proxy must keep none of it (the back button after logout, a handed-over tablet). Static
    files are answered by WhiteNoise before this middleware and stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
