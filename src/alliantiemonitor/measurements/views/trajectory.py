"""One trajectory's page with its rounds, and starting a round from it.

In the ``trajectories`` namespace (under ``/clienten/<uuid>/``), but here because the page
lists the trajectory's rounds and starts new ones: measurements builds on trajectories.
The trajectory is fetched through :mod:`alliantiemonitor.trajectories.access`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.measurements.constants import state_label
from alliantiemonitor.measurements.forms import StartRoundForm
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.services import round_start
from alliantiemonitor.permissions.rules import Perm
from alliantiemonitor.trajectories.access import get_trajectory_for
from alliantiemonitor.trajectories.models import Trajectory


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
    if start_form is not None and start_form.errors:
        # The page offers no form while a round is open or after the end, so the form's own
        # errors would not show: say why no round can start instead.
        if not trajectory.is_active:
            messages.error(request, _("This trajectory has ended; no new rounds can start."))
        elif collecting is not None:
            messages.error(
                request,
                _(
                    "A round is in progress. When it is finished, closed or cancelled you can "
                    "start the next one."
                ),
            )
    assignments = list(trajectory.assignments.select_related("professional").order_by("start"))
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
    trajectory = get_trajectory_for(request.user, uuid, action=Action.TRAJECTORY_VIEW)
    return _render_detail(request, trajectory)


@login_required
@require_POST
def start_round(request: HttpRequest, uuid: str) -> HttpResponse:
    """Start a measurement round and go to it."""
    trajectory = get_trajectory_for(request.user, uuid, perm=Perm.TRAJECTORY_CHANGE)
    form = StartRoundForm(request.POST, trajectory=trajectory)
    if not form.is_valid():
        # The trajectory page again, with the form's errors: seen once more.
        audit_record(actor=request.user, action=Action.TRAJECTORY_VIEW, obj=trajectory)
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
