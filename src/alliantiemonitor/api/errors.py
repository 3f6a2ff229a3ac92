"""Every error as ``{"error": {"code": …, "message": …}}`` with a stable code (docs/api.md)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
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


def _body(code: str, message: Any, **extra: Any) -> dict[str, Any]:
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
        return Response(_body(exc.code, exc.message), status=status_code)
    if not isinstance(exc, exceptions.APIException):
        return None
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            _body("invalid", _("Some values cannot be used."), fields=_flatten(exc.detail)),
            status=exc.status_code,
            headers=headers,
        )
    code = next((c for kind, c in _CODES if isinstance(exc, kind)), None)
    if code is None:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "permission_denied"
    return Response(_body(code, exc.detail), status=exc.status_code, headers=headers)


#: The addresses of the API: a 404 there is JSON, elsewhere the site's page.
API_PREFIX = "/api/"


def page_not_found(request: Any, exception: Exception) -> Any:
    """``handler404``: JSON with the code ``not_found`` under /api/, the site's page elsewhere.

    An address that matches no route (``/api/v1/rounds/x,y/``) never reaches a DRF view, so
    the exception handler above cannot answer it.
    """
    if request.path.startswith(API_PREFIX):
        return JsonResponse(_body("not_found", _("Not found.")), status=404)
    return defaults.page_not_found(request, exception)
