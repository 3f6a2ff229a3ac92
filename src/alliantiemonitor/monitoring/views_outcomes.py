"""The professional's pages for what happened in a trajectory: record an outcome event, end
the trajectory, and the timeline.

Each fetches the trajectory through :func:`get_trajectory_for` (404 for anyone but its
assigned professional, as on every trajectory page) and records a view audit event when it
shows the client; the writes are audited by their services.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.measurements.services import trajectory_close, trajectory_open_rounds
from alliantiemonitor.monitoring.forms import EndTrajectoryForm, OutcomeForm
from alliantiemonitor.monitoring.timeline import trajectory_timeline
from alliantiemonitor.trajectories.access import get_trajectory_for
from alliantiemonitor.trajectories.exceptions import TrajectoryEnded
from alliantiemonitor.trajectories.services import outcome_record


def _detail(trajectory: object) -> HttpResponse:
    return redirect("trajectories:detail", uuid=trajectory.uuid)  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
def record_outcome(request: HttpRequest, trajectory_uuid: uuid.UUID) -> HttpResponse:
    """Record an outcome event: a no-show, a warning, a new arrest; a follow-up after the end."""
    trajectory = get_trajectory_for(request.user, trajectory_uuid)
    form = OutcomeForm(request.POST or None, trajectory=trajectory)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = outcome_record(
                trajectory=trajectory,
                kind=data["kind"],
                date=data["date"],
                note=data["note"],
                by=request.user,
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                _("Recorded: %(kind)s.") % {"kind": event.get_kind_display()},
            )
            return _detail(trajectory)
    audit_record(
        actor=request.user,
        action=Action.TRAJECTORY_VIEW,
        obj=trajectory,
        detail={"page": "record_outcome"},
    )
    return render(
        request,
        "monitoring/record_outcome.html",
        {"trajectory": trajectory, "client": trajectory.client, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def end_trajectory(request: HttpRequest, trajectory_uuid: uuid.UUID) -> HttpResponse:
    """Confirm how and when the trajectory ended; its open rounds are closed or cancelled."""
    trajectory = get_trajectory_for(request.user, trajectory_uuid)
    form = EndTrajectoryForm(request.POST or None, trajectory=trajectory)
    if request.method == "POST" and not trajectory.is_active:
        # A second click, or a form left open in another tab: it has ended already.
        messages.info(request, _("This trajectory has already ended."))
        return _detail(trajectory)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            trajectory_close(
                trajectory=trajectory,
                end_date=data["end_date"],
                reason_kind=data["reason_kind"],
                note=data["note"],
                by=request.user,
            )
        except TrajectoryEnded:
            messages.info(request, _("This trajectory has already ended."))
            return _detail(trajectory)
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                _("The trajectory of %(name)s has ended.")
                % {"name": trajectory.client.display_name},
            )
            return _detail(trajectory)
    audit_record(
        actor=request.user,
        action=Action.TRAJECTORY_VIEW,
        obj=trajectory,
        detail={"page": "end"},
    )
    context = {
        "trajectory": trajectory,
        "client": trajectory.client,
        "form": form,
        "open_rounds": trajectory_open_rounds(trajectory) if trajectory.is_active else None,
    }
    return render(request, "monitoring/end_trajectory.html", context)


@login_required
@require_GET
def timeline(request: HttpRequest, trajectory_uuid: uuid.UUID) -> HttpResponse:
    """Everything that happened in the trajectory in date order; the trajectory page loads
    the same list in place (htmx), and links here without JavaScript."""
    trajectory = get_trajectory_for(request.user, trajectory_uuid)
    entries = trajectory_timeline(trajectory)
    audit_record(
        actor=request.user,
        action=Action.TIMELINE_VIEW,
        obj=trajectory,
        detail={"entries": len(entries)},
    )
    partial = bool(getattr(request, "htmx", False)) and not request.htmx.boosted  # type: ignore[attr-defined]
    template = "monitoring/_timeline.html" if partial else "monitoring/timeline.html"
    return render(
        request,
        template,
        {"trajectory": trajectory, "client": trajectory.client, "entries": entries},
    )
