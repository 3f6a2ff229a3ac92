"""The professional's pages of a client: new client, handover.

The caseload is in :mod:`alliantiemonitor.dashboards.views`, the trajectory's page with its
rounds in :mod:`alliantiemonitor.measurements.views.trajectory` (same URL namespace).

Every page that shows a client fetches it through :mod:`alliantiemonitor.trajectories.access`
(404 for anyone but the assigned professional) and records an audit event.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.trajectories.access import get_trajectory_for, require_professional
from alliantiemonitor.trajectories.forms import (
    HandOverForm,
    NewClientForm,
    display_name_of,
)
from alliantiemonitor.trajectories.services import client_enrol, trajectory_hand_over


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """Add a client and start their trajectory in one step."""
    require_professional(request.user)
    form = NewClientForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            trajectory = client_enrol(
                organisation=data["organisation"],
                professional=request.user,
                display_name=data["display_name"],
                preferred_language=data["preferred_language"],
                easy_read=data["easy_read"],
                legal_frame=data["legal_frame"],
                start_date=data["start_date"],
                team=data["team"],
            )
        except DomainError as error:
            field = "display_name" if error.code == "invalid_display_name" else None
            form.add_error(field, str(error.message))
        else:
            messages.success(
                request,
                _("%(name)s has been added. You can start the first round now.")
                % {"name": trajectory.client.display_name},
            )
            return redirect("trajectories:detail", uuid=trajectory.uuid)
    # An invalid form is shown again with 200, as browsers treat 4xx pages as failed loads.
    return render(request, "trajectories/new.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def hand_over(request: HttpRequest, uuid: str) -> HttpResponse:
    """Hand a trajectory over to a colleague of the same organisation."""
    trajectory = get_trajectory_for(request.user, uuid)
    form = HandOverForm(request.POST or None, trajectory=trajectory, user=request.user)
    if request.method == "POST" and form.is_valid():
        colleague = form.cleaned_data["colleague"]
        try:
            trajectory_hand_over(
                trajectory=trajectory,
                to_professional=colleague,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                _("%(client)s has been handed over to %(colleague)s.")
                % {
                    "client": trajectory.client.display_name,
                    "colleague": display_name_of(colleague),
                },
            )
            return redirect("trajectories:caseload")
    audit_record(
        actor=request.user,
        action=Action.TRAJECTORY_VIEW,
        obj=trajectory,
        detail={"page": "hand_over"},
    )
    context = {"trajectory": trajectory, "client": trajectory.client, "form": form}
    return render(request, "trajectories/hand_over.html", context)
