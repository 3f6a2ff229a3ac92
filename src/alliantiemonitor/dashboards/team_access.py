"""Who may see which dashboard: the one place where that is decided.

A team lead sees the dashboard of the teams in their active team-lead membership; an
organisation admin sees the organisation's dashboard and every team's. Professionals,
researchers and everyone outside the organisation get a 404, so that not even the existence
of a team leaks.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from alliantiemonitor.organisations.constants import Role
from alliantiemonitor.organisations.models import Organisation, Team
from alliantiemonitor.trajectories.access import parse_uuid


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def teams_led_by(user: Any) -> list[Team]:
    """The teams whose dashboard ``user`` may open as a team lead or organisation admin."""
    if not _active(user):
        return []
    led = Team.objects.filter(
        memberships__user=user,
        memberships__role=Role.TEAM_LEAD,
        memberships__active=True,
    )
    administered = Team.objects.filter(organisation__in=Organisation.objects.administered_by(user))
    return list(
        (led | administered)
        .distinct()
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def get_team_for(user: Any, uuid: Any) -> Team:
    """The team with public id ``uuid`` if ``user`` may see its dashboard; ``Http404`` otherwise."""
    team_uuid = parse_uuid(uuid)
    for team in teams_led_by(user):
        if team.uuid == team_uuid:
            return team
    raise Http404


def get_organisation_for(user: Any, uuid: Any) -> Organisation:
    """The organisation ``uuid`` if ``user`` administers it; ``Http404`` otherwise."""
    if not _active(user):
        raise Http404
    try:
        return Organisation.objects.administered_by(user).get(uuid=parse_uuid(uuid))
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc
