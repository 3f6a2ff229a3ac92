import sys
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alliantiemonitor.dashboards.team_access import teams_led_by
from alliantiemonitor.organisations.constants import Role
from alliantiemonitor.organisations.models import Membership
from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.rules import Perm
from alliantiemonitor.web import health


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send a professional to their caseload; show everyone else their roles and dashboards."""
    memberships = (
        Membership.objects.active()
        .for_user(request.user)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )
    if any(membership.role == Role.PROFESSIONAL for membership in memberships):
        return redirect("trajectories:caseload")
    administered = [m.organisation for m in memberships if m.role == Role.ORG_ADMIN]
    return render(
        request,
        "web/home.html",
        {
            "memberships": memberships,
            "administered": administered,
            "researcher": any(m.role == Role.RESEARCHER for m in memberships),
            "dashboard_organisations": policy.organisations(
                request.user, Perm.ORGANISATION_DASHBOARD_VIEW
            ),
            "dashboard_teams": teams_led_by(request.user),
        },
    )


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the app can reach its database (liveness, for load balancers)."""
    if not health.database_answers():
        response = JsonResponse({"status": "database unavailable"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Report whether this process may take traffic (readiness; see web/health.py)."""
    result = health.readiness()
    response = JsonResponse(result.as_json(), status=200 if result.ready else 503)
    if not result.ready:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


#: How long a visitor is asked to wait while the database cannot be reached.
RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    """The page of an unexpected error (``handler500``); 503 while the database is away.

    A database that cannot be reached (restarting, failing over, a dropped connection) is a
    moment to wait, not a fault: the visitor gets a 503 that says to try again shortly and
    that what was saved is kept, with ``Retry-After``. The page is rendered without a request
    context, as Django's own: the context processors may need the database.
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(render_to_string("500.html"), status=500)


@require_GET
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Point /favicon.ico (asked for by browsers and the admin pages) at the app's icon."""
    return HttpResponseRedirect(static("alliantiemonitor/favicon.svg"))


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """Answer a login locked out by django-axes (``AXES_LOCKOUT_CALLABLE``).

    A page that already answered the lockout itself (the hand-back page, 429) keeps its answer;
    otherwise the login page's visitor gets a translated page instead of axes' English text.
    """
    if original_response is not None and original_response.status_code == 429:
        return original_response
    hours = settings.AXES_COOLOFF_TIME
    return render(request, "registration/locked_out.html", {"hours": hours}, status=429)
