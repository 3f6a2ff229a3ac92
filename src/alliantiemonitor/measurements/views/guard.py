"""The blind rule at the door of every client page: a staff session never gets in.

A professional holds every secret that opens the client's side — they make the links and
codes — so a check on the secret alone cannot tell the client from the professional. What
can be told is the browser: in a logged-in staff session (that was not handed over to the
client, see :mod:`alliantiemonitor.measurements.middleware`) the client pages refuse, say why
in plain words, forget any client session in that browser, and record the attempt in the
audit log as that staff user.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.measurements.client_session import (
    SESSION_KEY,
    client_session_get,
    handover_lock_get,
    staff_user_outside_handover,
)
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.services.responses import client_draft_on_own_device

View = Callable[..., HttpResponse]


def refresh_for_htmx(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """htmx does not swap in an error page; make it reload so the reader sees the page."""
    if getattr(request, "htmx", False):
        response["HX-Refresh"] = "true"
    return response


def refuse_staff_session(request: HttpRequest, user: Any) -> HttpResponse:
    """Refuse a client page to ``user``'s session, and write that down."""
    data: Any = request.session.pop(SESSION_KEY, None)
    measurement_round = None
    if isinstance(data, dict) and data.get("round"):
        measurement_round = MeasurementRound.objects.filter(uuid=data["round"]).first()
    match = request.resolver_match
    audit_record(
        actor=user,
        action=Action.CLIENT_PAGE_REFUSE_STAFF,
        obj=measurement_round,
        detail={"page": match.url_name if match else "", "method": request.method},
    )
    return refresh_for_htmx(
        request, render(request, "measurements/client/staff_refused.html", status=403)
    )


def _refuse_handover_over_own_draft(request: HttpRequest) -> HttpResponse | None:
    """A handed-over device never shows what the client began on their own device.

    The check at hand-over time is not enough: the client may start on their phone after the
    professional's device was handed over. So every client page of a handed-over browser
    looks again.
    """
    lock = handover_lock_get(request)
    if lock is None:
        return None
    access = client_session_get(request)
    if access is None or not access.handed_over:
        return None
    if not client_draft_on_own_device(access.round):
        return None
    audit_record(
        actor=getattr(request, "user", None) if request.user.is_authenticated else None,
        action=Action.CLIENT_PAGE_REFUSE_HANDOVER,
        obj=access.round,
        detail={"reason": "draft_on_own_device"},
    )
    return refresh_for_htmx(
        request, render(request, "measurements/fill/started_elsewhere.html", status=409)
    )


def client_page(view: View) -> View:
    """Decorate a client page (or client entry) so that it refuses a staff session, and a
    handed-over device where the client has begun on their own device."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = staff_user_outside_handover(request)
        if user is not None:
            return refuse_staff_session(request, user)
        refused = _refuse_handover_over_own_draft(request)
        if refused is not None:
            return refused
        return view(request, *args, **kwargs)

    return wrapper
