"""The root error handlers: JSON under ``/api/``, the site's pages everywhere else.

An error that never reaches a DRF view (an address that matches no route, an exception that
DRF's handler leaves alone, a disallowed host) is answered by Django's ``handler*`` views. A
program that calls the API must get the API's error shape from those too (docs/api.md), so
each handler looks at the path first. Here, above both the web and the API layer, because
neither may import the other.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from alliantiemonitor.api import errors as api_errors
from alliantiemonitor.web import views as web_views


def _api(request: HttpRequest) -> bool:
    return request.path.startswith(api_errors.API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return api_errors.bad_request(request, exception)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return api_errors.permission_denied(request, exception)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return api_errors.page_not_found(request, exception)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    if _api(request):
        return api_errors.server_error(request)
    return web_views.server_error(request)
