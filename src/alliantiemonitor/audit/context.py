"""Who is acting in the current request, for audit events written at model level.

Model signals do not see the request. The middleware below makes the request's user the
actor for the duration of that one request (a context variable: never longer, never shared
between requests or processes). Outside a request (a command, a shell) there is no actor and
events are recorded as the system's.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse

_actor: contextvars.ContextVar[Callable[[], Any] | None] = contextvars.ContextVar(
    "alliantiemonitor_audit_actor", default=None
)


def _authenticated(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def current_actor() -> Any:
    """The user acting now, or ``None`` (the system: a command, a shell, a logged-out visitor)."""
    resolve = _actor.get()
    return _authenticated(resolve()) if resolve is not None else None


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
        try:
            return self.get_response(request)
        finally:
            _actor.reset(token)
