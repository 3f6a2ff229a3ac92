"""The team and organisation dashboards and their CSV exports: aggregates only."""

from __future__ import annotations

import csv
import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.reauth import require_recent_auth
from alliantiemonitor.common.spreadsheet import spreadsheet_safe
from alliantiemonitor.dashboards.presenting import ShownTable, csv_rows, present
from alliantiemonitor.dashboards.svg_team import bar_chart
from alliantiemonitor.dashboards.team import (
    Dashboard,
    Period,
    parse_period,
    periods_offered,
)
from alliantiemonitor.dashboards.team import (
    organisation_dashboard as build_dashboard,
)
from alliantiemonitor.dashboards.team_access import get_organisation_for, get_team_for


def _period(request: HttpRequest) -> Period | None:
    return parse_period(request.GET.get("period"), timezone.localdate())


def _refuse_period(request: HttpRequest) -> HttpResponse:
    # The error page, so that the sentence is read in the project's layout, not bare text.
    message = _("Choose one of the quarters offered.")
    return render(request, "400.html", {"message": message}, status=400)


def _render(
    request: HttpRequest, dashboard: Dashboard, tables: list[ShownTable], **context: object
) -> HttpResponse:
    charts = [(table, bar_chart(table, f"chart-{table.key}")) for table in tables]
    return render(
        request,
        "dashboards/team/dashboard.html",
        {
            "dashboard": dashboard,
            "charts": charts,
            "periods": periods_offered(timezone.localdate()),
            **context,
        },
    )


def _csv(dashboard: Dashboard, tables: list[ShownTable], name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{dashboard.period.key}.csv"'
    writer = csv.writer(response)
    # A team name such as "=HYPERLINK(…)" must stay text in a spreadsheet.
    writer.writerows(
        [spreadsheet_safe(value) for value in row] for row in csv_rows(dashboard, tables)
    )
    return response


def _team_view(request: HttpRequest, team_uuid: uuid.UUID, fmt: str) -> HttpResponse:
    team = get_team_for(request.user, team_uuid)
    period = _period(request)
    if period is None:
        return _refuse_period(request)
    dashboard = build_dashboard(team.organisation, period)
    # The team's row cut from the organisation's one suppressed table (see dashboards.team).
    row = next(i for i, group in enumerate(dashboard.groups) if group.team == team)
    tables = present(dashboard, [row], with_total=False)
    audit_record(
        actor=request.user,
        action=Action.TEAM_DASHBOARD_VIEW,
        obj=team,
        detail={"period": period.key, "format": fmt},
    )
    if fmt == "csv":
        return _csv(dashboard, tables, "team")
    return _render(request, dashboard, tables, team=team)


def _organisation_view(
    request: HttpRequest, organisation_uuid: uuid.UUID, fmt: str
) -> HttpResponse:
    organisation = get_organisation_for(request.user, organisation_uuid)
    period = _period(request)
    if period is None:
        return _refuse_period(request)
    dashboard = build_dashboard(organisation, period)
    tables = present(dashboard, range(len(dashboard.groups)), with_total=True)
    audit_record(
        actor=request.user,
        action=Action.ORGANISATION_DASHBOARD_VIEW,
        obj=organisation,
        detail={"period": period.key, "format": fmt},
    )
    if fmt == "csv":
        return _csv(dashboard, tables, "organisation")
    return _render(request, dashboard, tables, team=None)


@login_required
@require_GET
def team_dashboard(request: HttpRequest, team_uuid: uuid.UUID) -> HttpResponse:
    """One team's figures for a quarter, with small numbers hidden."""
    return _team_view(request, team_uuid, "html")


@login_required
@require_GET
@require_recent_auth
def team_csv(request: HttpRequest, team_uuid: uuid.UUID) -> HttpResponse:
    """The team dashboard's figures as CSV; hidden cells stay empty."""
    return _team_view(request, team_uuid, "csv")


@login_required
@require_GET
def organisation_dashboard(request: HttpRequest, organisation_uuid: uuid.UUID) -> HttpResponse:
    """The organisation's figures per team for a quarter, with small numbers hidden."""
    return _organisation_view(request, organisation_uuid, "html")


@login_required
@require_GET
@require_recent_auth
def organisation_csv(request: HttpRequest, organisation_uuid: uuid.UUID) -> HttpResponse:
    """The organisation dashboard's figures as CSV; hidden cells stay empty."""
    return _organisation_view(request, organisation_uuid, "csv")
