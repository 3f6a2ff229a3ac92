"""The professional's pages: caseload, new client, trajectory, start a round, handover.

Every page that shows a client fetches it through :mod:`alliantiemonitor.trajectories.access`
(404 for anyone but the assigned professional) and records an audit event.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.services import round_start
from alliantiemonitor.monitoring.signals_read import open_signals_by_trajectory, signal_badges
from alliantiemonitor.organisations.exceptions import DomainError
from alliantiemonitor.scheduling.readmodels import due_rounds
from alliantiemonitor.trajectories.access import get_trajectory_for, trajectories_for
from alliantiemonitor.trajectories.caseload import caseload_rows, filter_phase, state_label
from alliantiemonitor.trajectories.forms import (
    CaseloadFilterForm,
    HandOverForm,
    NewClientForm,
    StartRoundForm,
    display_name_of,
    professional_memberships,
)
from alliantiemonitor.trajectories.models import Trajectory
from alliantiemonitor.trajectories.services import client_enrol, trajectory_hand_over


def _require_professional(request: HttpRequest) -> None:
    """Refuse the caseload pages to users without an active professional role anywhere."""
    if not professional_memberships(request.user).exists():
        raise PermissionDenied


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    """The professional's clients, what needs action first; search and filter by GET."""
    _require_professional(request)
    form = CaseloadFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    trajectories = (
        trajectories_for(request.user)
        .select_related("client", "organisation", "team")
        .with_last_round()
    )
    if not filters.get("ended"):
        trajectories = trajectories.active()
    unfiltered = trajectories
    if filters.get("q"):
        trajectories = trajectories.search(filters["q"])
    if filters.get("state"):
        trajectories = filter_phase(trajectories, filters["state"])
    rows = caseload_rows(trajectories)
    # Hook for the schedule's due and overdue rounds (moves with the caseload to dashboards).
    due = due_rounds([row.trajectory for row in rows])
    rows = [dataclasses.replace(row, schedule_due=due.get(row.trajectory.pk)) for row in rows]
    # The signals hook of the caseload: one query, read by the table as trajectory.signal_badges.
    signals = open_signals_by_trajectory(row.trajectory.pk for row in rows)
    for row in rows:
        row.trajectory.signal_badges = signal_badges(signals.get(row.trajectory.pk, []))  # type: ignore[attr-defined]
    audit_record(
        actor=request.user,
        action="caseload.view",
        detail={"count": len(rows), "filtered": bool(filters.get("q") or filters.get("state"))},
    )
    is_filtered = bool(filters.get("q") or filters.get("state"))
    context = {
        "form": form,
        "rows": rows,
        # Tells "no clients yet" apart from "nothing matches"; only asked when nothing is shown.
        "has_any": bool(rows) or (is_filtered and unfiltered.exists()),
        "is_filtered": is_filtered,
        "has_ended": not rows
        and not is_filtered
        and not filters.get("ended")
        and trajectories_for(request.user).ended().exists(),
        "several_organisations": professional_memberships(request.user).count() > 1,
    }
    template = (
        "trajectories/_caseload_table.html"
        if getattr(request, "htmx", False) and not request.htmx.boosted
        else "trajectories/caseload.html"
    )
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """Add a client and start their trajectory in one step."""
    _require_professional(request)
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


def _round_rows(trajectory: Trajectory) -> list[dict[str, Any]]:
    rounds = MeasurementRound.objects.for_trajectory(trajectory).order_by("-opened_at", "-pk")
    return [
        {"round": measurement_round, "state_label": state_label(measurement_round.state)}
        for measurement_round in rounds
    ]


def _render_detail(
    request: HttpRequest,
    trajectory: Trajectory,
    start_form: StartRoundForm | None = None,
) -> HttpResponse:
    rounds = _round_rows(trajectory)
    collecting = next((row["round"] for row in rounds if row["round"].is_collecting), None)
    assignments = list(trajectory.assignments.select_related("professional").order_by("start"))
    audit_record(actor=request.user, action="trajectory.view", obj=trajectory)
    context = {
        "trajectory": trajectory,
        "client": trajectory.client,
        "assignments": assignments,
        "current_assignment": next((a for a in assignments if a.end is None), None),
        "outcome_events": trajectory.outcome_events.order_by("date", "pk"),
        "rounds": rounds,
        "collecting_round": collecting,
        "start_form": start_form or StartRoundForm(trajectory=trajectory),
    }
    return render(request, "trajectories/detail.html", context)


@login_required
def detail(request: HttpRequest, uuid: str) -> HttpResponse:
    """One trajectory: the client, who guides them, what happened, and the rounds."""
    trajectory = get_trajectory_for(request.user, uuid)
    return _render_detail(request, trajectory)


@login_required
@require_POST
def start_round(request: HttpRequest, uuid: str) -> HttpResponse:
    """Start a measurement round and go to it."""
    trajectory = get_trajectory_for(request.user, uuid)
    form = StartRoundForm(request.POST, trajectory=trajectory)
    if not form.is_valid():
        return _render_detail(request, trajectory, start_form=form)
    try:
        measurement_round = round_start(
            trajectory=trajectory,
            by=request.user,
            instrument_id=form.cleaned_data["instrument_id"],
            due_date=form.cleaned_data["due_date"],
        )
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("trajectories:detail", uuid=trajectory.uuid)
    messages.success(request, _("The round has started."))
    return redirect("measurements:round_detail", uuid=measurement_round.uuid)


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
        actor=request.user, action="trajectory.view", obj=trajectory, detail={"page": "hand_over"}
    )
    context = {"trajectory": trajectory, "client": trajectory.client, "form": form}
    return render(request, "trajectories/hand_over.html", context)
