"""Who may see which dashboard (rules in :mod:`alliantiemonitor.permissions`).

A team lead sees the dashboard of the teams in their active team-lead membership; an
organisation admin sees the organisation's dashboard and every team's. Professionals,
researchers and everyone outside the organisation get a 404, so that not even the existence
of a team leaks.
"""

from __future__ import annotations

from typing import Any

from alliantiemonitor.organisations.models import Organisation, Team
from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.rules import Perm


def teams_led_by(user: Any) -> list[Team]:
    """The teams whose dashboard ``user`` may open as a team lead or organisation admin."""
    return list(
        policy.scoped(user, Perm.TEAM_DASHBOARD_VIEW, Team.objects.all())
        .distinct()
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def get_team_for(
    user: Any, uuid: Any, *, action: str | None = None, detail: dict[str, Any] | None = None
) -> Team:
    """The team with public id ``uuid`` if ``user`` may see its dashboard; ``Http404`` otherwise."""
    return policy.get_for(
        user,
        Perm.TEAM_DASHBOARD_VIEW,
        Team.objects.select_related("organisation"),
        uuid,
        action=action,
        detail=detail,
    )


def get_organisation_for(
    user: Any, uuid: Any, *, action: str | None = None, detail: dict[str, Any] | None = None
) -> Organisation:
    """The organisation ``uuid`` if ``user`` administers it; ``Http404`` otherwise."""
    return policy.get_for(
        user,
        Perm.ORGANISATION_DASHBOARD_VIEW,
        Organisation.objects.all(),
        uuid,
        action=action,
        detail=detail,
    )
