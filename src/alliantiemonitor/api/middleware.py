"""Error answers without a body under ``/api/`` get the API's JSON error shape."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from .errors import API_PREFIX, error_body

#: Response headers kept from the bare answer (``Allow`` says which methods the address takes).
_KEEP_HEADERS = ("Allow", "Cache-Control", "Vary", "Retry-After")


class ApiErrorBodyMiddleware:
    """Give a bare error answer under /api/ a JSON body with a stable code.

    Django's view decorators (``require_GET`` on the API's docs page) answer a wrong method
    with an empty 405, which has no handler to choose JSON. Must come inside
    ``FriendlyMethodNotAllowedMiddleware``, which then finds a body and leaves the answer alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or response.streaming
            or response.content
            or not request.path.startswith(API_PREFIX)
        ):
            return response
        if response.status_code == 405:
            body = error_body("method_not_allowed", _("This method is not allowed here."))
        else:
            body = error_body("error", _("The request cannot be handled."))
        answer = JsonResponse(body, status=response.status_code)
        for header in _KEEP_HEADERS:
            if header in response:
                answer[header] = response[header]
        return answer
