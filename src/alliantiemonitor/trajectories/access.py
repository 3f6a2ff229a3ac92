"""Who may see a trajectory: the rules of :mod:`alliantiemonitor.permissions`, for trajectories.

Only the professional of the latest assignment sees a trajectory (the current assignee, or
the last one of an ended trajectory), and only while they hold an active professional role
in its organisation. A professional who handed a trajectory over loses access at that
moment. Colleagues, team leads (they get aggregates elsewhere), researchers (pseudonymised
extracts elsewhere) and everyone outside the organisation get a 404, so that not even the
existence of a trajectory leaks.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.policy import parse_uuid
from alliantiemonitor.permissions.rules import Perm
from alliantiemonitor.trajectories.models import (
    Client,
    ClientQuerySet,
    Trajectory,
    TrajectoryQuerySet,
)

__all__ = [
    "caseload_organisations",
    "get_trajectory_for",
    "parse_uuid",
    "professional_memberships",
    "require_professional",
    "trajectories_for",
]


def trajectories_for(user: Any, perm: str = Perm.TRAJECTORY_VIEW) -> TrajectoryQuerySet:
    """The trajectories ``user`` may open (or act on, with ``perm``)."""
    return policy.scoped(user, perm, Trajectory.objects.all())


def professional_memberships(user: Any) -> Any:
    """The user's active professional memberships, with their organisation."""
    return (
        policy.memberships(user, Perm.CLIENT_CREATE)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def caseload_organisations(user: Any) -> list[int]:
    """The ids of the organisations in which ``user`` has a caseload, in one query.

    Refuses (403) like :func:`require_professional` when there is none: the caseload page asks
    this once for both its door and its "several organisations" column.
    """
    ids = list(policy.organisations(user, Perm.CASELOAD_VIEW).values_list("pk", flat=True))
    if not ids:
        raise PermissionDenied
    return ids


def require_professional(user: Any) -> None:
    """Refuse the caseload pages (403) to users without an active professional role anywhere."""
    policy.require(user, Perm.CASELOAD_VIEW)


def get_trajectory_for(
    user: Any,
    uuid: Any,
    *,
    perm: str = Perm.TRAJECTORY_VIEW,
    action: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Trajectory:
    """The trajectory with public id ``uuid`` if ``user`` may open it; ``Http404`` otherwise.

    With ``action``, records that ``user`` saw it (see :func:`policy.get_for`).
    """
    return policy.get_for(
        user,
        perm,
        Trajectory.objects.select_related("client", "organisation"),
        uuid,
        action=action,
        detail=detail,
    )


def privacy_clients_for(user: Any) -> ClientQuerySet:
    """The clients whose audit trail ``user`` may see and whom they may erase.

    Those of the organisations that ``user`` administers: the organisation admin is the
    privacy officer. Professionals, team leads and researchers have no such pages.
    """
    return Client.objects.filter(organisation__in=policy.organisations(user, Perm.CLIENT_PRIVACY))


def require_privacy_officer(user: Any) -> None:
    """Refuse the privacy pages (403) to users who administer no organisation."""
    policy.require(user, Perm.CLIENT_PRIVACY)


def get_client_for_privacy_officer(user: Any, uuid: Any) -> Client:
    """The client with public id ``uuid`` if ``user`` administers its organisation; else 404."""
    try:
        return privacy_clients_for(user).select_related("organisation").get(uuid=parse_uuid(uuid))
    except Client.DoesNotExist as exc:
        raise Http404 from exc
