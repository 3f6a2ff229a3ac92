"""Who may see a trajectory: the one place where that is decided.

Only the professional of the latest assignment sees a trajectory (the current assignee, or
the last one of an ended trajectory), and only while they hold an active professional role
in its organisation. A professional who handed a trajectory over loses access at that
moment. Colleagues, team leads (they get aggregates elsewhere), researchers (pseudonymised
extracts elsewhere) and everyone outside the organisation get a 404, so that not even the
existence of a trajectory leaks.
"""

from __future__ import annotations

import uuid as uuid_module
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from alliantiemonitor.organisations.constants import Role
from alliantiemonitor.organisations.models import Membership
from alliantiemonitor.trajectories.models import Trajectory, TrajectoryQuerySet


def trajectories_for(user: Any) -> TrajectoryQuerySet:
    """The trajectories ``user`` may open."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Trajectory.objects.none()
    return Trajectory.objects.assigned_to(user).filter(
        organisation__memberships__user=user,
        organisation__memberships__role=Role.PROFESSIONAL,
        organisation__memberships__active=True,
    )


def professional_memberships(user: Any) -> Any:
    """The user's active professional memberships, with their organisation."""
    return (
        Membership.objects.active()
        .for_user(user)
        .professionals()
        .select_related("organisation")
        .order_by("organisation__name")
    )


def require_professional(user: Any) -> None:
    """Refuse the caseload pages (403) to users without an active professional role anywhere."""
    if not professional_memberships(user).exists():
        raise PermissionDenied


def parse_uuid(value: Any) -> uuid_module.UUID:
    """``value`` as a UUID, or ``Http404`` for anything that is not one."""
    if isinstance(value, uuid_module.UUID):
        return value
    try:
        return uuid_module.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


def get_trajectory_for(user: Any, uuid: Any) -> Trajectory:
    """The trajectory with public id ``uuid`` if ``user`` may open it; ``Http404`` otherwise."""
    try:
        return (
            trajectories_for(user)
            .select_related("client", "organisation")
            .get(uuid=parse_uuid(uuid))
        )
    except Trajectory.DoesNotExist as exc:
        raise Http404 from exc
