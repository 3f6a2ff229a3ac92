from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alliantiemonitor.organisations.models import Membership


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show the signed-in user's organisations and roles."""
    memberships = (
        Membership.objects.active()
        .for_user(request.user)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )
    return render(request, "web/home.html", {"memberships": memberships})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the app can reach its database (for load balancers)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})
