"""Every error as ``{"error": {"code": …, "message": …}}`` with a stable code (docs/api.md)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.common.input import InvalidInput

#: DRF's exceptions and the stable code each is answered with.
_CODES: list[tuple[type[Exception], str]] = [
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "invalid_token"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "rate_limited"),
    (exceptions.ParseError, "malformed_request"),
    (exceptions.ValidationError, "invalid"),
]


def error_body(code: str, message: Any, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": str(message), **extra}}


def _flatten(detail: Any) -> Any:
    """DRF's nested error details as plain text lists."""
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_flatten(v) for v in detail]
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler, with the product's error shape and codes."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, DomainError):
        # A rule refused the action and nothing changed: bad input 400, a state conflict 409.
        status_code = (
            status.HTTP_400_BAD_REQUEST
            if isinstance(exc, InvalidInput)
            else status.HTTP_409_CONFLICT
        )
        return Response(error_body(exc.code, exc.message), status=status_code)
    if not isinstance(exc, exceptions.APIException):
        return None
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            error_body("invalid", _("Some values cannot be used."), fields=_flatten(exc.detail)),
            status=exc.status_code,
            headers=headers,
        )
    code = next((c for kind, c in _CODES if isinstance(exc, kind)), None)
    if code is None:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "permission_denied"
    return Response(error_body(code, exc.detail), status=exc.status_code, headers=headers)


#: The addresses of the API: their errors are JSON (``alliantiemonitor.handlers``).
API_PREFIX = "/api/"
#: Seconds a caller is asked to wait while the database cannot be reached.
RETRY_AFTER_SECONDS = 30


def page_not_found(request: Any, exception: Exception) -> JsonResponse:
    """An address under /api/ that matches no route (``/api/v1/rounds/x,y/``): ``not_found``.

    Such a request never reaches a DRF view, so the exception handler above cannot answer it.
    """
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)


def bad_request(request: Any, exception: Exception) -> JsonResponse:
    """A request Django refused before any view (e.g. a disallowed host): ``bad_request``."""
    return JsonResponse(error_body("bad_request", _("The request cannot be handled.")), status=400)


def permission_denied(request: Any, exception: Exception) -> JsonResponse:
    """A refusal raised outside a DRF view: ``permission_denied``."""
    message = _("You do not have permission to perform this action.")
    return JsonResponse(error_body("permission_denied", message), status=403)


def server_error(request: Any) -> JsonResponse:
    """An unexpected error under /api/: ``server_error``, or 503 ``unavailable`` while the
    database cannot be reached (try again after ``Retry-After``). Nothing of the error is told.
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        message = _("The service is briefly unavailable. Try again shortly.")
        response = JsonResponse(error_body("unavailable", message), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse(
        error_body("server_error", _("Something went wrong on our side.")), status=500
    )
