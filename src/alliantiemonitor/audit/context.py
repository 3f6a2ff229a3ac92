"""Who is acting in the current request, for audit events written at model level.

Model signals do not see the request. The middleware below makes the request's user the
actor for the duration of that one request (a context variable: never longer, never shared
between requests or processes). Outside a request (a command, a shell) there is no actor and
events are recorded as the system's. The same goes for where the request came from (address
and browser), which a staff member's events record.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse

from alliantiemonitor.common.request_ip import client_ip

#: The longest browser description kept (the column's length).
USER_AGENT_LENGTH = 300

_actor: contextvars.ContextVar[Callable[[], Any] | None] = contextvars.ContextVar(
    "alliantiemonitor_audit_actor", default=None
)
#: The public id of the API token through which the current request acts (``None``: none).
_api_token: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "alliantiemonitor_audit_api_token", default=None
)
_source: contextvars.ContextVar[tuple[str, str]] = contextvars.ContextVar(
    "alliantiemonitor_audit_source", default=("", "")
)


def _authenticated(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def current_actor() -> Any:
    """The user acting now, or ``None`` (the system: a command, a shell, a logged-out visitor)."""
    resolve = _actor.get()
    return _authenticated(resolve()) if resolve is not None else None


def current_api_token() -> Any:
    """The public id of the API token the current request acts through, or ``None``."""
    return _api_token.get()


@contextlib.contextmanager
def acting_through_api_token(token_uuid: Any) -> Iterator[None]:
    """Record every audit event inside the block as the integration's (``actor_kind``
    ``api_token``, the token's public id in ``detail``), whoever the services name as actor."""
    token = _api_token.set(token_uuid)
    try:
        yield
    finally:
        _api_token.reset(token)


def current_source() -> tuple[str, str]:
    """The address and browser of the current request: ``("", "")`` outside a request."""
    return _source.get()


def request_source(request: HttpRequest) -> tuple[str, str]:
    """Where ``request`` came from: a valid IP address (or ``""``) and the browser's name."""
    try:
        address = str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        address = ""
    user_agent = str(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_LENGTH]
    return address, user_agent


@contextlib.contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Attribute model-level audit events inside the block to ``user``."""
    token = _actor.set(lambda: user)
    try:
        yield
    finally:
        _actor.reset(token)


class AuditActorMiddleware:
    """Make the request's user the actor of model-level audit events. After authentication."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Resolved only when an event is written, so a request that changes no account does
        # not load its user for this; a login or logout within the request is followed.
        token = _actor.set(lambda: getattr(request, "user", None))
        source_token = _source.set(request_source(request))
        try:
            return self.get_response(request)
        finally:
            _source.reset(source_token)
            _actor.reset(token)
