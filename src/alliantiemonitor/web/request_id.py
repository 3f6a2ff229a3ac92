"""A request id for every request, echoed in the response and carried by every log line."""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

#: The header a reverse proxy sets (nginx: ``proxy_set_header X-Request-ID $request_id``).
HEADER = "X-Request-ID"
#: What an id from outside may look like: letters, digits, ``.``, ``_``, ``-``; no spaces,
#: quotes or line breaks that could forge a log line; long enough to be unique, short enough
#: to stay an id. Anything else is replaced by a fresh one.
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,127}")

#: The id of the request this thread (or task) is handling; ``None`` outside requests.
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_request_id", default=None
)

access_logger = logging.getLogger("alliantiemonitor.access")


def request_id_for(header_value: str | None) -> str:
    """The incoming id when well-formed, else a new random one."""
    if header_value and _WELL_FORMED.fullmatch(header_value):
        return header_value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request an id, echo it in ``X-Request-ID`` and log one access line.

    First in ``MIDDLEWARE``: the duration covers every other middleware, and log lines written
    anywhere during the request carry the id (``RequestContextFilter``). The access line names
    the path without its query string (which may hold a code or a token) and never the user;
    beside the duration, the CPU time this thread spent on the request (``cpu_ms``: the app's
    own work, without the waits on the database or the network) and the URL's name (``view``,
    e.g. ``trajectories:caseload``: one name per page, where paths differ per client).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request.headers.get(HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        # Kept until the request has finished, not only until this middleware returns: Django
        # logs an error answer ("Not Found: …") after the whole middleware stack.
        current_request_id.set(request_id)
        started = time.monotonic()
        cpu_started = time.thread_time()
        response = self.get_response(request)
        response[HEADER] = request_id
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        cpu_ms = round((time.thread_time() - cpu_started) * 1000, 1)
        match = request.resolver_match
        access_logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "cpu_ms": cpu_ms,
                "view": match.view_name if match else None,
            },
        )
        return response


@receiver(request_finished)
def _forget_request_id(**kwargs: object) -> None:
    current_request_id.set(None)
