"""The professional's caseload: their clients, what needs action first.

The page fetches through :mod:`alliantiemonitor.trajectories.access` and records an audit
event, like every page that shows client data.
"""

from __future__ import annotations

import dataclasses

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.dashboards.caseload import caseload_page, filter_phase, with_last_round
from alliantiemonitor.dashboards.forms import CaseloadFilterForm
from alliantiemonitor.measurements.access import paper_checks_for
from alliantiemonitor.monitoring.signals_read import open_signals_by_trajectory, signal_badges
from alliantiemonitor.scheduling.readmodels import due_rounds
from alliantiemonitor.trajectories.access import (
    caseload_organisations,
    trajectories_for,
)


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    """The professional's clients, what needs action first; search and filter by GET."""
    organisations = caseload_organisations(request.user)
    form = CaseloadFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    trajectories = with_last_round(trajectories_for(request.user))
    if not filters.get("ended"):
        trajectories = trajectories.active()
    unfiltered = trajectories
    if filters.get("q"):
        trajectories = trajectories.search(filters["q"])
    if filters.get("state"):
        trajectories = filter_phase(trajectories, filters["state"])
    # One page at a time, so that neither the HTML nor the work per row grows with the caseload.
    page = caseload_page(trajectories, request.GET.get("page"))
    rows = page.object_list
    # The schedule's due and overdue rounds, and the open signals of the page's rows: a fixed
    # number of queries.
    due = due_rounds([row.trajectory for row in rows])
    rows = [dataclasses.replace(row, schedule_due=due.get(row.trajectory.pk)) for row in rows]
    signals = open_signals_by_trajectory(row.trajectory.pk for row in rows)
    for row in rows:
        row.trajectory.signal_badges = signal_badges(signals.get(row.trajectory.pk, []))  # type: ignore[attr-defined]
    audit_record(
        actor=request.user,
        action=Action.CASELOAD_VIEW,
        detail={
            "count": len(rows),
            "filtered": bool(filters.get("q") or filters.get("state")),
            "page": page.number,
        },
    )
    is_filtered = bool(filters.get("q") or filters.get("state"))
    context = {
        "form": form,
        "rows": rows,
        "page": page,
        "page_numbers": list(page.paginator.get_elided_page_range(page.number)),
        # Tells "no clients yet" apart from "nothing matches"; only asked when nothing is shown.
        "has_any": bool(rows) or (is_filtered and unfiltered.exists()),
        "is_filtered": is_filtered,
        "has_ended": not rows
        and not is_filtered
        and not filters.get("ended")
        and trajectories_for(request.user).ended().exists(),
        "several_organisations": len(organisations) > 1,
        # Paper forms a colleague asked this user to check (double entry): easy to find.
        "paper_checks": list(paper_checks_for(request.user)),
    }
    template = (
        "dashboards/_caseload_table.html"
        if getattr(request, "htmx", False) and not request.htmx.boosted
        else "dashboards/caseload.html"
    )
    return render(request, template, context)
