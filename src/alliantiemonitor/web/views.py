from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alliantiemonitor.dashboards.team_access import teams_led_by
from alliantiemonitor.organisations.constants import Role
from alliantiemonitor.organisations.models import Membership, Organisation


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
            "dashboard_organisations": Organisation.objects.administered_by(request.user),
            "dashboard_teams": teams_led_by(request.user),
        },
    )


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the app can reach its database (for load balancers)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


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
