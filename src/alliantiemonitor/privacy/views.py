"""The right of access: the professional produces a client's complete data on request.

Only the professional who may open the trajectory (see ``trajectories.access``) produces it;
every copy made, as a page or as JSON, is recorded in the audit trail with its format.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from alliantiemonitor.audit.constants import PrivacyAction
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.reauth import require_recent_auth
from alliantiemonitor.privacy.report import client_data
from alliantiemonitor.trajectories.access import get_trajectory_for
from alliantiemonitor.trajectories.models import Trajectory


def _produce(
    request: HttpRequest, trajectory_uuid: uuid.UUID, fmt: str
) -> tuple[Trajectory, dict[str, Any]]:
    trajectory = get_trajectory_for(request.user, trajectory_uuid)
    # Through the client's newest trajectory only: the copy holds every trajectory of the
    # client, and the professional of an older one may not see a later one (its assignee may).
    newest = Trajectory.objects.filter(client=trajectory.client).order_by("-start_date", "-pk")
    if newest.values_list("pk", flat=True).first() != trajectory.pk:
        raise Http404
    data = client_data(trajectory.client, produced_by=request.user)
    audit_record(
        actor=request.user,
        action=PrivacyAction.CLIENT_ACCESS_EXPORT,
        obj=trajectory.client,
        detail={"format": fmt, "trajectory": str(trajectory.uuid)},
    )
    return trajectory, data


@login_required
@require_GET
@require_recent_auth
def access_page(request: HttpRequest, trajectory_uuid: uuid.UUID) -> HttpResponse:
    """The client's complete data as a readable page, to print or save for the client."""
    trajectory, data = _produce(request, trajectory_uuid, "html")
    return render(
        request,
        "privacy/access.html",
        {"trajectory": trajectory, "client": trajectory.client, "data": data},
    )


@login_required
@require_GET
@require_recent_auth
def access_json(request: HttpRequest, trajectory_uuid: uuid.UUID) -> HttpResponse:
    """The same data, machine-readable (the right to data portability)."""
    trajectory, data = _produce(request, trajectory_uuid, "json")
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="gegevens-{trajectory.uuid}.json"'
    return response
